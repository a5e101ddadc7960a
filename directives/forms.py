"""Forms of the directive pages. They collect input; the services check the letter itself.

The drafting form's choices depend on the issuing body (who may be addressed), so it is
built for one issuer. Long choice lists (units, bodies, clauses) are rendered by the
templates from the plain groups built here, not through Django's widgets, so that a
province's hundreds of communes render quickly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directives import selectors, services
from directives.files import MAX_FILES, check_attachments
from directives.models import Directive, DirectiveState, ImplementationReport, ReportFigure
from legal.models import LegalNode, LibraryContent, NodeKind
from units.models import AdministrativeUnit, Body, UnitLevel

# Up to this many bodies are offered as one list rather than grouped by unit.
FLAT_LIST_SIZE = 24

# What the file input offers; the content is checked on upload whatever the name says.
ACCEPT = ".pdf,.docx,.png,.jpg,.jpeg,.webp"

# "1. ", "2) " typed or pasted before an instruction: the letter numbers them itself.
_NUMBERING = re.compile(r"^\s*\d{1,3}\s*[.)]\s+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_instructions(text: str) -> list[str]:
    """One instruction per line; or, when the text has empty lines, one per paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [_NUMBERING.sub("", part.strip(), count=1) for part in parts if part.strip()]


def join_instructions(texts: Sequence[str]) -> str:
    """The textarea's text for saved instructions; ``split_instructions`` reads it back."""
    return ("\n\n" if any("\n" in text for text in texts) else "\n").join(texts)


class _DateInput(forms.DateInput):
    """A text date in dd/mm/yyyy, the way Vietnamese users write dates."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "class": "input--date"}
        )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, checked by content (PDF, DOCX, images)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        cleaned = [single(upload, initial) for upload in uploads if upload]
        files = [upload for upload in cleaned if upload]
        if files:
            check_attachments(files)
        return files


def _model_field(model: Any, name: str, **kwargs: Any) -> Any:
    """The form field a model field makes (label, help text, length), with overrides."""
    made = model._meta.get_field(name).formfield(**kwargs)
    assert made is not None
    return made


def _text(name: str, rows: int, **kwargs: Any) -> Any:
    return _model_field(Directive, name, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


@dataclass
class Option:
    """One checkbox of a long choice list."""

    value: str
    label: str
    checked: bool
    hint: str = ""


@dataclass
class OptionGroup:
    label: str
    options: list[Option] = field(default_factory=list)

    @property
    def checked_count(self) -> int:
        return sum(1 for option in self.options if option.checked)


class _SearchInput(forms.TextInput):
    input_type = "search"


class DirectiveFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=_SearchInput(attrs={"placeholder": _("Number, symbol or words of the subject")}),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *DirectiveState.choices]
    )


class _ImplementsChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = obj.issued_on.strftime("%d/%m/%Y") if obj.issued_on else "…"
        subject = Truncator(obj.subject).chars(90)
        return f"{obj.reference} ({when}) · {obj.issuer.name}: {subject}"


def group_key(group: services.RecipientGroup) -> str:
    return f"{group.parent.pk}:{group.level.pk}"


def recipient_groups(issuer: Body, units: Sequence[AdministrativeUnit]) -> list[Any]:
    """The "all units of a level under a unit" groups open to ``issuer``, with their sizes.

    ``units`` are the units the issuer may address (``selectors.recipient_units``); a group
    is offered for the issuer's own unit and every unit above another, per level below it.
    """
    parents = [issuer.unit, *units]
    by_path = {parent.path: parent for parent in parents}
    levels: dict[int, UnitLevel] = {}
    sizes: dict[tuple[int, int], int] = defaultdict(int)
    for unit in units:
        levels[unit.level_id] = unit.level
        # A path is its ancestors' paths and one step more: "00001.00007.00042."
        steps = unit.path.rstrip(".").split(".")[:-1]
        for depth in range(1, len(steps) + 1):
            parent = by_path.get(".".join(steps[:depth]) + ".")
            if parent is not None:
                sizes[(parent.pk, unit.level_id)] += 1
    found = []
    for parent in parents:
        for level in sorted(levels.values(), key=lambda item: item.rank):
            size = sizes.get((parent.pk, level.pk), 0)
            if size:
                found.append((services.RecipientGroup(parent, level), size))
    return found


class DirectiveForm(forms.Form):
    """A draft letter of one issuing body: its parts, citations, recipients and files."""

    required_css_class = "field--required"

    number = _model_field(
        Directive,
        "number",
        help_text=_("May stay blank in a draft: the clerk gives the number when it is issued."),
    )
    symbol = _model_field(Directive, "symbol")
    place = _model_field(Directive, "place")
    issued_on = _model_field(
        Directive,
        "issued_on",
        widget=_DateInput(),
        help_text=_("dd/mm/yyyy. Left blank, the day the letter is issued is used."),
    )
    subject = _text("subject", 2)
    addressees = _text("addressees", 3)
    basis = _text("basis", 3)
    body = _text("body", 8)
    instructions = forms.CharField(
        label=_("Instructions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One instruction per line; the letter numbers them 1, 2, 3… To write an instruction "
            "of several lines, leave an empty line between instructions."
        ),
    )
    closing = _text("closing", 3)
    implements = _ImplementsChoice(
        label=capfirst(Directive._meta.get_field("implements").verbose_name),
        queryset=Directive.objects.none(),
        required=False,
        empty_label=_("(none)"),
        help_text=_("The letter from the level above that this one carries out."),
    )
    cited = forms.ModelMultipleChoiceField(
        label=capfirst(Directive._meta.get_field("cited_nodes").verbose_name),
        queryset=LegalNode.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_groups = forms.MultipleChoiceField(
        label=_("Groups of units"), required=False, widget=forms.CheckboxSelectMultiple
    )
    recipient_units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=AdministrativeUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_bodies = forms.ModelMultipleChoiceField(
        label=_("Bodies"),
        queryset=Body.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    distribution = _text("distribution", 4)
    signing_capacity = _text("signing_capacity", 2)
    signer_name = _model_field(Directive, "signer_name")
    report_deadline = _model_field(
        Directive, "report_deadline", widget=_DateInput(), help_text=_("dd/mm/yyyy")
    )
    attachments = MultipleFileField(label=_("Attach files"))

    def __init__(self, *args: Any, issuer: Body, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.issuer = issuer
        self.fields["attachments"].help_text = _(
            "PDF, Word (.docx) or images; up to %(count)d files. You can choose several at once."
        ) % {"count": MAX_FILES}
        implements = self.fields["implements"]
        assert isinstance(implements, forms.ModelChoiceField)
        implements.queryset = selectors.implementable(user).order_by("-issued_on", "-pk")
        self._units = list(selectors.recipient_units(issuer))
        self._groups = recipient_groups(issuer, self._units)
        self._group_by_key = {group_key(group): group for group, _size in self._groups}
        units_field = self.fields["recipient_units"]
        bodies_field = self.fields["recipient_bodies"]
        cited_field = self.fields["cited"]
        groups_field = self.fields["recipient_groups"]
        assert isinstance(units_field, forms.ModelMultipleChoiceField)
        assert isinstance(bodies_field, forms.ModelMultipleChoiceField)
        assert isinstance(cited_field, forms.ModelMultipleChoiceField)
        assert isinstance(groups_field, forms.MultipleChoiceField)
        units_field.queryset = selectors.recipient_units(issuer)
        bodies_field.queryset = selectors.recipient_bodies(issuer)
        cited_field.queryset = citable_nodes()
        groups_field.choices = [
            (group_key(group), group_label(group)) for group, _size in self._groups
        ]

    # --- What the templates render -----------------------------------------------------

    def _selected(self, name: str) -> set[str]:
        value = self[name].value() or []
        if not isinstance(value, list | tuple):
            value = [value]
        return {str(getattr(item, "pk", item)) for item in value}

    def group_options(self) -> list[Option]:
        chosen = self._selected("recipient_groups")
        return [
            Option(
                group_key(group),
                group_label(group),
                group_key(group) in chosen,
                hint=ngettext("%(count)d unit", "%(count)d units", size) % {"count": size},
            )
            for group, size in self._groups
        ]

    def unit_groups(self) -> list[OptionGroup]:
        """The units open to the issuer, grouped under their parent unit."""
        chosen = self._selected("recipient_units")
        groups: dict[int, OptionGroup] = {}
        for unit in self._units:
            parent_name = unit.parent.name if unit.parent else ""
            group = groups.setdefault(unit.parent_id or 0, OptionGroup(parent_name))
            group.options.append(Option(str(unit.pk), unit.name, str(unit.pk) in chosen))
        return list(groups.values())

    def body_groups(self) -> list[OptionGroup]:
        """The bodies open to the issuer, grouped by the unit just below the issuer's (a
        district with its communes, say)."""
        chosen = self._selected("recipient_bodies")
        names = {unit.path: unit.name for unit in [self.issuer.unit, *self._units]}
        depth = len(self.issuer.unit.path.rstrip(".").split("."))
        groups: dict[str, OptionGroup] = {}
        for body in selectors.recipient_bodies(self.issuer):
            steps = body.unit.path.rstrip(".").split(".")
            key = ".".join(steps[: depth + 1]) + "."
            group = groups.setdefault(key, OptionGroup(names.get(key, body.unit.name)))
            hint = body.unit.name if body.unit_id != self.issuer.unit_id else ""
            group.options.append(Option(str(body.pk), body.name, str(body.pk) in chosen, hint))
        found = list(groups.values())  # ordered by path: the issuer's own unit comes first
        if len(found) > 1 and sum(len(group.options) for group in found) <= FLAT_LIST_SIZE:
            # A handful of bodies reads better as one list than as many groups of one.
            merged = OptionGroup(self.issuer.unit.name)
            for group in found:
                for option in group.options:
                    merged.options.append(option)
            return [merged]
        return found

    def cited_groups(self) -> list[OptionGroup]:
        """Articles and their clauses; an article may be cited as a whole."""
        chosen = self._selected("cited")
        groups: dict[int, OptionGroup] = {}
        for node in citable_nodes():
            if node.kind == NodeKind.ARTICLE:
                title = f"{node.heading}. {node.title}" if node.title else node.heading
                group = groups.setdefault(node.pk, OptionGroup(title))
                group.options.insert(
                    0, Option(str(node.pk), str(_("The whole article")), str(node.pk) in chosen)
                )
            else:
                group = groups.setdefault(node.parent_id or 0, OptionGroup(""))
                group.options.append(
                    Option(
                        str(node.pk),
                        node.heading,
                        str(node.pk) in chosen,
                        hint=Truncator(node.text).chars(160),
                    )
                )
        return [group for group in groups.values() if group.options]

    # --- What the services take --------------------------------------------------------

    def clean_instructions(self) -> list[str]:
        return split_instructions(self.cleaned_data.get("instructions") or "")

    def clean_recipient_groups(self) -> list[services.RecipientGroup]:
        return [self._group_by_key[key] for key in self.cleaned_data["recipient_groups"]]

    def recipients(self) -> services.Recipients:
        data = self.cleaned_data
        return services.Recipients(
            units=list(data["recipient_units"]),
            bodies=list(data["recipient_bodies"]),
            groups=data["recipient_groups"],
        )

    def has_recipients(self) -> bool:
        data = self.cleaned_data
        return bool(data["recipient_units"] or data["recipient_bodies"] or data["recipient_groups"])

    def draft_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.DRAFT_FIELDS}

    @staticmethod
    def initial_from(directive: Directive) -> dict[str, Any]:
        """The form's values for an existing draft (recipients as the units and bodies)."""
        initial: dict[str, Any] = {name: getattr(directive, name) for name in services.DRAFT_FIELDS}
        receipts = list(directive.receipts.values_list("unit_id", "body_id"))
        initial.update(
            instructions=join_instructions(
                list(directive.instructions.order_by("position").values_list("text", flat=True))
            ),
            implements=directive.implements_id,
            cited=list(directive.cited_nodes.values_list("pk", flat=True)),
            recipient_units=[unit for unit, body in receipts if body is None],
            recipient_bodies=[body for _unit, body in receipts if body is not None],
        )
        return initial


def group_label(group: services.RecipientGroup) -> str:
    return str(_("All %(level)s units of %(unit)s")) % {
        "level": group.level.label.lower(),
        "unit": group.parent.name,
    }


def citable_nodes() -> QuerySet[LegalNode]:
    """Articles and clauses in force of the legal texts, in the order of the text."""
    return (
        LegalNode.objects.filter(
            kind__in=[NodeKind.ARTICLE, NodeKind.CLAUSE],
            retired_in_version="",
            library__content=LibraryContent.TEXT,
        )
        .select_related("library")
        .order_by("library__library_id", "order")
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "PDF, Word (.docx) or images; up to %(count)d files. You can choose several at once."
        ) % {"count": MAX_FILES}


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
