"""The units and bodies as a user sees them (lists and details), and the pickers'
autocomplete of bodies, units and pages; mounted at ``/units/`` in the ``units`` namespace.

They live in the registry because their pages offer its actions (registering a page for a
body) and the page picker searches its pages; ``units`` itself sits below ``users``.
"""

from __future__ import annotations

from django.urls import path

from accounts_registry import autocomplete, views_units

app_name = "units"
urlpatterns = [
    path("", views_units.unit_list, name="unit_list"),
    path("<int:pk>/", views_units.unit_detail, name="unit_detail"),
    path("bodies/", views_units.body_list, name="body_list"),
    path("bodies/<int:pk>/", views_units.body_detail, name="body_detail"),
    path("autocomplete/bodies/", autocomplete.bodies, name="autocomplete_bodies"),
    path("autocomplete/units/", autocomplete.units, name="autocomplete_units"),
    path("autocomplete/pages/", autocomplete.pages, name="autocomplete_pages"),
]
