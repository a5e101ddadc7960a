"""The drafting form of a directive, and the filters of the directive list.

The drafting form's choices depend on the issuing body (who may be addressed), so it is
built for one issuer. The recipient units and bodies and the letter it implements are
search-as-you-type pickers (``units/pickers.py``): nothing in the page grows with the
number of units or bodies below the issuer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from directives import selectors, services
from directives.files import MAX_FILES, check_attachments
from directives.forms.common import (
    ACCEPT,
    MultipleFileField,
    Option,
    OptionGroup,
    _DateInput,
    _model_field,
    _SearchInput,
    _text,
    join_instructions,
    split_instructions,
)
from directives.forms.groups import (
    AskedFigureFormSet,
    NamedGroupFormSet,
    _with_empty_formsets,
    citable_nodes,
    group_key,
    group_label,
    member_choices,
    recipient_groups,
)
from directives.models import (
    Directive,
    DirectiveState,
)
from legal.models import LegalNode, NodeKind
from units.models import AdministrativeUnit, Body
from units.pickers import (
    MultiPickerValue,
    PickerKind,
    ScopedMultiPickerField,
    ScopedPickerField,
)

FLAT_LIST_SIZE = 24


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
    implements = ScopedPickerField(
        label=capfirst(Directive._meta.get_field("implements").verbose_name),
        queryset=Directive.objects.none(),
        kind=PickerKind.DIRECTIVE,
        source="directives:autocomplete_directives",
        placeholder=_("(none)"),
        required=False,
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
    recipient_units = ScopedMultiPickerField(
        label=_("Units"),
        queryset=AdministrativeUnit.objects.none(),
        kind=PickerKind.UNIT,
        source="directives:autocomplete_recipient_units",
        placeholder=_("Type part of the unit's name"),
        required=False,
        help_text=_("A unit as a whole: its People's Committee answers the letter."),
    )
    recipient_bodies = ScopedMultiPickerField(
        label=_("Bodies"),
        queryset=Body.objects.none(),
        kind=PickerKind.BODY,
        source="directives:autocomplete_recipient_bodies",
        placeholder=_("Type part of the body's name"),
        required=False,
        help_text=_("One body of a unit: a department, a school, a mass organisation."),
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
        assert isinstance(implements, ScopedPickerField)
        implements.queryset = selectors.implementable(user).order_by("-issued_on", "-pk")
        self._units = list(selectors.recipient_units(issuer))
        self._groups = recipient_groups(issuer, self._units)
        self._group_by_key = {group_key(group): group for group, _size in self._groups}
        units_field = self.fields["recipient_units"]
        bodies_field = self.fields["recipient_bodies"]
        cited_field = self.fields["cited"]
        groups_field = self.fields["recipient_groups"]
        assert isinstance(units_field, ScopedMultiPickerField)
        assert isinstance(bodies_field, ScopedMultiPickerField)
        assert isinstance(cited_field, forms.ModelMultipleChoiceField)
        assert isinstance(groups_field, forms.MultipleChoiceField)
        units_field.queryset = selectors.recipient_units(issuer)
        bodies_field.queryset = selectors.recipient_bodies(issuer)
        # The suggestions are those of this issuer: what the querysets hold, no more.
        for picker in (units_field, bodies_field):
            picker.widget.source_query = f"issuer={issuer.pk}"
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
        if isinstance(value, MultiPickerValue):
            value = value.ids()
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
        """The units open to the issuer, grouped under their parent unit (what the form
        accepts; the page shows a picker, which asks the autocomplete for them)."""
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
