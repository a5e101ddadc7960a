"""Forms of the report pages. They collect input; the services check the workflow.

The fill-in form is a ``ModelForm`` over exactly the fields ``services.report_update``
accepts, so the model's own checks (counts are not negative, no participants without a
session) show on the fields they concern before the service is called.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from reports.models import (
    MAX_DAYS_AFTER_END,
    FakePageReview,
    ReportingPeriod,
    ReportState,
    UnitReport,
)
from reports.services import EDITABLE_FIELDS
from units.models import AdministrativeUnit

_YES_NO = [("True", _("Yes")), ("False", _("No"))]
_COUNT_WIDGET = {"min": "0", "inputmode": "numeric", "class": "input--count"}


def verbose_name(name: str) -> Any:
    """The model's (lazy, translated) name of a report field."""
    return getattr(UnitReport._meta.get_field(name), "verbose_name", name)


class _SearchInput(forms.TextInput):
    input_type = "search"


class _YesNoField(forms.TypedChoiceField):
    """Yes or no as two radio buttons; unanswered is None (a draft may leave it open)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=_YES_NO,
            coerce=lambda value: value == "True",
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
            **kwargs,
        )


class ReportFilterForm(forms.Form):
    """The list's filters: the period (by id), the state, and words of the unit's name."""

    period = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label=_("Unit"),
        required=False,
        max_length=200,
        widget=_SearchInput(attrs={"placeholder": _("Name of the unit, with or without accents")}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *ReportState.choices]
    )


class ReportForm(forms.ModelForm):
    """The unit's declarations, counts and narrative (a draft may be saved half filled)."""

    info_consistent = _YesNoField()
    security_measures = _YesNoField()

    class Meta:
        model = UnitReport
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "impersonation_scans": forms.NumberInput(attrs=_COUNT_WIDGET),
            "fake_pages_found": forms.NumberInput(attrs=_COUNT_WIDGET),
            "fake_pages_reported": forms.NumberInput(attrs=_COUNT_WIDGET),
            "fake_pages_taken_down": forms.NumberInput(attrs=_COUNT_WIDGET),
            "dissemination_sessions": forms.NumberInput(attrs=_COUNT_WIDGET),
            "participants": forms.NumberInput(attrs=_COUNT_WIDGET),
            "positive_posts": forms.NumberInput(attrs=_COUNT_WIDGET),
            "comments_answered": forms.NumberInput(attrs=_COUNT_WIDGET),
            "declaration_note": forms.Textarea(attrs={"rows": 3}),
            "achievements": forms.Textarea(attrs={"rows": 5}),
            "difficulties": forms.Textarea(attrs={"rows": 4}),
            "proposals": forms.Textarea(attrs={"rows": 4}),
            "missing_children_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        has_children: bool = True,
        review: FakePageReview | None = None,
        **kwargs: Any,
    ) -> None:
        # The unit's own fake-page review of the period fills in the counts still empty,
        # for the unit to check before saving: only the form's initial values, never the
        # report itself (a submitted report's snapshot is never touched).
        self.prefilled: list[str] = []
        instance = kwargs.get("instance")
        if review is not None and instance is not None and instance.is_editable:
            initial = dict(kwargs.get("initial") or {})
            for name, value in (
                ("impersonation_scans", review.scans_done),
                ("fake_pages_found", review.fake_pages_found),
                ("fake_pages_reported", review.reported_to_platform),
                ("fake_pages_taken_down", review.taken_down),
            ):
                if getattr(instance, name) is None and name not in initial:
                    initial[name] = value
                    self.prefilled.append(name)
            kwargs["initial"] = initial
        self.review = review if self.prefilled else None
        super().__init__(*args, **kwargs)
        for name in ("info_consistent", "security_measures"):
            self.fields[name].label = verbose_name(name)
        # A commune has no units below: the reason would never be asked for.
        if not has_children:
            del self.fields["missing_children_reason"]

    def changes(self) -> dict[str, Any]:
        """What to pass to ``services.report_update``: every field of the form."""
        return {name: self.cleaned_data.get(name) for name in self.fields}


class FakePageReviewForm(forms.Form):
    """A unit's fake-page review of one period; ``services_reviews`` does the checks."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=AdministrativeUnit.objects.none())
    period = forms.ModelChoiceField(
        label=_("Reporting period"), queryset=ReportingPeriod.objects.none()
    )
    scans_done = forms.IntegerField(label=_("Scans done"), min_value=0, max_value=100_000)
    fake_pages_found = forms.IntegerField(
        label=_("Fake pages found"), min_value=0, max_value=100_000
    )
    reported_to_platform = forms.IntegerField(
        label=_("Reported to the platform"), min_value=0, max_value=100_000
    )
    taken_down = forms.IntegerField(label=_("Taken down"), min_value=0, max_value=100_000)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[AdministrativeUnit],
        periods: QuerySet[ReportingPeriod],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        # A sliced queryset cannot be filtered by the field's validation: pass the ids.
        self.fields["period"].queryset = ReportingPeriod.objects.filter(  # type: ignore[attr-defined]
            pk__in=[period.pk for period in periods]
        ).order_by("-starts_on", "kind")


class SubmitForm(forms.Form):
    """Confirming a submission; the reason is asked for while units below are missing."""

    missing_children_reason = forms.CharField(
        label=verbose_name("missing_children_reason"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, reason_shown: bool = False, reason_required: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing_children_reason"].required = reason_required
        if not (reason_shown or reason_required):
            del self.fields["missing_children_reason"]


class NoteForm(forms.Form):
    """The reviewer's note: required to return or reopen, optional to accept."""

    note = forms.CharField(
        label=_("Note"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required


class CalendarForm(forms.Form):
    """A province's calendar: a box per kind of period, and days per kind and level.

    Fields are built from the levels the province has today (no district row in a two-tier
    province): ``required_<kind>`` and ``days_<kind>_<level id>``.
    """

    def __init__(
        self, *args: Any, levels: list[Any], kinds: list[tuple[str, Any]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        self.kinds = kinds
        for kind, kind_label in kinds:
            self.fields[f"required_{kind}"] = forms.BooleanField(label=kind_label, required=False)
            for level in levels:
                self.fields[f"days_{kind}_{level.pk}"] = forms.IntegerField(
                    label=_("%(kind)s, %(level)s: days after the end of the period")
                    % {"kind": kind_label, "level": level.label},
                    min_value=0,
                    max_value=MAX_DAYS_AFTER_END,
                    widget=forms.NumberInput(attrs=_COUNT_WIDGET),
                )

    def rows(self) -> list[dict[str, Any]]:
        """One row per kind: its box and its days per level, in the order of the levels."""
        return [
            {
                "kind": kind,
                "label": kind_label,
                "required": self[f"required_{kind}"],
                "days": [self[f"days_{kind}_{level.pk}"] for level in self.levels],
            }
            for kind, kind_label in self.kinds
        ]

    def required(self) -> set[str]:
        return {kind for kind, _label in self.kinds if self.cleaned_data.get(f"required_{kind}")}

    def days(self) -> dict[tuple[str, int], int]:
        return {
            (kind, level.pk): self.cleaned_data[f"days_{kind}_{level.pk}"]
            for kind, _label in self.kinds
            for level in self.levels
        }
