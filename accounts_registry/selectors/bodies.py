"""Reads of a body's registry records (contacts, posting rules, their history), scoped."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import formats, timezone

from accounts_registry.models import (
    ContactPerson,
    PageState,
    PostingRules,
    SocialPage,
    Spokesperson,
)
from units.models import Body
from users import scope
from users.scope import Action


def contacts_for(user: Any, action: Action = Action.VIEW) -> QuerySet[ContactPerson]:
    """Contact persons (current and archived) of the bodies ``user`` may reach."""
    return scope.restrict(
        user,
        ContactPerson.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def spokespersons_for(user: Any, action: Action = Action.VIEW) -> QuerySet[Spokesperson]:
    """Spokespersons (current and archived) of the bodies ``user`` may reach."""
    return scope.restrict(
        user,
        Spokesperson.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def rules_for(user: Any, action: Action = Action.VIEW) -> QuerySet[PostingRules]:
    """Posting rules (every version) of the bodies ``user`` may reach."""
    return scope.restrict(
        user,
        PostingRules.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def body_pages_for(user: Any, action: Action = Action.VIEW) -> QuerySet[SocialPage]:
    """Pages of the bodies ``user`` may reach (for the page contact overrides)."""
    return scope.restrict(
        user,
        SocialPage.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def live_pages_of(user: Any, body: Body) -> QuerySet[SocialPage]:
    """The body's pages that are not archived, as far as ``user`` may see them."""
    return body_pages_for(user).filter(body=body).exclude(state=PageState.ARCHIVED)


def get_rules_or_404(user: Any, *, body_id: Any, pk: Any) -> PostingRules:
    """One version of a body's rules in ``user``'s scope, or 404."""
    try:
        return rules_for(user).select_related("body").get(pk=pk, body_id=body_id)
    except (PostingRules.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_page_of_body_or_404(user: Any, *, body: Body, page_id: Any) -> SocialPage:
    """A page of ``body`` in ``user``'s scope, or 404 (also when it belongs to another body)."""
    try:
        return body_pages_for(user).select_related("platform").get(pk=page_id, body=body)
    except (SocialPage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def current_default_contact(body: Body) -> ContactPerson | None:
    return (
        ContactPerson.objects.filter(body=body, page__isnull=True, archived_at__isnull=True)
        .order_by("pk")
        .first()
    )


def current_page_contact(page: SocialPage) -> ContactPerson | None:
    return ContactPerson.objects.filter(page=page, archived_at__isnull=True).order_by("pk").first()


def effective_contact(page: SocialPage) -> ContactPerson | None:
    """The page's own contact if it has one, else its body's default (one query)."""
    candidates = ContactPerson.objects.filter(
        Q(page=page) | Q(body_id=page.body_id, page__isnull=True), archived_at__isnull=True
    )
    # The override (page set) sorts before the default (page null).
    return candidates.order_by(F("page_id").asc(nulls_last=True)).first()


def with_effective_contact(pages: QuerySet[SocialPage]) -> QuerySet[SocialPage]:
    """Annotate pages with their effective contact, set-based (no query per page).

    Adds ``effective_contact_id``, ``effective_contact_name``, ``effective_contact_phone``,
    ``effective_contact_notified`` and ``has_contact_override``.
    """
    override = ContactPerson.objects.filter(page=OuterRef("pk"), archived_at__isnull=True)
    default = ContactPerson.objects.filter(
        body=OuterRef("body"), page__isnull=True, archived_at__isnull=True
    )

    def either(column: str) -> Coalesce:
        return Coalesce(Subquery(override.values(column)[:1]), Subquery(default.values(column)[:1]))

    notified = ~Q(notice_number="") & Q(notice_date__isnull=False)
    return pages.annotate(
        effective_contact_id=either("pk"),
        effective_contact_name=either("name"),
        effective_contact_phone=either("phone"),
        has_contact_override=Exists(override),
        effective_contact_notified=_notified_either(override, default, notified),
    )


def _notified_either(
    override: QuerySet[ContactPerson], default: QuerySet[ContactPerson], notified: Q
) -> Any:
    # The override decides when there is one; otherwise the default does.
    return (Exists(override) & Exists(override.filter(notified))) | (
        ~Exists(override) & Exists(default.filter(notified))
    )


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One change to a contact or a rules version, as shown on the body's registry page."""

    at: datetime
    who: Any
    kind: str  # "contact", "spokesperson" or "rules"
    action: str  # "+", "~" or "-" as simple-history records it
    label: str
    page_label: str = ""
    changes: list[Change] = field(default_factory=list)


# Columns that change on every save and say nothing to a reader.
_HIDDEN = {"id", "updated_at", "created_at", "uploaded_at", "file", "sha256", "search_name"}


def body_history(body: Body, *, limit: int = 30, depth: int = 300) -> list[HistoryEntry]:
    """The latest changes to a body's contacts, spokesperson and rules, newest first (three
    queries).

    Each entry lists what changed against the object's previous record; the previous
    record is looked for among the last ``depth`` records of the body.
    """
    contact_rows = list(
        ContactPerson.history.filter(body_id=body.pk)
        .select_related("history_user", "page")
        .order_by("-history_date", "-history_id")[:depth]
    )
    rules_rows = list(
        PostingRules.history.filter(body_id=body.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:depth]
    )
    spokesperson_rows = list(
        Spokesperson.history.filter(body_id=body.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:depth]
    )
    entries = [
        *_entries(contact_rows, "contact", ContactPerson),
        *_entries(spokesperson_rows, "spokesperson", Spokesperson),
        *_entries(rules_rows, "rules", PostingRules),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _entries(rows: list[Any], kind: str, model: Any) -> list[HistoryEntry]:
    fields = [f for f in model._meta.concrete_fields if f.name not in _HIDDEN]
    # Rows are newest first: the previous record of an object is the next one of its id.
    previous: dict[int, Any] = {}
    result: list[HistoryEntry] = []
    for row in reversed(rows):
        before = previous.get(row.id)
        changes = []
        if before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(row, f.attname)
                if old != new:
                    changes.append(Change(str(f.verbose_name), _show(old), _show(new)))
        previous[row.id] = row
        page = getattr(row, "page", None) if kind == "contact" else None
        result.append(
            HistoryEntry(
                at=row.history_date,
                who=row.history_user,
                kind=kind,
                action=row.history_type,
                label=str(row.document_number if kind == "rules" else row.name),
                page_label=page.display_name if page is not None else "",
                changes=changes,
            )
        )
    return result


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if hasattr(value, "strftime"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
