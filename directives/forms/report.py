"""The recipient's report on implementation and its figures."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directives.files import MAX_FILES
from directives.forms.common import MultipleFileField, _model_field
from directives.models import (
    AskedFigure,
    ImplementationReport,
    ReportFigure,
)


class ReportForm(forms.Form):
    """A recipient's report on implementation: what was done, and files."""

    required_css_class = "field--required"

    text = _model_field(
        ImplementationReport,
        "text",
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    attachments = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args: Any, asked: Sequence[AskedFigure] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "PDF, Word (.docx) or images; up to %(count)d files. You can choose several at once."
        ) % {"count": MAX_FILES}
        # The figures the letter asks of this recipient (its tasks'), each required.
        self.asked = list(asked)
        for figure in self.asked:
            self.fields[f"asked_{figure.key}"] = forms.DecimalField(
                label=f"{figure.label} ({figure.unit})" if figure.unit else figure.label,
                max_digits=14,
                decimal_places=2,
                min_value=0,
                localize=True,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                error_messages={"required": _("Give this figure: the letter asks for it.")},
            )

    def asked_fields(self) -> list[Any]:
        return [self[f"asked_{figure.key}"] for figure in self.asked]

    def asked_values(self) -> dict[str, Decimal]:
        return {figure.key: self.cleaned_data[f"asked_{figure.key}"] for figure in self.asked}


class FigureForm(forms.Form):
    """One line of figures: what was counted, and how many."""

    label = _model_field(ReportFigure, "label", required=False)
    value = forms.DecimalField(
        label=_("Figure"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        label, value = (data.get("label") or "").strip(), data.get("value")
        if label and value is None and "value" not in self.errors:
            self.add_error("value", _("Give the figure for this line."))
        if value is not None and not label:
            self.add_error("label", _("Say what was counted."))
        return data


def filled_figures(formset: forms.BaseFormSet[Any]) -> list[tuple[str, Decimal]]:
    """The filled lines of a valid ``FigureFormSet``, in order."""
    return [
        (form.cleaned_data["label"].strip(), form.cleaned_data["value"])
        for form in formset.forms
        if form.cleaned_data.get("label") and form.cleaned_data.get("value") is not None
    ]


FigureFormSet = forms.formset_factory(FigureForm, extra=5, max_num=20, validate_max=True)
