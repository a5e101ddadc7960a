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
    Attachment,
    Directive,
    DirectiveState,
    ImplementationReport,
    Instruction,
    Receipt,
    Reminder,
    ReminderStep,
    ReportFigure,
)
from legal.models import LegalNode
from notifications import reminders as reminder_steps
from notifications.services import Notice, notify, send_notices
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
class Recipients:
    """What the sender chose: units, bodies, and groups expanded when saved."""

    units: Sequence[AdministrativeUnit] = ()
    bodies: Sequence[Body] = ()
    groups: Sequence[RecipientGroup] = ()


def _save(directive: Directive, by: User | None) -> None:
    directive._history_user = by  # type: ignore[attr-defined]
    directive.full_clean()
    directive.save()


def _check_implements(directive: Directive, implements: Directive | None) -> None:
    if implements is None:
        return
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


def _write_recipients(directive: Directive, recipients: Recipients) -> None:
    """Replace a draft's planned recipients, refusing anything outside the jurisdiction and
    anything not in force on the letter's date."""
    issuer = directive.issuer
    day = _letter_day(directive)
    allowed_units = selectors.recipient_units(issuer, day)
    allowed_bodies = selectors.recipient_bodies(issuer, day)
    unit_ids = {unit.pk for unit in recipients.units}
    for group in recipients.groups:
        # A group ("all communes of …") means the members in force on the letter's date.
        members = allowed_units.filter(path__startswith=group.parent.path, level=group.level)
        unit_ids |= set(members.values_list("pk", flat=True))
    body_ids = {body.pk for body in recipients.bodies}
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
) -> Directive:
    """Save a new draft; its recipients may be chosen now or later, before issuing."""
    directive = Directive(issuer=issuer, created_by=by, implements=implements)
    for name in DRAFT_FIELDS:
        if name in fields:
            setattr(directive, name, fields[name])
    if not directive.place:
        directive.place = default_place(issuer)
    _check_implements(directive, implements)
    _check_issuer_alive(directive)
    _save(directive, by)
    _write_instructions(directive, instructions)
    if recipients is not None and (recipients.units or recipients.bodies or recipients.groups):
        _write_recipients(directive, recipients)
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
) -> Directive:
    """Change a draft. An issued directive is a sent letter: it never changes."""
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
    if not isinstance(implements, EllipsisType):
        _check_implements(directive, implements)
        directive.implements = implements
    _check_issuer_alive(directive)
    _save(directive, by)
    if instructions is not None:
        _write_instructions(directive, instructions)
    if recipients is not None:
        _write_recipients(directive, recipients)
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
    entries = []
    for receipt in receipts:
        if receipt.body_id and receipt.body:
            kind = receipt.body.kind if receipt.body.kind in _COLLECTIVE_NAMES else ""
            entries.append(_Addressee(receipt.body.name, kind, receipt.unit_id))
        else:
            text = f"Ủy ban nhân dân {in_sentence(receipt.unit.name)}"
            entries.append(_Addressee(text, BodyKind.PEOPLES_COMMITTEE, receipt.unit_id))
    if len(entries) > LONG_ADDRESSEE_LIST:
        _fold_groups(directive, entries)
    lines: list[str] = []
    for entry in entries:
        line = entry.group or entry.text
        if line not in lines:
            lines.append(line)
    return "\n".join(lines)


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
    if not directive.addressees.strip():
        directive.addressees = default_addressees(directive)
    if not directive.distribution.strip():
        directive.distribution = default_distribution(directive)
    directive.state = DirectiveState.ISSUED
    directive.issued_at = now
    directive.issued_by = by
    _save(directive, by)
    directive.receipts.update(delivered_at=now)
    if directive.implements_id:
        _answer_parent(directive, now)
    _notify_delivery(directive)
    return directive


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
) -> ImplementationReport:
    """Report back on implementation; acknowledges the letter if that was not done yet."""
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
    report = ImplementationReport(receipt=receipt, text=text.strip(), submitted_by=by)
    report.full_clean()
    report.save()
    ReportFigure.objects.bulk_create(
        ReportFigure(report=report, position=i, label=label.strip(), value=value)
        for i, (label, value) in enumerate(figures, start=1)
    )
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
