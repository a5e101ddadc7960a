from __future__ import annotations

from django.urls import path

from legal import views

app_name = "legal"
urlpatterns = [
    path("", views.library_list, name="library_list"),
    # Before the library pattern: "criteria" is a page, not a library id.
    path("criteria/", views.criteria_list, name="criteria_list"),
    path("<slug:library_id>/", views.library_detail, name="library_detail"),
]
