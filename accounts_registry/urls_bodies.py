"""Routes of a body's registry page (under ``/registry/bodies/``, namespace ``registry``)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from accounts_registry import views_bodies

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:body_id>/", views_bodies.body_registry, name="body_registry"),
    path("<int:body_id>/contact/", views_bodies.body_contact, name="body_contact"),
    path(
        "<int:body_id>/spokesperson/",
        views_bodies.body_spokesperson,
        name="body_spokesperson",
    ),
    path("<int:body_id>/rules/", views_bodies.body_rules_upload, name="body_rules_upload"),
    path(
        "<int:body_id>/rules/<int:pk>/download/",
        views_bodies.rules_download,
        name="rules_download",
    ),
    path(
        "<int:body_id>/pages/<int:page_id>/contact/",
        views_bodies.page_contact,
        name="page_contact",
    ),
]
