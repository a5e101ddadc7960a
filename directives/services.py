"""Writes to directives: drafting, issuing, answering, reminding.

Every write goes through here, from the UI, the API, the admin, the demo and the tasks.
Who may call what is decided by the callers through ``directives.selectors`` (which asks
``users.scope``); the services check what the data must satisfy whoever calls: recipients
in the issuer's jurisdiction, a draft edited only while a draft, a receipt answered only
once issued, a reminder sent at most once per receipt and step.

Dates: nothing that has ceased may act. A letter's date falls within its issuer's life (its
unit in force, the body not archived); it goes only to units and bodies in force on that
date; and a receipt whose recipient has ceased is no longer answered or reminded.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import EllipsisType
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django.utils.translation import gettext_lazy as _

from directives import selectors
from directives.files import check_attachments
from directives.models import (
    AskedFigure,
    Attachment,
    Directive,
    DirectiveState,
    GroupKind,
    GroupPlacement,
    ImplementationReport,
    Instruction,
    NamedGroup,
    PaperLetter,
    Receipt,
    Reminder,
    ReminderStep,
    ReportFigure,
)
from legal.models import LegalNode
from notifications import reminders as reminder_steps
from notifications.services import Notice, notify, send_notices
from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind, UnitLevel, UnitType
from units.naming import bare_name, in_sentence
from users import scope
from users.models import User

# --- Drafting -----------------------------------------------------------------------------

DRAFT_FIELDS = (
    "number",
    "symbol",
    "place",
    "issued_on",
    "subject",
    "addressees",
    "basis",
    "body",
    "closing",
    "distribution",
    "signing_capacity",
    "signer_name",
    "report_deadline",
)


@dataclass(frozen=True)
class RecipientGroup:
    """ "All units of ``level`` under ``parent``": all communes of a district, say."""

    parent: AdministrativeUnit
    level: UnitLevel


@dataclass(frozen=True)
class NamedGroupSpec:
    """A named recipient group: "Công an tỉnh", "Các tổ chức chính trị - xã hội huyện".

    Its members in the portal (units, bodies, "all communes of …") each receive the letter;
    a group without members is outside the portal and only written on the letter.
    ``tasks`` are the numbers of the instructions addressed to it.
    """

    name: str
    kind: str = GroupKind.OTHER
    placement: str = GroupPlacement.ADDRESSEE
    units: Sequence[AdministrativeUnit] = ()
    bodies: Sequence[Body] = ()
    level_groups: Sequence[RecipientGroup] = ()
    tasks: Sequence[int] = ()


@dataclass(frozen=True)
class Recipients:
    """What the sender chose: units, bodies, and groups expanded when saved; and named
    groups (``named``), delivered to their members in the portal."""

    units: Sequence[AdministrativeUnit] = ()
    bodies: Sequence[Body] = ()
    groups: Sequence[RecipientGroup] = ()
    named: Sequence[NamedGroupSpec] = ()


@dataclass(frozen=True)
class FigureSpec:
    """A figure a directive asks for: key (shared along a chain), label, unit of count and
    the number of the instruction it goes with (None: asked of every recipient)."""

    key: str
    label: str
    unit: str = ""
    task: int | None = None


@dataclass(frozen=True)
class PaperSpec:
    """A letter from above that exists only on paper, as the sender cites it."""

    reference: str
    issued_on: date
    issuer_name: str
    subject: str
    scan: UploadedFile | None = None


def _save(directive: Directive, by: User | None) -> None:
    directive._history_user = by  # type: ignore[attr-defined]
    directive.full_clean()
    directive.save()


def _check_implements(directive: Directive, implements: Directive | None) -> None:
    if implements is None:
        return
    if directive.implements_paper_id is not None:
        raise ValidationError(
            {
                "implements": _(
                    "A letter implements either a letter in the portal or one on paper, not both."
                )
            }
        )
    if not Directive.objects.filter(pk=implements.pk, state=DirectiveState.ISSUED).exists():
        raise ValidationError({"implements": _("Only an issued directive can be implemented.")})
    if directive.pk is not None and implements.pk == directive.pk:
        raise ValidationError({"implements": _("A directive cannot implement itself.")})


def _write_instructions(directive: Directive, instructions: Iterable[str]) -> None:
    directive.instructions.all().delete()
    texts = [text.strip() for text in instructions if text and text.strip()]
    Instruction.objects.bulk_create(
        Instruction(directive=directive, position=i, text=text)
        for i, text in enumerate(texts, start=1)
    )


def _letter_day(directive: Directive) -> date:
    """The date a letter bears, or will bear if issued today."""
    return directive.issued_on or timezone.localdate()


def _ddmmyyyy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _check_issuer_alive(directive: Directive) -> None:
    """Refuse a letter dated outside its issuer's life: a closed unit issues nothing."""
    day = _letter_day(directive)
    issuer = directive.issuer
    unit = issuer.unit
    params = {"issuer": issuer.name, "unit": unit.name, "date": _ddmmyyyy(day)}
    if unit.valid_until is not None and unit.valid_until < day:
        message = _(
            "%(unit)s was in force only until %(until)s: %(issuer)s cannot issue a letter "
            "dated %(date)s."
        ) % {**params, "until": _ddmmyyyy(unit.valid_until)}
    elif unit.valid_from is not None and unit.valid_from > day:
        message = _(
            "%(unit)s is in force only from %(from)s: %(issuer)s cannot issue a letter "
            "dated %(date)s."
        ) % {**params, "from": _ddmmyyyy(unit.valid_from)}
    elif issuer.archived_at is not None and timezone.localdate(issuer.archived_at) <= day:
        message = _(
            "%(issuer)s was archived on %(archived)s: it cannot issue a letter dated %(date)s."
        ) % {**params, "archived": _ddmmyyyy(timezone.localdate(issuer.archived_at))}
    else:
        return
    raise ValidationError({"issued_on": message})


def _names(names: Iterable[str]) -> str:
    return "; ".join(names)


def _expand(
    allowed_units: QuerySet[AdministrativeUnit], groups: Iterable[RecipientGroup]
) -> set[int]:
    """The units of "all units of a level under a unit" groups, in force on the letter's date."""
    unit_ids: set[int] = set()
    for group in groups:
        members = allowed_units.filter(path__startswith=group.parent.path, level=group.level)
        unit_ids |= set(members.values_list("pk", flat=True))
    return unit_ids


def _write_recipients(directive: Directive, recipients: Recipients) -> None:
    """Replace a draft's planned recipients, refusing anything outside the jurisdiction and
    anything not in force on the letter's date. Named groups are written with them."""
    issuer = directive.issuer
    day = _letter_day(directive)
    allowed_units = selectors.recipient_units(issuer, day)
    allowed_bodies = selectors.recipient_bodies(issuer, day)
    unit_ids = {unit.pk for unit in recipients.units}
    # A group ("all communes of …") means the members in force on the letter's date.
    unit_ids |= _expand(allowed_units, recipients.groups)
    body_ids = {body.pk for body in recipients.bodies}
    named_members: list[tuple[set[int], set[int]]] = []
    for named in recipients.named:
        units_of = {unit.pk for unit in named.units} | _expand(allowed_units, named.level_groups)
        bodies_of = {body.pk for body in named.bodies}
        named_members.append((units_of, bodies_of))
        unit_ids |= units_of
        body_ids |= bodies_of
    valid_units = dict(allowed_units.filter(pk__in=unit_ids).values_list("pk", "pk"))
    valid_bodies = dict(allowed_bodies.filter(pk__in=body_ids).values_list("pk", "unit_id"))
    outside_units = unit_ids - set(valid_units)
    outside_bodies = body_ids - set(valid_bodies)
    if outside_units or outside_bodies:
        # Those in the area but closed on that date are named: the sender must know which.
        ceased = [
            unit.name
            for unit in AdministrativeUnit.objects.filter(
                pk__in=outside_units, path__startswith=issuer.unit.path
            ).order_by("path")
        ] + [
            body.name
            for body in Body.objects.filter(
                pk__in=outside_bodies, unit__path__startswith=issuer.unit.path
            )
            .exclude(pk=issuer.pk)
            .order_by("unit__path", "name")
        ]
        if len(ceased) == len(outside_units) + len(outside_bodies):
            raise ValidationError(
                {
                    "recipients": _(
                        "These recipients are not in force on %(date)s, the date of the "
                        "letter: %(names)s."
                    )
                    % {"date": _ddmmyyyy(day), "names": _names(ceased)}
                }
            )
        raise ValidationError(
            {"recipients": _("Some recipients are outside the issuing body's area.")}
        )
    if not unit_ids and not body_ids:
        raise ValidationError({"recipients": _("Choose at least one recipient.")})
    directive.receipts.all().delete()
    Receipt.objects.bulk_create(
        [Receipt(directive=directive, unit_id=pk) for pk in sorted(valid_units)]
        + [
            Receipt(directive=directive, unit_id=unit_id, body_id=pk)
            for pk, unit_id in sorted(valid_bodies.items())
        ]
    )
    _write_named_groups(directive, recipients.named, named_members)


def _clean_named(named: NamedGroupSpec) -> NamedGroupSpec:
    name = " ".join(named.name.split())
    if not name:
        raise ValidationError({"groups": _("Give each named group its name.")})
    if named.kind not in GroupKind.values:
        raise ValidationError(
            {"groups": _("Choose the kind of the group %(name)s.") % {"name": name}}
        )
    if named.placement not in GroupPlacement.values:
        raise ValidationError(
            {"groups": _("Say where the group %(name)s is written.") % {"name": name}}
        )
    return NamedGroupSpec(
        name=name,
        kind=named.kind,
        placement=named.placement,
        units=named.units,
        bodies=named.bodies,
        level_groups=named.level_groups,
        tasks=sorted({int(number) for number in named.tasks}),
    )


def _write_named_groups(
    directive: Directive,
    named: Sequence[NamedGroupSpec],
    members: list[tuple[set[int], set[int]]],
) -> None:
    """Replace a draft's named groups (their members were checked with the recipients)."""
    directive.groups.all().delete()
    seen: set[str] = set()
    for position, (spec, (unit_ids, body_ids)) in enumerate(zip(named, members, strict=True), 1):
        spec = _clean_named(spec)
        if fold(spec.name) in seen:
            raise ValidationError(
                {"groups": _("The group %(name)s is named twice.") % {"name": spec.name}}
            )
        seen.add(fold(spec.name))
        group = NamedGroup(
            directive=directive,
            position=position,
            name=spec.name,
            kind=spec.kind,
            placement=spec.placement,
            task_numbers=list(spec.tasks),
        )
        group.full_clean(exclude=["directive"])
        group.save()
        group.units.set(sorted(unit_ids))
        group.bodies.set(sorted(body_ids))
    _check_task_numbers(directive)


def _check_task_numbers(directive: Directive) -> None:
    """Every instruction number a group or a figure names is one of the letter's."""
    count = directive.instructions.count()
    for group in directive.groups.all():
        wrong = [n for n in group.task_numbers if not 1 <= int(n) <= count]
        if wrong:
            raise ValidationError(
                {
                    "groups": _(
                        "The group %(name)s is given instruction %(number)s, but the letter has "
                        "%(count)d instructions."
                    )
                    % {"name": group.name, "number": wrong[0], "count": count}
                }
            )
    for figure in directive.asked_figures.exclude(task_number__isnull=True):
        if not 1 <= (figure.task_number or 0) <= count:
            raise ValidationError(
                {
                    "asked_figures": _(
                        "The figure %(label)s goes with instruction %(number)s, but the letter "
                        "has %(count)d instructions."
                    )
                    % {"label": figure.label, "number": figure.task_number, "count": count}
                }
            )


_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _write_asked_figures(directive: Directive, figures: Sequence[FigureSpec]) -> None:
    """Replace the figures a draft asks its recipients to report."""
    directive.asked_figures.all().delete()
    keys: set[str] = set()
    made = []
    for position, spec in enumerate(figures, start=1):
        key, label = spec.key.strip().lower(), " ".join(spec.label.split())
        if not label:
            raise ValidationError({"asked_figures": _("Say what each figure counts.")})
        if not _KEY.match(key) or len(key) > 50:
            raise ValidationError(
                {
                    "asked_figures": _(
                        "The key “%(key)s” of %(label)s must be lower-case letters, digits and "
                        "dashes (for example fake-pages)."
                    )
                    % {"key": spec.key.strip(), "label": label}
                }
            )
        if key in keys:
            raise ValidationError(
                {"asked_figures": _("The key %(key)s is used twice.") % {"key": key}}
            )
        keys.add(key)
        figure = AskedFigure(
            directive=directive,
            position=position,
            key=key,
            label=label,
            unit=" ".join(spec.unit.split()),
            task_number=spec.task,
        )
        figure.full_clean(exclude=["directive"])
        made.append(figure)
    AskedFigure.objects.bulk_create(made)
    _check_task_numbers(directive)


def _paper_letter(issuer: Body, spec: PaperSpec, by: User | None) -> PaperLetter:
    """The paper letter ``spec`` cites, recorded once per recording body (number, date)."""
    reference = " ".join(spec.reference.split())
    found = PaperLetter.objects.filter(
        recorded_by_body=issuer, reference=reference, issued_on=spec.issued_on
    ).first()
    paper = found or PaperLetter(
        recorded_by_body=issuer, reference=reference, issued_on=spec.issued_on, created_by=by
    )
    paper.issuer_name = " ".join(spec.issuer_name.split())
    paper.subject = " ".join(spec.subject.split())
    if spec.issued_on > timezone.localdate():
        raise ValidationError({"implements_paper": _("The paper letter's date is in the future.")})
    try:
        paper.full_clean(exclude=["recorded_by_body", "scan"], validate_unique=False)
    except ValidationError as exc:
        raise ValidationError({"implements_paper": exc.messages}) from exc
    if spec.scan is not None:
        (info,) = check_attachments([spec.scan])
        paper.scan_kind, paper.scan_filename = info.kind, info.original_filename
        spec.scan.seek(0)
        paper.scan.save(info.original_filename, spec.scan, save=False)
    paper.save()
    return paper


def _write_citations(directive: Directive, cited: Iterable[LegalNode] | None) -> None:
    if cited is not None:
        directive.cited_nodes.set(list(cited))


def _attach(
    files: Sequence[UploadedFile],
    *,
    by: User | None,
    directive: Directive | None = None,
    report: ImplementationReport | None = None,
) -> list[Attachment]:
    checked = check_attachments(list(files))
    made = []
    for upload, info in zip(files, checked, strict=True):
        attachment = Attachment(
            directive=directive,
            report=report,
            kind=info.kind,
            size=info.size,
            original_filename=info.original_filename,
            uploaded_by=by,
        )
        upload.seek(0)
        # The stored name comes from ``attachment_upload_to``; the user's is kept in a column.
        attachment.file.save(info.original_filename, upload, save=False)
        attachment.save()
        made.append(attachment)
    return made


@transaction.atomic
def directive_create(
    *,
    issuer: Body,
    by: User | None,
    fields: dict[str, Any],
    instructions: Iterable[str] = (),
    recipients: Recipients | None = None,
    cited: Iterable[LegalNode] | None = None,
    implements: Directive | None = None,
    files: Sequence[UploadedFile] = (),
    asked_figures: Sequence[FigureSpec] = (),
    paper: PaperSpec | None = None,
) -> Directive:
    """Save a new draft; its recipients may be chosen now or later, before issuing."""
    directive = Directive(issuer=issuer, created_by=by, implements=implements)
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(directive, name, fields[name])
    if not directive.place:
        directive.place = default_place(issuer)
    if paper is not None:
        directive.implements_paper = _paper_letter(issuer, paper, by)
    _check_implements(directive, implements)
    _check_issuer_alive(directive)
    _save(directive, by)
    _write_instructions(directive, instructions)
    if recipients is not None and (
        recipients.units or recipients.bodies or recipients.groups or recipients.named
    ):
        _write_recipients(directive, recipients)
    _write_asked_figures(directive, asked_figures)
    _write_citations(directive, cited)
    if files:
        _attach(files, by=by, directive=directive)
    return directive


@transaction.atomic
def directive_update(
    directive: Directive,
    *,
    by: User | None,
    fields: dict[str, Any],
    instructions: Iterable[str] | None = None,
    recipients: Recipients | None = None,
    cited: Iterable[LegalNode] | None = None,
    implements: Directive | EllipsisType | None = ...,
    files: Sequence[UploadedFile] = (),
    asked_figures: Sequence[FigureSpec] | None = None,
    paper: PaperSpec | EllipsisType | None = ...,
) -> Directive:
    """Change a draft. An issued directive is a sent letter: it never changes.

    ``recipients`` replaces the recipients and the named groups together; ``paper`` (a
    letter on paper it implements) and ``implements`` are left as they were when not given.
    """
    directive = (
        Directive.objects.select_for_update(of=("self",))
        .select_related("issuer", "issuer__unit")
        .get(pk=directive.pk)
    )
    if not directive.is_draft:
        raise ValidationError(_("Only a draft can be changed; this directive was issued."))
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(directive, name, fields[name])
    if not isinstance(paper, EllipsisType):
        directive.implements_paper = (
            None if paper is None else _paper_letter(directive.issuer, paper, by)
        )
    if not isinstance(implements, EllipsisType):
        directive.implements = None
        _check_implements(directive, implements)
        directive.implements = implements
    elif directive.implements_id and directive.implements_paper_id:
        raise ValidationError(
            {
                "implements": _(
                    "A letter implements either a letter in the portal or one on paper, not both."
                )
            }
        )
    _check_issuer_alive(directive)
    _save(directive, by)
    if instructions is not None:
        _write_instructions(directive, instructions)
    if recipients is not None:
        _write_recipients(directive, recipients)
    if asked_figures is not None:
        _write_asked_figures(directive, asked_figures)
    _check_task_numbers(directive)
    _write_citations(directive, cited)
    if files:
        _attach(files, by=by, directive=directive)
    return directive


@transaction.atomic
def directive_archive(directive: Directive, *, by: User | None) -> Directive:
    """Put away a draft that will not be issued (nothing is deleted)."""
    directive = Directive.objects.select_for_update().get(pk=directive.pk)
    if not directive.is_draft:
        raise ValidationError(_("Only a draft can be archived; an issued letter stays on record."))
    directive.state = DirectiveState.ARCHIVED
    _save(directive, by)
    return directive


def default_place(issuer: Body) -> str:
    """The place name written before the date: the unit's name without its type."""
    return bare_name(issuer.unit.name)


# A "Kính gửi" list longer than this collapses each complete group of recipients into one
# line ("Ủy ban nhân dân các xã, phường"); shorter lists name every recipient.
LONG_ADDRESSEE_LIST = 5

# The words for the types of unit in a collective line, in the order letters write them
# ("các huyện, thị xã, thành phố", "các xã, phường, thị trấn").
_TYPE_WORDS: tuple[tuple[str, str], ...] = (
    (UnitType.PROVINCE, "tỉnh"),
    (UnitType.CENTRAL_CITY, "thành phố"),
    (UnitType.RURAL_DISTRICT, "huyện"),
    (UnitType.URBAN_DISTRICT, "quận"),
    (UnitType.TOWN, "thị xã"),
    (UnitType.CITY, "thành phố"),
    (UnitType.COMMUNE, "xã"),
    (UnitType.WARD, "phường"),
    (UnitType.TOWNSHIP, "thị trấn"),
    (UnitType.SPECIAL_ZONE, "đặc khu"),
)

# Kinds of body that every unit has one of, named collectively by the kind's own name. A
# letter to a unit as a whole is a letter to its People's Committee.
_COLLECTIVE_NAMES: dict[str, str] = {
    BodyKind.PEOPLES_COMMITTEE: "Ủy ban nhân dân",
    BodyKind.PEOPLES_COUNCIL: "Hội đồng nhân dân",
}


@dataclass
class _Addressee:
    text: str
    kind: str  # the collective kind it may be folded into, or ""
    unit_id: int
    group: str = ""  # the collective line that replaced it, once folded


def _type_words(unit_types: Iterable[str]) -> str:
    present = set(unit_types)
    words: list[str] = []
    for unit_type, word in _TYPE_WORDS:
        if unit_type in present and word not in words:
            words.append(word)
    return ", ".join(words)


def default_addressees(directive: Directive) -> str:
    """``Kính gửi`` lines written from the recipients when the sender left them blank.

    Each recipient on a line of its own; in a long list, the People's Committees (or
    Councils) of every unit of one level in an area, as they stood on the letter's date,
    become one line: "Ủy ban nhân dân các xã, phường" for the issuer's whole area, "… các
    xã, thị trấn thuộc huyện Cẩm Thủy" for a part of it.
    """
    receipts = directive.receipts.select_related("unit", "unit__level", "body").order_by(
        "unit__path", "body__name"
    )
    named = selectors.named_groups(directive)
    entries = []
    for receipt in receipts:
        groups = [group for group in named if group.holds(receipt)]
        if groups and not any(g.placement == GroupPlacement.ADDRESSEE for g in groups):
            continue  # a member of a group written in "Nơi nhận" only
        if receipt.body_id and receipt.body:
            kind = receipt.body.kind if receipt.body.kind in _COLLECTIVE_NAMES else ""
            entry = _Addressee(receipt.body.name, kind, receipt.unit_id)
        else:
            text = f"Ủy ban nhân dân {in_sentence(receipt.unit.name)}"
            entry = _Addressee(text, BodyKind.PEOPLES_COMMITTEE, receipt.unit_id)
        # A member of a named group is written by the group's name.
        entry.group = next((g.name for g in groups if g.placement == GroupPlacement.ADDRESSEE), "")
        entries.append(entry)
    if len(entries) > LONG_ADDRESSEE_LIST:
        _fold_groups(directive, entries)
    lines: list[str] = []
    for entry in entries:
        line = entry.group or entry.text
        if line not in lines:
            lines.append(line)
    # Groups outside the portal are written for the record, after those that received it.
    outside = [g.name for g in named if g.placement == GroupPlacement.ADDRESSEE and g.outside]
    return "\n".join(_with_lines(lines, outside))


def _with_lines(lines: list[str], names: Iterable[str]) -> list[str]:
    """``lines`` and, after them, the names not already written (ignoring case and marks)."""
    written = {fold(line.strip().lstrip("-").strip().rstrip(";.,")) for line in lines}
    added = [name for name in names if fold(name) not in written]
    return [*lines, *added]


def letter_addressees(directive: Directive) -> str:
    """The "Kính gửi" lines a letter shows: as stored once issued; for a draft, as typed
    (or written from the recipients), with its named groups that are not written yet."""
    if not directive.is_draft:
        return directive.addressees
    typed = directive.addressees.strip()
    if not typed:
        return default_addressees(directive)
    names = [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.ADDRESSEE
    ]
    return "\n".join(_with_lines(typed.splitlines(), names))


def letter_distribution(directive: Directive) -> str:
    """The "Nơi nhận" lines a letter shows: as stored once issued; for a draft, as typed
    (or the default), with its named groups written in "Nơi nhận" before the file copy."""
    if not directive.is_draft:
        return directive.distribution
    typed = directive.distribution.strip()
    if not typed:
        return default_distribution(directive)
    names = [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.COPY
    ]
    lines = typed.splitlines()
    filed = [line for line in lines if fold(line.strip().lstrip("-").strip()).startswith("luu")]
    kept = [line for line in lines if line not in filed]
    return "\n".join([*_with_lines(kept, names), *filed])


def _fold_groups(directive: Directive, entries: list[_Addressee]) -> None:
    """Mark the entries that make up a complete group with the group's line (two queries)."""
    area = directive.issuer.unit
    units = list(
        AdministrativeUnit.objects.filter(
            scope.unit_in_force_q(_letter_day(directive)), path__startswith=area.path
        )
        .exclude(pk=area.pk)
        .only("pk", "path", "level_id", "unit_type", "name")
        .order_by("path")
    )
    by_path = {unit.path: unit for unit in units}
    # The groups under each unit of the area: its units of each level in force that day.
    groups: dict[int, dict[int, list[AdministrativeUnit]]] = defaultdict(dict)
    for unit in units:
        steps = unit.path.rstrip(".").split(".")[:-1]
        for depth in range(1, len(steps) + 1):
            above_path = ".".join(steps[:depth]) + "."
            above = area if above_path == area.path else by_path.get(above_path)
            if above is not None:
                groups[above.pk].setdefault(unit.level_id, []).append(unit)
    parents = [area, *units]  # the whole area first: the widest group wins
    for kind, collective in _COLLECTIVE_NAMES.items():
        pending = {entry.unit_id for entry in entries if entry.kind == kind and not entry.group}
        for parent in parents:
            for members in groups.get(parent.pk, {}).values():
                unit_ids = {unit.pk for unit in members}
                if len(unit_ids) < 2 or not unit_ids <= pending:
                    continue
                line = f"{collective} các {_type_words(unit.unit_type for unit in members)}"
                if parent.pk != area.pk:
                    line += f" thuộc {in_sentence(parent.name)}"
                for entry in entries:
                    if entry.kind == kind and entry.unit_id in unit_ids and not entry.group:
                        entry.group = line
                pending -= unit_ids


def default_distribution(directive: Directive) -> str:
    """``Nơi nhận``: the addressees ("Như trên"), the issuer's superior, and the file copy."""
    lines = ["Như trên"]
    lines += [
        g.name for g in selectors.named_groups(directive) if g.placement == GroupPlacement.COPY
    ]
    supervisor = directive.issuer.supervising_body
    if supervisor is not None:
        lines.append(f"{supervisor.short_name or supervisor.name} (b/c)")
    lines.append("Lưu: VT")
    return "\n".join(lines)


@transaction.atomic
def directive_issue(
    directive: Directive, *, by: User | None, today: date | None = None
) -> Directive:
    """Issue a draft: freeze it, deliver it to every recipient, and tell them."""
    directive = (
        Directive.objects.select_for_update(of=("self",))
        .select_related("issuer", "issuer__unit")
        .get(pk=directive.pk)
    )
    if not directive.is_draft:
        raise ValidationError(_("This directive has already been issued or archived."))
    if not directive.receipts.exists():
        raise ValidationError({"recipients": _("Choose at least one recipient before issuing.")})
    now = timezone.now()
    directive.issued_on = directive.issued_on or today or timezone.localdate()
    _check_issuer_alive(directive)
    ceased = selectors.ceased_recipients(directive, directive.issued_on)
    if ceased:
        raise ValidationError(
            {
                "recipients": _(
                    "These recipients are not in force on %(date)s, the date of the letter: "
                    "%(names)s. Remove them from the draft before issuing it."
                )
                % {"date": _ddmmyyyy(directive.issued_on), "names": _names(ceased)}
            }
        )
    if directive.report_deadline and directive.report_deadline < directive.issued_on:
        raise ValidationError(
            {"report_deadline": _("The deadline for reporting back is before the date of issue.")}
        )
    _check_task_numbers(directive)
    # The named groups are written in "Kính gửi" and "Nơi nhận", typed or not.
    directive.addressees = letter_addressees(directive)
    directive.distribution = letter_distribution(directive)
    if not directive.basis.strip() and directive.implements_paper_id:
        directive.basis = paper_basis(directive.implements_paper)
    directive.state = DirectiveState.ISSUED
    directive.issued_at = now
    directive.issued_by = by
    _save(directive, by)
    directive.receipts.update(delivered_at=now)
    if directive.implements_id:
        _answer_parent(directive, now)
    _notify_delivery(directive)
    return directive


def paper_basis(paper: PaperLetter | None) -> str:
    """ "Thực hiện Công văn số … ngày … của … về việc …;" for a letter on paper."""
    if paper is None:
        return ""
    subject = paper.subject[:1].lower() + paper.subject[1:]
    return (
        f"Thực hiện Công văn số {paper.reference} ngày {paper.issued_on:%d/%m/%Y} "
        f"của {paper.issuer_name} về việc {subject};"
    )


def implements_receipt_q(directive: Directive) -> Q:
    """The receipts of the parent directive that ``directive`` answers."""
    return Q(directive_id=directive.implements_id) & (
        Q(body_id=directive.issuer_id) | Q(body__isnull=True, unit_id=directive.issuer.unit_id)
    )


def _answer_parent(directive: Directive, now: Any) -> None:
    """An implementing directive answers the receipt of the directive it implements."""
    parent_receipts = Receipt.objects.filter(implements_receipt_q(directive))
    parent_receipts.filter(acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=directive.issued_by
    )
    parent_receipts.filter(read_at__isnull=True).update(read_at=now, read_by=directive.issued_by)
    parent_receipts.filter(reported_at__isnull=True).update(reported_at=now)


# --- Answering -------------------------------------------------------------------------------


def _check_recipient_alive(receipt: Receipt) -> None:
    """Refuse to answer for a recipient that has ceased: nobody speaks for it any more."""
    if selectors.recipient_ceased(receipt):
        raise ValidationError(
            _(
                "%(recipient)s has ceased (it is no longer in force): its letters can no longer "
                "be acknowledged or answered."
            )
            % {"recipient": receipt.recipient_name}
        )


def receipt_open(receipt: Receipt, *, by: User) -> None:
    """Record the first time someone the letter is addressed to opened it."""
    Receipt.objects.filter(pk=receipt.pk, read_at__isnull=True).update(
        read_at=timezone.now(), read_by=by
    )


@transaction.atomic
def receipt_acknowledge(receipt: Receipt, *, by: User) -> Receipt:
    """Acknowledge receipt (idempotent: the first acknowledgement stands)."""
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related("directive", "unit", "body", "body__unit")
        .get(pk=receipt.pk)
    )
    if receipt.directive.state != DirectiveState.ISSUED:
        raise ValidationError(_("This directive is not issued."))
    _check_recipient_alive(receipt)
    now = timezone.now()
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = now, by
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, by
        receipt.save(update_fields=["read_at", "read_by", "acknowledged_at", "acknowledged_by"])
    return receipt


@transaction.atomic
def report_submit(
    receipt: Receipt,
    *,
    by: User,
    text: str,
    figures: Sequence[tuple[str, Decimal]] = (),
    files: Sequence[UploadedFile] = (),
    asked: dict[str, Decimal] | None = None,
) -> ImplementationReport:
    """Report back on implementation; acknowledges the letter if that was not done yet.

    ``asked`` gives the figures the letter asks of this recipient, by key: every one of
    them, and no other (``selectors.tasks_of``); ``figures`` are the recipient's own.
    """
    receipt = (
        Receipt.objects.select_for_update(of=("self",))
        .select_related(
            "directive",
            "directive__issuer",
            "directive__issuer__unit",
            "unit",
            "body",
            "body__unit",
        )
        .get(pk=receipt.pk)
    )
    if receipt.directive.state != DirectiveState.ISSUED:
        raise ValidationError(_("This directive is not issued."))
    _check_recipient_alive(receipt)
    if not text.strip():
        raise ValidationError({"text": _("Write what was done.")})
    expected = selectors.tasks_of(receipt).asked
    given = dict(asked or {})
    unknown = sorted(set(given) - {figure.key for figure in expected})
    if unknown:
        raise ValidationError(
            {"asked": _("This letter does not ask you for: %(keys)s.") % {"keys": _names(unknown)}}
        )
    missing = [figure.label for figure in expected if given.get(figure.key) is None]
    if missing:
        raise ValidationError(
            {
                "asked": _("Give the figures the letter asks for: %(names)s.")
                % {"names": _names(missing)}
            }
        )
    negative = [figure.label for figure in expected if given[figure.key] < 0]
    if negative:
        raise ValidationError(
            {"asked": _("A figure cannot be negative: %(names)s.") % {"names": _names(negative)}}
        )
    report = ImplementationReport(receipt=receipt, text=text.strip(), submitted_by=by)
    report.full_clean()
    report.save()
    rows = [
        ReportFigure(report=report, label=figure.label, value=given[figure.key], key=figure.key)
        for figure in expected
    ] + [ReportFigure(report=report, label=label.strip(), value=value) for label, value in figures]
    for position, row in enumerate(rows, start=1):
        row.position = position
    ReportFigure.objects.bulk_create(rows)
    if files:
        _attach(files, by=by, report=report)
    now = timezone.now()
    if receipt.read_at is None:
        receipt.read_at, receipt.read_by = now, by
    if receipt.acknowledged_at is None:
        receipt.acknowledged_at, receipt.acknowledged_by = now, by
    if receipt.reported_at is None:
        receipt.reported_at = now
    receipt.save(
        update_fields=["read_at", "read_by", "acknowledged_at", "acknowledged_by", "reported_at"]
    )
    _notify_issuer_of_report(receipt, report)
    return report


# --- Notifications -------------------------------------------------------------------------


def _directive_link(directive: Directive) -> str:
    return reverse("directives:detail", args=[directive.pk])


def _receipt_link(receipt: Receipt) -> str:
    return reverse("directives:receipt", args=[receipt.pk])


def _tell(
    users_by_receipt: dict[int, list[User]],
    receipts: dict[int, Receipt],
    *,
    key: str,
    text: Any,
    subject: Any,
    body: Any,
) -> int:
    """One in-app notice per user and receipt, and its email if the user wants email.

    Each at most once per key (``notifications.services.send_notices``).
    """
    notices = []
    with override("vi"):
        for receipt_id, people in users_by_receipt.items():
            receipt = receipts[receipt_id]
            params = {
                "reference": receipt.directive.reference,
                "subject": receipt.directive.subject,
                "issuer": receipt.directive.issuer.name,
                "recipient": receipt.recipient_name,
                "deadline": receipt.directive.report_deadline.strftime("%d/%m/%Y")
                if receipt.directive.report_deadline
                else "—",
            }
            link = _receipt_link(receipt)
            for person in people:
                notices.append(
                    Notice(
                        user=person,
                        text=str(text) % params,
                        key=f"{key}:{receipt_id}:{person.pk}",
                        link=link,
                        subject=str(subject) % params,
                        email_text=str(body) % params,
                        # The letter's issuer sends it; the email signs in its name.
                        sender=params["issuer"],
                    )
                )
    send_notices(notices)
    return len(notices)


def _notify_delivery(directive: Directive) -> None:
    receipts = {
        r.pk: r for r in directive.receipts.select_related("unit", "body", "directive__issuer")
    }
    _tell(
        selectors.handlers_of(list(receipts.values())),
        receipts,
        key="directive-issued",
        text=_("New directive %(reference)s from %(issuer)s: %(subject)s"),
        subject=_("[Cổng MXH] New directive %(reference)s: %(subject)s"),
        body=_(
            "%(issuer)s has sent directive %(reference)s to %(recipient)s: %(subject)s.\n"
            "Acknowledge it in the portal and report back by %(deadline)s."
        ),
    )


def _notify_issuer_of_report(receipt: Receipt, report: ImplementationReport) -> None:
    directive = receipt.directive
    link = _directive_link(directive)
    with override("vi"):
        text = gettext("%(recipient)s reported on directive %(reference)s") % {
            "recipient": receipt.recipient_name,
            "reference": directive.reference,
        }
    notify(
        selectors.issuer_people(directive),
        text=text,
        key=f"directive-report:{report.pk}",
        link=link,
        subject=f"[Cổng MXH] {text}",
        email_text=f"{text}.",
        sender=receipt.recipient_name,
    )


# --- Reminders ------------------------------------------------------------------------------


def reminder_days() -> tuple[int, ...]:
    """Days around the deadline when an unanswered recipient is reminded (negative: before)."""
    return reminder_steps.reminder_days("PORTAL_DIRECTIVE_REMINDER_DAYS")


def _claim(receipt_ids: Iterable[int], *, step: str, kind: str, by: User | None) -> list[int]:
    """Insert one reminder row per receipt for ``step``; return the receipts this call won.

    The unique (receipt, step) key with ON CONFLICT DO NOTHING decides between concurrent
    runs; each run then reads back its own batch.
    """
    batch = uuid.uuid4()
    now = timezone.now()
    Reminder.objects.bulk_create(
        [
            Reminder(receipt_id=pk, step=step, kind=kind, sent_by=by, sent_at=now, batch=batch)
            for pk in receipt_ids
        ],
        ignore_conflicts=True,
    )
    return list(Reminder.objects.filter(batch=batch).values_list("receipt_id", flat=True))


def _remind(receipt_ids: list[int], step: str) -> int:
    if not receipt_ids:
        return 0
    receipts = {
        r.pk: r
        for r in Receipt.objects.filter(pk__in=receipt_ids).select_related(
            "unit", "body", "directive", "directive__issuer"
        )
    }
    return _tell(
        selectors.handlers_of(list(receipts.values())),
        receipts,
        key=f"directive-reminder-{step}",
        text=_("Reminder: report back on directive %(reference)s by %(deadline)s"),
        subject=_("[Cổng MXH] Reminder: directive %(reference)s awaits your report"),
        body=_(
            "%(issuer)s is waiting for %(recipient)s to report back on directive "
            "%(reference)s (%(subject)s). Deadline: %(deadline)s."
        ),
    )


@dataclass(frozen=True)
class ReminderOutcome:
    reminded: int  # receipts reminded by this call
    skipped: int  # receipts already reminded at this step (or answered)


@transaction.atomic
def remind_now(
    directive: Directive,
    *,
    by: User,
    receipts: Iterable[Receipt] | None = None,
    today: date | None = None,
) -> ReminderOutcome:
    """The sender's reminder to recipients who have not reported (at most once a day each)."""
    if not directive.is_issued:
        raise ValidationError(_("Only an issued directive has recipients to remind."))
    pending = selectors.unanswered(directive, today)
    if receipts is not None:
        pending = pending.filter(pk__in=[r.pk for r in receipts])
    pending_ids = list(pending.values_list("pk", flat=True))
    step = f"manual-{(today or timezone.localdate()).isoformat()}"
    won = _claim(pending_ids, step=step, kind=ReminderStep.MANUAL, by=by)
    _remind(won, step)
    return ReminderOutcome(reminded=len(won), skipped=len(pending_ids) - len(won))


def due_steps(today: date) -> list[tuple[str, QuerySet[Receipt]]]:
    """For each automatic step, the unanswered receipts whose latest step that is today.

    A receipt is at step ``d`` when ``deadline + d <= today`` and the next step's day has
    not come; a missed run therefore sends the latest step only, never a backlog.
    """
    days = reminder_days()
    base = Receipt.objects.filter(
        # A recipient that has ceased is not reminded: nobody is left to answer for it.
        selectors.receipt_open_q(today),
        directive__state=DirectiveState.ISSUED,
        directive__report_deadline__isnull=False,
        delivered_at__isnull=False,
        reported_at__isnull=True,
    )
    steps = []
    for i, day in enumerate(days):
        # deadline <= today - day, and (for all but the last step) deadline > today - next
        queryset = base.filter(directive__report_deadline__lte=today - timedelta(days=day))
        if i + 1 < len(days):
            nxt = days[i + 1]
            queryset = queryset.filter(directive__report_deadline__gt=today - timedelta(days=nxt))
        steps.append((reminder_steps.step_name(day), queryset))
    return steps


def send_due_reminders(today: date | None = None) -> int:
    """The automatic reminders of one day; safe to run twice or in two workers at once."""
    today = today or timezone.localdate()
    reminded = 0
    for step, queryset in due_steps(today):
        with transaction.atomic():
            won = _claim(
                queryset.exclude(reminders__step=step).values_list("pk", flat=True),
                step=step,
                kind=ReminderStep.BEFORE if step.startswith("before") else ReminderStep.AFTER,
                by=None,
            )
            _remind(won, step)
            reminded += len(won)
    return reminded
