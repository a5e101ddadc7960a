"""Routes of the official pages (under /registry/pages/, namespace ``registry``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts_registry import views_pages as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.page_list, name="page_list"),
    path("new/", views.page_register, name="page_register"),
    path("<int:pk>/", views.page_detail, name="page_detail"),
    path("<int:pk>/edit/", views.page_edit, name="page_edit"),
    path("<int:pk>/submit/", views.page_submit, name="page_submit"),
    path("<int:pk>/approve/", views.page_approve, name="page_approve"),
    path("<int:pk>/return/", views.page_return, name="page_return"),
    path("<int:pk>/confirm/", views.page_confirm, name="page_confirm"),
    path("<int:pk>/archive/", views.page_archive, name="page_archive"),
]
