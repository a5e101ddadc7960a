"""Forms for monitoring findings; the services do the checks."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import SocialPage
from incidents.models import FindingCategory, FindingSeverity, FindingSource, FindingState


class FindingForm(forms.Form):
    page = forms.ModelChoiceField(
        label=_("Official page"),
        required=False,
        queryset=SocialPage.objects.none(),
        empty_label=_("The body as a whole"),
    )
    source = forms.ChoiceField(label=_("Found by"), choices=FindingSource.choices)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=150,
        required=False,
        help_text=_("The letter or report that states the finding, e.g. 1332/STTTT-TTBCXB."),
    )
    found_on = forms.DateField(label=_("Found on"), help_text=_("dd/mm/yyyy"))
    category = forms.ChoiceField(label=_("Category"), choices=FindingCategory.choices)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=FindingSeverity.choices, initial=FindingSeverity.MEDIUM
    )
    description = forms.CharField(
        label=_("What was found"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    remediation_required = forms.CharField(
        label=_("What the body must do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
    deadline = forms.DateField(label=_("Remediation deadline"), help_text=_("dd/mm/yyyy"))

    def __init__(self, *args: Any, pages: QuerySet[SocialPage], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = pages  # type: ignore[attr-defined]


class FindingFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *FindingState.choices]
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
    mine = forms.BooleanField(label=_("Only those I or my office recorded"), required=False)
    body = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RemediationForm(forms.Form):
    remediation_note = forms.CharField(
        label=_("What the body did"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class FindingDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        required=False,
        help_text=_("Required when you reopen the finding."),
    )
