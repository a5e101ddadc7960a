"""Reads of the register of official pages, always through the scoping module."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts_registry.models import (
    ContactPerson,
    PageState,
    Platform,
    PostingRules,
    SocialPage,
)
from portal.search import search_words
from units.models import AdministrativeUnit, Body
from users import scope
from users.scope import Action

# The compliance gaps a page can show, in display order, with their badge labels.
GAPS: dict[str, Any] = {
    "no_contact": _("No contact person"),
    "no_rules": _("No posting rules"),
    "not_verified": _("Not verified by the platform"),
    "needs_review": _("Needs re-confirmation"),
}


def pages_for(user: Any, action: Action = Action.VIEW) -> QuerySet[SocialPage]:
    """The pages ``user`` may see (VIEW), change (EDIT) or review (REVIEW)."""
    return scope.restrict(
        user,
        SocialPage.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def _reconfirm_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)


def _has_contact() -> Exists:
    # The page's own contact, or else the body's default one; archived contacts do not count.
    return Exists(
        ContactPerson.objects.filter(
            Q(page=OuterRef("pk")) | Q(page__isnull=True),
            body=OuterRef("body"),
            archived_at__isnull=True,
        )
    )


def _has_rules() -> Exists:
    return Exists(PostingRules.objects.filter(body=OuterRef("body"), superseded_at__isnull=True))


def with_gaps(pages: QuerySet[SocialPage], *, now: datetime | None = None) -> QuerySet[SocialPage]:
    """Annotate each page with ``has_contact``, ``has_rules`` and ``needs_review`` in SQL."""
    return pages.annotate(
        has_contact=_has_contact(),
        has_rules=_has_rules(),
        needs_review=ExpressionWrapper(
            Q(state=PageState.APPROVED, confirmed_at__lt=_reconfirm_cutoff(now)),
            output_field=BooleanField(),
        ),
    )


def gaps_of(page: SocialPage) -> list[tuple[str, Any]]:
    """The gaps of a page annotated by ``with_gaps``, as (code, label) pairs."""
    gaps = []
    if not getattr(page, "has_contact", True):
        gaps.append(("no_contact", GAPS["no_contact"]))
    if not getattr(page, "has_rules", True):
        gaps.append(("no_rules", GAPS["no_rules"]))
    if not page.is_platform_verified:
        gaps.append(("not_verified", GAPS["not_verified"]))
    if getattr(page, "needs_review", False):
        gaps.append(("needs_review", GAPS["needs_review"]))
    return gaps


def filter_pages(
    pages: QuerySet[SocialPage],
    *,
    unit: AdministrativeUnit | None = None,
    body: Body | int | None = None,
    platform: str | None = None,
    state: str | None = None,
    gap: str | None = None,
    q: str = "",
    now: datetime | None = None,
) -> QuerySet[SocialPage]:
    """Filter (an already scoped) page queryset, set-based, and annotate its gaps.

    ``unit`` takes the unit's whole subtree; without ``state`` archived pages are left out.
    """
    pages = with_gaps(pages, now=now)
    if unit is not None:
        pages = pages.filter(body__unit__path__startswith=unit.path)
    if body is not None:
        pages = pages.filter(body=body)
    if platform:
        pages = pages.filter(platform__code=platform)
    pages = pages.filter(state=state) if state else pages.exclude(state=PageState.ARCHIVED)
    if gap == "no_contact":
        pages = pages.filter(~_has_contact())
    elif gap == "no_rules":
        pages = pages.filter(~_has_rules())
    elif gap == "not_verified":
        pages = pages.filter(is_platform_verified=False)
    elif gap == "needs_review":
        # The same rule as SocialPage.objects.needing_review(), on a scoped queryset.
        pages = pages.filter(state=PageState.APPROVED, confirmed_at__lt=_reconfirm_cutoff(now))
    word_matches = (
        word_in_staff_document if search_documents_in_use(pages.db) else page_or_body_matches
    )
    for word in search_words(q):
        # Folded on both sides: "cam ngoc", "CẨM NGỌC" and NFD input all match, word by word.
        pages = pages.filter(word_matches(word))
    return pages


def search_documents_in_use(alias: str = "default") -> bool:
    """Whether the pages' search documents are kept by the database (PostgreSQL's triggers,
    migrations 0007 and 0008). Elsewhere (the embedded SQLite default) the columns stay
    empty and the searches test the page, body and unit tables, with the same result.
    """
    return connections[alias].vendor == "postgresql"


def word_in_staff_document(word: str) -> Q:
    """The page's staff search document holds ``word``: its folded name or address, or its
    body's folded name (migration 0008_page_staff_search_document).

    The same pages as ``page_or_body_matches`` (a word holds no space, the document's parts
    are joined by one), with one ``LIKE '%word%'`` per word on one column, which one scan
    of its trigram index answers for every word together.
    """
    return Q(staff_search_document__contains=word)


def page_or_body_matches(word: str) -> Q:
    """Pages whose folded name or address, or whose body's folded name, holds ``word``.

    Both sides are sub-queries, each answered by its own trigram index
    (``units/search.py``), rather than conditions on the page row and on the joined body
    row, which only a scan of every page (joined to its body) can test.
    """
    return Q(pk__in=SocialPage.objects.filter(search_name__contains=word).values("pk")) | Q(
        body_id__in=Body.objects.filter(search_name__contains=word).values("pk")
    )


def page_rows(pages: QuerySet[SocialPage]) -> QuerySet[SocialPage]:
    """What a list of pages shows, in a stable order, without a query per row."""
    return pages.select_related("body", "body__unit", "platform").order_by(
        "body__unit__path", "body__name", "platform__order", "display_name", "pk"
    )


def rows_of(ordered: QuerySet[SocialPage], ids: Iterable[int]) -> list[SocialPage]:
    """The rows of one page of a list, in the order of ``ids``, read by id (one query).

    Lists page through ``page_rows(…).values_list("pk")`` and read the whole rows only for
    the page shown: an offset then skips bare ids instead of rows whose gaps (three
    ``EXISTS``) are worked out and thrown away. Page 2,000 of the country's list as an
    administrator: 1.24 s → 0.47 s (docs/benchmarks.md, "List pages at national scale").
    """
    wanted = list(ids)
    found = {page.pk: page for page in ordered.filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


def reviews_of(page: SocialPage) -> QuerySet[Any]:
    return page.reviews.select_related("by").order_by("at", "pk")


# Fields whose changes say nothing to a reader: derived or bookkeeping values
# (the search documents are not even kept in the history: the database derives them).
_HISTORY_HIDDEN = {
    "search_name",
    "search_document",
    "staff_search_document",
    "updated_at",
    "created_at",
    "canonical_key",
    "created_by",
}


def history_of(page: SocialPage, *, limit: int = 100) -> list[dict[str, Any]]:
    """The page's change history, newest first: who, when, and which fields changed how."""
    records = list(
        page.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    fields: dict[str, Any] = {
        field.name: field
        for field in SocialPage._meta.get_fields()
        if getattr(field, "concrete", False) and field.name not in _HISTORY_HIDDEN
    }
    platforms: dict[int, Any] | None = None
    entries: list[dict[str, Any]] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if len(entries) == limit:
            break
        if older is None:
            changes: list[dict[str, Any]] = []
        else:
            delta = newer.diff_against(older, included_fields=list(fields))
            if platforms is None and "platform" in delta.changed_fields:
                # One query for the whole history, and only when a platform was changed.
                platforms = Platform.objects.in_bulk()
            changes = [
                {
                    "field": fields[change.field].verbose_name,
                    "old": _display(fields[change.field], change.old, platforms),
                    "new": _display(fields[change.field], change.new, platforms),
                }
                for change in delta.changes
            ]
        entries.append(
            {
                "at": newer.history_date,
                "by": newer.history_user,
                "kind": newer.history_type,
                "changes": changes,
            }
        )
    return entries


def _display(field: Any, value: Any, platforms: dict[int, Any] | None) -> Any:
    """A readable value for a history diff (choices by their label, platforms by name)."""
    if value in (None, ""):
        return "—"
    if field.name == "platform" and platforms and value in platforms:
        return platforms[value].label
    if getattr(field, "choices", None):
        return dict(field.choices).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def can_register_for(user: Any, body: Body) -> bool:
    """Whether ``user`` may register pages of ``body`` (one query at most)."""
    return body.archived_at is None and scope.can(user, Action.EDIT, body)


def registry_summary(user: Any) -> dict[str, int]:
    """Counts of the user's live pages and of their gaps, in one aggregate query.

    ``to_review`` counts the submitted pages the user may review (officers); for staff it is
    the pages they have submitted and are waiting on.
    """
    return with_gaps(pages_for(user).exclude(state=PageState.ARCHIVED)).aggregate(
        total=Count("pk"),
        approved=Count("pk", filter=Q(state=PageState.APPROVED)),
        to_review=Count("pk", filter=Q(state=PageState.SUBMITTED)),
        to_fix=Count("pk", filter=Q(state__in=[PageState.DRAFT, PageState.RETURNED])),
        no_contact=Count("pk", filter=Q(has_contact=False)),
        no_rules=Count("pk", filter=Q(has_rules=False)),
        not_verified=Count("pk", filter=Q(is_platform_verified=False)),
        needs_review=Count(
            "pk", filter=Q(state=PageState.APPROVED, confirmed_at__lt=_reconfirm_cutoff())
        ),
    )
