"""Recipient groups of a draft: "all units of a level under a unit", named groups and their
members, the figures asked of the recipients, and the citable clauses."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from directives import selectors, services
from directives.models import (
    GroupKind,
    GroupPlacement,
)
from legal.models import LegalNode, LibraryContent, NodeKind
from units.models import AdministrativeUnit, Body, UnitLevel


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
