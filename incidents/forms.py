"""Forms of the incident pages; the services do the checks that need the database."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import SocialPage
from incidents.models import IncidentKind, IncidentState
from units.models import AdministrativeUnit, Body
from units.pickers import PickerKind, ScopedPickerField

MAX_URL_LENGTH = 500


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *IncidentState.choices]
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *IncidentKind.choices]
    )
    unit = ScopedPickerField(
        label=_("Unit"),
        required=False,
        queryset=AdministrativeUnit.objects.none(),
        kind=PickerKind.UNIT,
        source="units:autocomplete_units",
        placeholder=_("All units"),
    )

    def __init__(self, *args: Any, units: QuerySet[AdministrativeUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class IncidentCreateForm(forms.Form):
    body = ScopedPickerField(
        label=_("Body"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="units:autocomplete_bodies",
        source_query="for=edit",
        placeholder=_("Type part of the body's name"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices)
    page = ScopedPickerField(
        label=_("Official page (loss of control)"),
        required=False,
        queryset=SocialPage.objects.none(),
        kind=PickerKind.PAGE,
        source="units:autocomplete_pages",
        placeholder=_("Type part of the page's name or address"),
    )
    url = forms.URLField(
        label=_("Address of the impersonating page"),
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
    )
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea, max_length=5000)
    discovered_at = forms.DateTimeField(label=_("Discovered at"), required=False)

    def __init__(
        self,
        *args: Any,
        bodies: QuerySet[Body],
        pages: QuerySet[SocialPage],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["page"].queryset = pages  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to_state = forms.ChoiceField(label=_("New state"), choices=IncidentState.choices)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class EvidenceForm(forms.Form):
    link = forms.URLField(
        label=_("Link"), required=False, max_length=MAX_URL_LENGTH, assume_scheme="https"
    )
    image = forms.FileField(label=_("Screenshot (PNG, JPEG or WebP)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("link")) == bool(data.get("image")):
            raise forms.ValidationError(_("Give either a link or a screenshot."))
        return data


class PublicReportForm(forms.Form):
    url = forms.URLField(
        label=_("Address of the suspect page"), max_length=MAX_URL_LENGTH, assume_scheme="https"
    )
    body = ScopedPickerField(
        label=_("Body the page pretends to be"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="public:autocomplete_bodies",
        placeholder=_("Type part of the body's name"),
        help_text=_("Choose the state body whose name or logo the page uses."),
    )
    description = forms.CharField(
        label=_("Why do you think the page is fake?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=2000,
    )
    image = forms.FileField(label=_("Screenshot (PNG, JPEG or WebP)"), required=False)
    reporter_name = forms.CharField(label=_("Your name"), required=False, max_length=150)
    reporter_email = forms.EmailField(label=_("Your email"), required=False)
    reporter_phone = forms.RegexField(
        label=_("Your phone"),
        required=False,
        regex=r"^\+?[0-9 .-]{8,20}$",
        error_messages={"invalid": _("Enter a phone number (digits only).")},
    )
    # A field people never see: bots fill every input, so a value here marks a bot.
    website = forms.CharField(required=False, label="", widget=forms.TextInput())

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))
