"""Forms of the official pages: registration, edits, the list's filters and review notes.

The forms only collect input; the services in ``services/pages.py`` validate the page
itself (its address, its uniqueness, its state).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors.pages import GAPS
from units.models import AdministrativeUnit, Body
from units.pickers import PickerKind, ScopedPickerField


class _PlatformChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.label)


class _DateInput(forms.DateInput):
    """A text date field in dd/mm/yyyy, the form Vietnamese users write dates in."""

    def __init__(self) -> None:
        super().__init__(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class PageEditForm(forms.Form):
    """The page's own fields, shared by registration and editing."""

    platform = _PlatformChoice(
        label=_("Platform"), queryset=Platform.objects.filter(is_active=True), empty_label=None
    )
    display_name = forms.CharField(
        label=_("Displayed name"),
        max_length=255,
        help_text=_("The name exactly as the page shows it."),
    )
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_(
            "Paste the page's address, e.g. https://www.facebook.com/ubndxacamngoc; any form "
            "of it will do."
        ),
    )
    permanent_id = forms.CharField(
        label=_("Permanent id on the platform"),
        max_length=100,
        required=False,
        help_text=_("Filled in from the address when the address carries it."),
    )
    is_platform_verified = forms.BooleanField(
        label=_("Verified by the platform (blue tick)"), required=False
    )
    platform_verified_on = forms.DateField(
        label=_("Verified since"), required=False, widget=_DateInput()
    )
    responsible_unit = forms.CharField(
        label=_("Unit responsible for posting"), max_length=255, required=False
    )
    set_up_on = forms.DateField(label=_("Set up on"), required=False, widget=_DateInput())
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("platform_verified_on") and not data.get("is_platform_verified"):
            self.add_error(
                "platform_verified_on",
                _("Tick “verified by the platform” or leave this date empty."),
            )
        return data

    @classmethod
    def initial_from(cls, page: SocialPage) -> dict[str, Any]:
        return {
            name: getattr(page, name)
            for name in (
                "platform",
                "display_name",
                "url",
                "permanent_id",
                "is_platform_verified",
                "platform_verified_on",
                "responsible_unit",
                "set_up_on",
                "notes",
            )
        }


class PageRegisterForm(PageEditForm):
    """A new page: the body comes first, chosen among the bodies the user may edit."""

    # A search field, not a <select>: an administrator may edit 100,000 bodies. Staff of a
    # few bodies get a plain <select>, preselected when there is only one (units/pickers.py).
    body = ScopedPickerField(
        label=_("Body"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="units:autocomplete_bodies",
        source_query="for=edit",
        placeholder=_("Type part of the body's name"),
    )

    field_order = ["body", "platform", "url", "display_name"]

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body_field = self.fields["body"]
        assert isinstance(body_field, ScopedPickerField)
        body_field.queryset = bodies


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PageFilterForm(forms.Form):
    """The filters of the page list; every choice is limited to the user's scope."""

    q = forms.CharField(label=_("Search"), required=False)
    unit = ScopedPickerField(
        label=_("Administrative unit"),
        queryset=AdministrativeUnit.objects.none(),
        kind=PickerKind.UNIT,
        source="units:autocomplete_units",
        required=False,
        placeholder=_("All units"),
    )
    body = ScopedPickerField(
        label=_("Body"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="units:autocomplete_bodies",
        required=False,
        placeholder=_("All bodies"),
    )
    platform = forms.ChoiceField(label=_("Platform"), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All but archived")), *PageState.choices],
    )
    gap = forms.ChoiceField(label=_("Gap"), required=False, choices=[("", _("Any")), *GAPS.items()])

    def __init__(
        self,
        *args: Any,
        units: QuerySet[AdministrativeUnit],
        bodies: QuerySet[Body],
        platforms: list[Platform],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        body_field = self.fields["body"]
        platform_field = self.fields["platform"]
        assert isinstance(unit_field, ScopedPickerField)
        assert isinstance(body_field, ScopedPickerField)
        assert isinstance(platform_field, forms.ChoiceField)
        unit_field.queryset = units
        body_field.queryset = bodies
        platform_field.choices = [
            ("", _("All platforms")),
            *((platform.code, platform.label) for platform in platforms),
        ]
