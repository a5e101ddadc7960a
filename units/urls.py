from __future__ import annotations

from django.urls import path

from units import autocomplete, views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="unit_list"),
    path("<int:pk>/", views.unit_detail, name="unit_detail"),
    path("bodies/", views.body_list, name="body_list"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
    path("autocomplete/bodies/", autocomplete.bodies, name="autocomplete_bodies"),
    path("autocomplete/units/", autocomplete.units, name="autocomplete_units"),
    path("autocomplete/pages/", autocomplete.pages, name="autocomplete_pages"),
    path(
        "autocomplete/recipients/units/",
        autocomplete.recipient_units,
        name="autocomplete_recipient_units",
    ),
    path(
        "autocomplete/recipients/bodies/",
        autocomplete.recipient_bodies,
        name="autocomplete_recipient_bodies",
    ),
    path("autocomplete/directives/", autocomplete.directives, name="autocomplete_directives"),
    path("autocomplete/issuers/", autocomplete.issuers, name="autocomplete_issuers"),
]
