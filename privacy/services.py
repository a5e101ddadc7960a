"""Personal data under Vietnam's Law on Personal Data Protection (in force 01/01/2026).

The portal holds personal data in two places: the **contact persons** of bodies and pages
(name, position, phone, email: named in official letters, Decision 874) and the **citizens
who report fake pages** (name, email, phone, all optional). Accounts of officers (``User``)
are managed by administrators and are not in scope here.

- ``erase_expired`` is the retention job: archived contacts' phones and emails after
  ``PERSONAL_DATA_CONTACT_RETENTION_DAYS`` (730) from their archiving, reporters' name, email
  and phone after ``PERSONAL_DATA_REPORTER_RETENTION_DAYS`` (365) from the incident's
  closing — in the live rows **and** in their django-simple-history copies. One transaction,
  a fixed number of set-based UPDATEs whatever the volume, idempotent (a second run finds
  nothing), one audit event per run that erased something.
- ``find`` answers a person's request to see their data: every record, live or historical,
  holding their phone or email, as a JSON-ready document; audited (``personal_data_access``).
- ``erase`` answers a request to erase it: reporters' details everywhere, archived contacts'
  phone and email; the **current** contact of a body is kept (the body must name one by law:
  it is replaced or archived first), and so are officers' accounts. Audited.
- ``audit.services.record_export`` writes ``personal_data_export`` for every export that
  carries personal data (the registry's page list: contact name and phone).
- ``incidents.reporters.may_see_reporter`` is the one rule for who sees a citizen
  reporter's details: the officers above the body (the commune's culture office, the
  province) and administrators, never the staff of the body the report is about.

The audit trail never stores the data itself: identifiers are masked in its notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Replace
from django.utils import timezone

from accounts_registry.models import ContactPerson
from audit.models import AuditAction
from audit.services import record
from incidents.models import CLOSED_STATES, Incident

CONTACT_FIELDS = ("phone", "email")
REPORTER_FIELDS = ("reporter_name", "reporter_email", "reporter_phone")
# What a typed phone number may carry besides its digits.
_PHONE_NOISE = (" ", ".", "-", "(", ")", "+")


def contact_retention_days() -> int:
    return int(getattr(settings, "PERSONAL_DATA_CONTACT_RETENTION_DAYS", 730))


def reporter_retention_days() -> int:
    return int(getattr(settings, "PERSONAL_DATA_REPORTER_RETENTION_DAYS", 365))


def historical(model: type[models.Model]) -> Any:
    """The django-simple-history model of ``model`` (its ``id`` is the original's pk)."""
    return model.history.model  # type: ignore[attr-defined]


# --- the retention job -----------------------------------------------------------------


@dataclass(frozen=True)
class Erased:
    contacts: int = 0
    contact_versions: int = 0
    reporters: int = 0
    reporter_versions: int = 0

    @property
    def total(self) -> int:
        return self.contacts + self.contact_versions + self.reporters + self.reporter_versions


def _holding(fields: tuple[str, ...]) -> Q:
    """Rows where at least one of ``fields`` still holds something."""
    condition = Q()
    for name in fields:
        condition |= ~Q(**{name: ""})
    return condition


def _blank(queryset: QuerySet[Any], fields: tuple[str, ...]) -> int:
    return queryset.filter(_holding(fields)).update(**dict.fromkeys(fields, ""))


def expired_contacts(now: datetime) -> QuerySet[ContactPerson]:
    cutoff = now - timedelta(days=contact_retention_days())
    return ContactPerson.objects.filter(archived_at__isnull=False, archived_at__lte=cutoff)


def expired_reporters(now: datetime) -> QuerySet[Incident]:
    cutoff = now - timedelta(days=reporter_retention_days())
    return Incident.objects.filter(
        state__in=CLOSED_STATES, closed_at__isnull=False, closed_at__lte=cutoff
    )


def erase_expired(now: datetime | None = None) -> Erased:
    """Erase what has been kept long enough: four UPDATEs and, if any row changed, one
    audit event, in one transaction."""
    now = now or timezone.now()
    with transaction.atomic():
        contacts = expired_contacts(now)
        reporters = expired_reporters(now)
        erased = Erased(
            contacts=_blank(contacts, CONTACT_FIELDS),
            contact_versions=_blank(
                historical(ContactPerson).objects.filter(id__in=contacts.values("pk")),
                CONTACT_FIELDS,
            ),
            reporters=_blank(reporters, REPORTER_FIELDS),
            reporter_versions=_blank(
                historical(Incident).objects.filter(id__in=reporters.values("pk")),
                REPORTER_FIELDS,
            ),
        )
        if erased.total:
            record(
                action=AuditAction.PERSONAL_DATA_ERASE,
                note=(
                    f"retention: {erased.contacts} archived contact(s) after "
                    f"{contact_retention_days()} days, {erased.reporters} reporter(s) after "
                    f"{reporter_retention_days()} days; {erased.contact_versions} + "
                    f"{erased.reporter_versions} historical version(s)"
                ),
            )
    return erased


# --- a person's request ----------------------------------------------------------------


def phone_variants(phone: str) -> list[str]:
    """The forms one Vietnamese number is stored in, digits only: 0912…, 84912…."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return []
    if digits.startswith("84") and len(digits) >= 11:
        national = "0" + digits[2:]
    elif digits.startswith("0"):
        national = digits
    else:
        return [digits]
    return [national, "84" + national[1:]]


def _digits(field_name: str) -> Any:
    expression: Any = models.F(field_name)
    for noise in _PHONE_NOISE:
        expression = Replace(expression, models.Value(noise), models.Value(""))
    return expression


@dataclass(frozen=True)
class Subject:
    """The person a request is about, by what they gave: an email, a phone, or both."""

    email: str = ""
    phone: str = ""

    def __post_init__(self) -> None:
        if not self.email.strip() and not phone_variants(self.phone):
            raise ValueError("Give the person's email or phone number.")

    def matches(self, queryset: QuerySet[Any], *, email: str, phone: str) -> QuerySet[Any]:
        condition = Q(pk__in=[])
        if self.email.strip():
            condition |= Q(**{f"{email}__iexact": self.email.strip()})
        variants = phone_variants(self.phone)
        if variants:
            key = f"_privacy_{phone}_digits"
            queryset = queryset.alias(**{key: _digits(phone)})
            condition |= Q(**{f"{key}__in": variants})
        return queryset.filter(condition)

    def masked(self) -> str:
        """How the audit trail names the person: enough to tell requests apart, no more."""
        parts = []
        if self.email.strip():
            local, _, domain = self.email.strip().partition("@")
            parts.append(f"{local[:1]}***@{domain}")
        variants = phone_variants(self.phone)
        if variants:
            parts.append(f"{variants[0][:2]}******{variants[0][-2:]}")
        return ", ".join(parts)


def _day(value: datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else None


def _contacts(subject: Subject) -> QuerySet[ContactPerson]:
    return subject.matches(ContactPerson.objects.all(), email="email", phone="phone")


def _contact_versions(subject: Subject) -> QuerySet[Any]:
    return subject.matches(historical(ContactPerson).objects.all(), email="email", phone="phone")


def _reports(subject: Subject) -> QuerySet[Incident]:
    return subject.matches(Incident.objects.all(), email="reporter_email", phone="reporter_phone")


def _report_versions(subject: Subject) -> QuerySet[Any]:
    return subject.matches(
        historical(Incident).objects.all(), email="reporter_email", phone="reporter_phone"
    )


def find(subject: Subject, *, actor: Any = None) -> dict[str, Any]:
    """Every record holding the person's email or phone, as a document to hand them.

    A fixed number of queries (six) whatever is found; audited."""
    contacts = list(_contacts(subject).select_related("body", "page").order_by("pk"))
    contact_versions = list(
        _contact_versions(subject)
        .order_by("id", "history_date")
        .values("id", "history_date", "name", "position", "phone", "email")
    )
    reports = list(_reports(subject).select_related("body").order_by("pk"))
    report_versions = list(
        _report_versions(subject)
        .order_by("id", "history_date")
        .values("id", "history_date", *REPORTER_FIELDS)
    )
    accounts = []
    if subject.email.strip():
        from users.models import User

        accounts = list(
            User.objects.filter(email__iexact=subject.email.strip()).values(
                "username", "full_name", "email", "phone", "is_active"
            )
        )
    document: dict[str, Any] = {
        "subject": {"email": subject.email.strip(), "phone": subject.phone.strip()},
        "generated_at": _day(timezone.now()),
        "contact_persons": [
            {
                "id": c.pk,
                "body": c.body.name,
                "page": str(c.page) if c.page_id else None,
                "name": c.name,
                "position": c.position,
                "phone": c.phone,
                "email": c.email,
                "current": c.archived_at is None,
                "archived_at": _day(c.archived_at),
                "why": "contact person named by the body (Decision 874/QĐ-BTTTT)",
                "erased_after": f"{contact_retention_days()} days after archiving",
            }
            for c in contacts
        ],
        "contact_person_history": [
            {**row, "history_date": _day(row["history_date"])} for row in contact_versions
        ],
        "fake_page_reports": [
            {
                "id": r.pk,
                "body": r.body.name,
                "url": r.url,
                "reported_at": _day(r.created_at),
                "state": r.state,
                "closed_at": _day(r.closed_at),
                "name": r.reporter_name,
                "email": r.reporter_email,
                "phone": r.reporter_phone,
                "why": "to contact the reporter about the report",
                "erased_after": f"{reporter_retention_days()} days after the report is closed",
            }
            for r in reports
        ],
        "fake_page_report_history": [
            {**row, "history_date": _day(row["history_date"])} for row in report_versions
        ],
        "accounts": accounts,
    }
    count = sum(
        len(cast("list[Any]", document[key]))
        for key in (
            "contact_persons",
            "contact_person_history",
            "fake_page_reports",
            "fake_page_report_history",
            "accounts",
        )
    )
    record(
        action=AuditAction.PERSONAL_DATA_ACCESS,
        actor=actor,
        note=f"request to see the data of {subject.masked()}: {count} record(s) found",
    )
    return document


@dataclass
class Erasure:
    contacts: int = 0
    contact_versions: int = 0
    reports: int = 0
    report_versions: int = 0
    # The current contacts of bodies that hold the data: kept, named for the administrator.
    kept_current_contacts: list[str] = field(default_factory=list)
    kept_accounts: list[str] = field(default_factory=list)


def erase(subject: Subject, *, actor: Any = None) -> Erasure:
    """Erase the person's data wherever the law does not require it to be kept; audited."""
    with transaction.atomic():
        matching = _contacts(subject)
        current = list(
            matching.filter(archived_at__isnull=True)
            .select_related("body")
            .values_list("pk", "body__name", "name")
        )
        kept_ids = [pk for pk, _body, _name in current]
        result = Erasure(
            kept_current_contacts=[f"#{pk} {name} ({body})" for pk, body, name in current]
        )
        # Only the fields that match are blanked: an archived contact's email may be erased
        # on request while the phone belongs to the office, not to the person. Each field
        # separately, so that "phone or email" does not blank the other.
        for name, given in (("email", subject.email), ("phone", subject.phone)):
            if not given.strip() or (name == "phone" and not phone_variants(given)):
                continue
            one = Subject(**{name: given})
            result.contacts += (
                _contacts(one).filter(archived_at__isnull=False).exclude(**{name: ""})
            ).update(**{name: ""})
            result.contact_versions += (
                _contact_versions(one).exclude(id__in=kept_ids).exclude(**{name: ""})
            ).update(**{name: ""})
        result.reports = _blank(_reports(subject), REPORTER_FIELDS)
        result.report_versions = _blank(_report_versions(subject), REPORTER_FIELDS)
        if subject.email.strip():
            from users.models import User

            result.kept_accounts = list(
                User.objects.filter(email__iexact=subject.email.strip()).values_list(
                    "username", flat=True
                )
            )
        record(
            action=AuditAction.PERSONAL_DATA_ERASE,
            actor=actor,
            note=(
                f"request to erase the data of {subject.masked()}: {result.contacts} archived "
                f"contact(s), {result.reports} report(s), "
                f"{result.contact_versions + result.report_versions} historical version(s) "
                f"erased; kept: {len(result.kept_current_contacts)} current contact(s), "
                f"{len(result.kept_accounts)} account(s)"
            ),
        )
    return result
