"""The first step of drafting for whoever issues for several bodies: which body signs.

An officer of a unit issues for its few bodies (a list of radio buttons); an administrator
issues for any open body of the country, so the choice is a search-as-you-type picker over
``users.scope.issuing_bodies`` (``directives:autocomplete_issuers``), which without JavaScript
resolves the typed name on the server.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from units.models import Body
from units.pickers import SMALL_SCOPE, PickerKind, ScopedPickerField
from users import scope

# Up to this many bodies to issue for, the page lists them all as radio buttons.
ISSUERS_LISTED = SMALL_SCOPE


class IssuerForm(forms.Form):
    """The issuing body, among those the user issues for; read from the query string."""

    issuer = ScopedPickerField(
        label=_("Issuing body"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="directives:autocomplete_issuers",
        placeholder=_("Type part of the body's name"),
    )

    def __init__(self, data: Any = None, *, user: Any, suggested: Body | None = None) -> None:
        super().__init__(data, initial={"issuer": suggested} if suggested else None)
        field = self.fields["issuer"]
        assert isinstance(field, ScopedPickerField)
        field.queryset = scope.issuing_bodies(user).order_by("unit__path", "name")

    @property
    def asked(self) -> bool:
        """Whether the query string names an issuer at all (by id, name or a pick)."""
        return self.is_bound and any(
            self.data.get(name) for name in ("issuer", "issuer_q", "issuer_pick")
        )

    def chosen(self) -> Body | None:
        """The body asked for, if it is one the user issues for; None otherwise."""
        if not self.asked or not self.is_valid():
            return None
        issuer: Body = self.cleaned_data["issuer"]
        return issuer
