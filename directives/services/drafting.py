"""Drafting a letter: its parts, recipients, named groups, tasks, asked figures, the paper letter it carries out, attachments."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from types import EllipsisType
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
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
)
from legal.models import LegalNode
from portal.history import record_by
from portal.text import fold
from units.models import AdministrativeUnit, Body, UnitLevel
from units.naming import bare_name
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
    record_by(directive, by)
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


def default_place(issuer: Body) -> str:
    """The place name written before the date: the unit's name without its type."""
    return bare_name(issuer.unit.name)


# A "Kính gửi" list longer than this collapses each complete group of recipients into one
