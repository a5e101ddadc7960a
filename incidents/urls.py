"""Routes of the incidents app."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from incidents import views, views_findings

app_name = "incidents"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.incident_list, name="list"),
    path("new/", views.incident_create, name="create"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/transition/", views.incident_transition, name="transition"),
    path("<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("<int:pk>/evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("findings/", views_findings.finding_list, name="finding_list"),
    path("findings/new/", views_findings.finding_create, name="finding_create"),
    path("findings/<int:pk>/", views_findings.finding_detail, name="finding_detail"),
    path(
        "findings/<int:pk>/remediate/",
        views_findings.finding_remediate,
        name="finding_remediate",
    ),
    path("findings/<int:pk>/close/", views_findings.finding_close, name="finding_close"),
    path("findings/<int:pk>/reopen/", views_findings.finding_reopen, name="finding_reopen"),
    path("report/", views.public_report, name="public_report"),
    path("report/thanks/", views.public_report_thanks, name="public_report_thanks"),
]
