"""Export pages, in the ``reports`` namespace (included by ``reports/urls.py``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from reports.exports import views

urlpatterns: list[URLPattern] = [
    path("<int:report_id>/export/<str:fmt>/", views.export, name="export"),
    path("exports/<int:export_id>/", views.export_status, name="export_status"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
]
