"""Pages of the reports app (namespace ``reports``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from reports import views, views_reviews

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.report_list, name="list"),
    path("calendar/", views.calendar, name="calendar"),
    path("periods/<int:period_id>/", views.period_detail, name="period"),
    path("periods/<int:period_id>/build/", views.build, name="build"),
    path("builds/<int:run_id>/", views.build_status, name="build_status"),
    path("fake-page-reviews/", views_reviews.fake_page_reviews, name="fake_page_reviews"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/edit/", views.report_edit, name="edit"),
    path("<int:report_id>/submit/", views.report_submit, name="submit"),
    path("<int:report_id>/accept/", views.report_accept, name="accept"),
    path("<int:report_id>/return/", views.report_return, name="return"),
    path("<int:report_id>/reopen/", views.report_reopen, name="reopen"),
    path("", include("reports.dashboard_urls")),
    path("", include("reports.exports.urls")),
]
