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
from directives.models import (
    AskedFigure,
    Directive,
    DirectiveState,
    GroupKind,
    GroupPlacement,
    ImplementationReport,
    ReportFigure,
)
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
    paper_reference = forms.CharField(
        label=_("Number and symbol"),
        required=False,
        max_length=80,
        help_text=_("For example 5028/CAT-ANMCNC."),
    )
    paper_issued_on = forms.DateField(
        label=_("Date of that letter"),
        required=False,
        widget=_DateInput(),
        help_text=_("dd/mm/yyyy"),
    )
    paper_issuer = forms.CharField(
        label=_("Issued by"),
        required=False,
        max_length=255,
        help_text=_("For example Công an tỉnh Tuyên Quang, Bộ Thông tin và Truyền thông."),
    )
    paper_subject = forms.CharField(label=_("Its subject (V/v …)"), required=False, max_length=500)
    paper_scan = forms.FileField(
        label=_("Scanned copy (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

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
        self._member_choices = member_choices(issuer, self._units, self._groups)
        if self.initial.get("named_groups"):
            self.initial["named_groups"] = [
                {**row, "members": self._as_member_keys(row["members"])}
                for row in self.initial["named_groups"]
            ]
        data = _with_empty_formsets(self.data, ("named", "asked")) if self.is_bound else None
        self.named_formset = NamedGroupFormSet(
            data,
            prefix="named",
            initial=self.initial.get("named_groups") or None,
            form_kwargs={"members": self._member_choices},
        )
        self.asked_formset = AskedFigureFormSet(
            data, prefix="asked", initial=self.initial.get("asked_figures") or None
        )

    def _as_member_keys(self, members: list[str]) -> list[str]:
        """A saved group's members as the form offers them: the units that make up a whole
        "all … units of …" group become that group again (the widest first)."""
        unit_ids = {int(key[2:]) for key in members if key.startswith("u:")}
        keys = [key for key in members if key.startswith("b:")]
        for group, _size in self._groups:
            inside = {
                unit.pk
                for unit in self._units
                if unit.path.startswith(group.parent.path) and unit.level_id == group.level.pk
            }
            if inside and inside <= unit_ids:
                keys.append(f"g:{group_key(group)}")
                unit_ids -= inside
        return keys + [f"u:{pk}" for pk in sorted(unit_ids)]

    def is_valid(self) -> bool:
        valid = super().is_valid()
        return self.named_formset.is_valid() and self.asked_formset.is_valid() and valid

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = ("paper_reference", "paper_issued_on", "paper_issuer", "paper_subject")
        given = [name for name in parts if data.get(name)]
        if given or data.get("paper_scan"):
            for name in parts:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Give this part of the letter on paper, or none."))
            if data.get("implements"):
                self.add_error(
                    "implements",
                    _("A letter implements either a letter in the portal or one on paper."),
                )
        if data.get("paper_scan"):
            check_attachments([data["paper_scan"]])
        return data

    def paper(self) -> services.PaperSpec | None:
        data = self.cleaned_data
        if not data.get("paper_reference"):
            return None
        return services.PaperSpec(
            reference=data["paper_reference"],
            issued_on=data["paper_issued_on"],
            issuer_name=data["paper_issuer"],
            subject=data["paper_subject"],
            scan=data.get("paper_scan"),
        )

    def named_specs(self) -> list[services.NamedGroupSpec]:
        """The named groups typed in the form, with their members in the portal."""
        specs = []
        for form in self.named_formset.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or not data.get("name"):
                continue
            units, bodies, levels = [], [], []
            for key in data.get("members") or []:
                member = self._member_choices.objects[key]
                if isinstance(member, services.RecipientGroup):
                    levels.append(member)
                elif isinstance(member, Body):
                    bodies.append(member)
                else:
                    units.append(member)
            specs.append(
                services.NamedGroupSpec(
                    name=data["name"],
                    kind=data["kind"],
                    placement=data["placement"],
                    units=units,
                    bodies=bodies,
                    level_groups=levels,
                    tasks=data["tasks"],
                )
            )
        return specs

    def figure_specs(self) -> list[services.FigureSpec]:
        specs = []
        for form in self.asked_formset.forms:
            data = getattr(form, "cleaned_data", {})
            if not data or not data.get("label"):
                continue
            specs.append(
                services.FigureSpec(
                    key=data["key"],
                    label=data["label"],
                    unit=data.get("unit") or "",
                    task=data.get("task"),
                )
            )
        return specs

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
            named=self.named_specs(),
        )

    def has_recipients(self) -> bool:
        data = self.cleaned_data
        return bool(
            data["recipient_units"]
            or data["recipient_bodies"]
            or data["recipient_groups"]
            or self.named_specs()
        )

    def draft_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.DRAFT_FIELDS}

    @staticmethod
    def initial_from(directive: Directive) -> dict[str, Any]:
        """The form's values for an existing draft (recipients as the units and bodies)."""
        initial: dict[str, Any] = {name: getattr(directive, name) for name in services.DRAFT_FIELDS}
        receipts = list(directive.receipts.values_list("unit_id", "body_id"))
        groups = selectors.named_groups(directive)
        # Recipients chosen one by one: those not delivered as a named group's members.
        in_groups_units = {pk for group in groups for pk in group.unit_ids}
        in_groups_bodies = {pk for group in groups for pk in group.body_ids}
        receipts = [
            (unit, body)
            for unit, body in receipts
            if (body is None and unit not in in_groups_units)
            or (body is not None and body not in in_groups_bodies)
        ]
        paper = directive.implements_paper
        if paper is not None:
            initial.update(
                paper_reference=paper.reference,
                paper_issued_on=paper.issued_on,
                paper_issuer=paper.issuer_name,
                paper_subject=paper.subject,
            )
        initial["named_groups"] = [
            {
                "name": group.name,
                "kind": group.kind,
                "placement": group.placement,
                "tasks": ", ".join(str(n) for n in group.task_numbers),
                "members": [f"b:{pk}" for pk in sorted(group.body_ids)]
                + [f"u:{pk}" for pk in sorted(group.unit_ids)],
            }
            for group in groups
        ]
        initial["asked_figures"] = [
            {"key": f.key, "label": f.label, "unit": f.unit, "task": f.task_number}
            for f in directive.asked_figures.order_by("position")
        ]
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


def _with_empty_formsets(data: Any, prefixes: Sequence[str]) -> Any:
    """The posted data, with an empty formset for each prefix the post does not carry (a
    form posted by a script that knows nothing of named groups or figures asked)."""
    missing = [prefix for prefix in prefixes if f"{prefix}-TOTAL_FORMS" not in data]
    if not missing:
        return data
    data = data.copy()
    for prefix in missing:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


@dataclass
class MemberChoices:
    """What a named group's members may be chosen from: the "all units of a level" groups,
    the bodies of the issuer's own unit and the units just below it (a bounded list)."""

    choices: list[tuple[str, str]]
    objects: dict[str, Any]


def member_choices(
    issuer: Body,
    units: Sequence[AdministrativeUnit],
    groups: Sequence[tuple[services.RecipientGroup, int]],
) -> MemberChoices:
    objects: dict[str, Any] = {}
    choices: list[tuple[str, str]] = []
    for group, size in groups:
        key = f"g:{group_key(group)}"
        objects[key] = group
        choices.append((key, f"{group_label(group)} ({size})"))
    for body in selectors.recipient_bodies(issuer).filter(unit=issuer.unit):
        key = f"b:{body.pk}"
        objects[key] = body
        choices.append((key, body.name))
    for unit in units:
        if unit.parent_id == issuer.unit_id:
            key = f"u:{unit.pk}"
            objects[key] = unit
            choices.append((key, str(_("People's Committee of %(unit)s")) % {"unit": unit.name}))
    return MemberChoices(choices, objects)


_TASKS = re.compile(r"^\s*\d{1,3}(\s*[,;]\s*\d{1,3})*\s*$")


class NamedGroupForm(forms.Form):
    """One named recipient group: its name, kind, where it is written, its members in the
    portal (none: outside the portal) and the numbers of the instructions addressed to it."""

    name = forms.CharField(
        label=_("Name, as written on the letter"), max_length=255, required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices, initial=GroupKind.OTHER)
    placement = forms.ChoiceField(
        label=_("Written in"), choices=GroupPlacement.choices, initial=GroupPlacement.ADDRESSEE
    )
    members = forms.MultipleChoiceField(
        label=_("Its members in the portal"),
        required=False,
        help_text=_("None: the group is outside the portal and only written on the letter."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    tasks = forms.CharField(
        label=_("Its instructions"),
        required=False,
        max_length=100,
        help_text=_("Numbers of the instructions addressed to it, for example 2, 3."),
    )

    def __init__(self, *args: Any, members: MemberChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["members"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = members.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and (data.get("members") or data.get("tasks")):
            self.add_error("name", _("Give the group its name, as the letter writes it."))
        return data

    def clean_tasks(self) -> list[int]:
        text = (self.cleaned_data.get("tasks") or "").strip()
        if not text:
            return []
        if not _TASKS.match(text):
            raise forms.ValidationError(
                _("Write the numbers of its instructions, for example 2, 3.")
            )
        return sorted({int(n) for n in re.split(r"[,;]", text)})


class AskedFigureForm(forms.Form):
    """One figure the letter asks its recipients to report."""

    label = forms.CharField(label=_("What is counted"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit of count"), max_length=30, required=False)
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        required=False,
        help_text=_("The same key in the letters below totals the figure up the chain."),
    )
    task = forms.IntegerField(label=_("With instruction"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("label") and not data.get("key") and "key" not in self.errors:
            self.add_error("key", _("Give the figure a key, for example fake-pages."))
        if data.get("key") and not data.get("label"):
            self.add_error("label", _("Say what is counted."))
        return data


NamedGroupFormSet = forms.formset_factory(NamedGroupForm, extra=2, max_num=20, validate_max=True)
AskedFigureFormSet = forms.formset_factory(AskedFigureForm, extra=2, max_num=20, validate_max=True)


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
