"""Public reads of the register: "is this page real?" and the directory of official pages.

Nothing here takes a user: the public sees approved pages (and, for verification, the fact
that a page was archived) and nothing else. Results are plain dataclasses holding only the
public facts, so that no template or serializer can reach a contact person, a note, a review
note or a draft through them.
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from typing import Any
from urllib.parse import urlsplit

from django.db.models import Case, DateTimeField, F, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Substr
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from accounts_registry import canonical, page_facts, verify_cache
from accounts_registry.models import PageState, Platform, SocialPage
from accounts_registry.selectors.pages import page_or_body_matches, search_documents_in_use
from portal.search import search_words
from units.models import PATH_STEP_WIDTH, AdministrativeUnit, Body

# Longer input is not a page address; refusing it early keeps the canonicaliser cheap.
MAX_URL_LENGTH = canonical.MAX_INPUT_LENGTH
# Shown when the input is not a web address at all, whatever the platform.
_EXAMPLE = canonical.EXAMPLES[canonical.RuleSet.FACEBOOK]

# Parents joined into the page query: a commune, its district and its province need no extra
# query; a deeper hierarchy costs one more query for the whole result, never one per row.
_JOINED_PARENTS = 3
_PUBLIC_RELATED = (
    "platform",
    "body",
    "body__unit" + "__parent" * _JOINED_PARENTS,
)

# How many path steps the ancestor search looks at. Levels are data, but no administrative
# hierarchy of Vietnam has come near this depth.
_MAX_UNIT_DEPTH = 8

# Hosts' mobile and "www" prefixes do not change which site a generic platform is.
_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.")
# Brackets and quotes people paste around an address (from e-mails and documents).
_WRAPPERS = "<>\"'`()[]\u201c\u201d\u2018\u2019\u00ab\u00bb"


class VerdictStatus(enum.StrEnum):
    OFFICIAL = "official"
    # An approved page whose body reported it lost control of it (an open incident): still
    # its official page, but what it posts now may be a hijacker's.
    LOST_CONTROL = "lost_control"
    NO_LONGER_OFFICIAL = "no_longer_official"
    NOT_REGISTERED = "not_registered"
    INVALID = "invalid"


@dataclass(frozen=True)
class PublicPage:
    """The public facts of a page in the register: no contact, note or review note."""

    display_name: str
    url: str
    platform_code: str
    platform_name: str
    is_platform_verified: bool
    platform_verified_on: date | None
    body_name: str
    unit_name: str
    unit_chain: str
    province_name: str
    approved_at: datetime | None
    archived_at: datetime | None
    # When the body lost control of the page, while an incident about it is open; else None.
    lost_control_since: datetime | None = None

    @property
    def is_out_of_control(self) -> bool:
        return self.lost_control_since is not None


@dataclass(frozen=True)
class OtherPage:
    """Another official page of the same body, to follow while one is out of its control."""

    display_name: str
    url: str
    platform_code: str
    platform_name: str


@dataclass(frozen=True)
class Verdict:
    """The answer to "is this page real?"."""

    status: VerdictStatus
    url: str | None  # canonical address; None when the input is not a page address
    platform_code: str
    platform_name: str
    page: PublicPage | None
    message: str
    # For LOST_CONTROL: the body's official pages still in its hands.
    other_pages: tuple[OtherPage, ...] = ()

    @property
    def is_official(self) -> bool:
        return self.status is VerdictStatus.OFFICIAL


def verify_url(url: str, *, use_cache: bool = True) -> Verdict:
    """Say whether ``url`` is an official page, no longer one, unknown, or not a page at all.

    An official page with an open loss-of-control incident answers LOST_CONTROL, with the
    body's other official pages. Answered from the verdict cache (one round trip, no query)
    while nothing in the registry changed since it was computed (``verify_cache``);
    otherwise two queries: the platforms, then the page (with its body, unit, the unit's
    parents and the open incident's date); one more for the other pages of a body that lost
    control of one.
    """
    url = url.strip()
    if not url:
        return _invalid(str(canonical.MSG_EMPTY))
    if len(url) > MAX_URL_LENGTH:
        return _invalid(str(canonical.MSG_TOO_LONG))
    if not use_cache:
        # The caller caches the answer in its own shape (the API: its JSON object).
        return _verify(url)
    verdict: Verdict = verify_cache.cached_verdict(url, lambda: _verify(url))
    return verdict


def _verify(url: str) -> Verdict:
    """The verdict on ``url`` (stripped, not empty, not too long), read from the database."""
    platforms = verify_cache.platforms(lambda: list(Platform.objects.all()))
    platform, extra_hosts = _detect_platform(url, platforms)
    if platform is None:
        return _invalid(
            str(format_lazy(canonical.MSG_NOT_URL, example=_EXAMPLE)),
        )
    try:
        found = canonical.canonicalise(url, platform.rules, extra_hosts=extra_hosts)
    except canonical.InvalidPageURL as error:
        return _invalid(str(error.message), platform)
    match = Q(canonical_key=found.key)
    if found.platform_id:
        # A URL carrying the platform's permanent id finds the page registered under its
        # handle, as long as the body registered that id.
        match |= Q(permanent_id=found.platform_id)
    # Drafts, submitted and returned pages are not public: they are not even looked at, so
    # their existence cannot show through the answer.
    page = (
        SocialPage.objects.filter(match, platform=platform)
        .filter(state__in=[PageState.APPROVED, PageState.ARCHIVED])
        .select_related(*_PUBLIC_RELATED)
        .annotate(lost_control_since=_lost_control_since())
        .order_by(
            Case(When(state=PageState.APPROVED, then=Value(0)), default=Value(1)),
            F("archived_at").desc(nulls_last=True),
            "-pk",
        )
        .first()
    )
    if page is None:
        return Verdict(
            status=VerdictStatus.NOT_REGISTERED,
            url=found.url,
            platform_code=platform.code,
            platform_name=platform.label,
            page=None,
            message=_(
                "This page is not in the register of official pages. Be careful: it may not "
                "belong to a state body, or it may impersonate one."
            ),
        )
    public = public_pages([page])[0]
    other_pages: tuple[OtherPage, ...] = ()
    if page.state == PageState.APPROVED and public.lost_control_since is not None:
        status = VerdictStatus.LOST_CONTROL
        other_pages = _other_official_pages(page)
        message = _(
            "This is an official page of %(body)s, %(unit)s, but the body has reported that "
            "it lost control of it on %(date)s. Until the page is back in the body's hands, "
            "do not trust what it posts and do not send it money, personal papers or "
            "passwords."
        ) % {
            "body": public.body_name,
            "unit": public.unit_chain,
            "date": _short_date(public.lost_control_since),
        }
    elif page.state == PageState.APPROVED:
        status = VerdictStatus.OFFICIAL
        message = _("This is the official page of %(body)s, %(unit)s.") % {
            "body": public.body_name,
            "unit": public.unit_chain,
        }
    else:
        status = VerdictStatus.NO_LONGER_OFFICIAL
        message = _(
            "This page is no longer an official page of %(body)s: it was removed from the "
            "register on %(date)s."
        ) % {"body": public.body_name, "date": _short_date(public.archived_at)}
    return Verdict(
        status=status,
        # The register's address for the page: the same page, in the form its body gave.
        url=page.url,
        platform_code=platform.code,
        platform_name=platform.label,
        page=public,
        message=message,
        other_pages=other_pages,
    )


def _other_official_pages(page: SocialPage) -> tuple[OtherPage, ...]:
    """The body's other approved pages that are in its hands, in the directory's order."""
    others = (
        SocialPage.objects.official()
        .filter(body_id=page.body_id)
        .exclude(pk=page.pk)
        .annotate(lost_control_since=_lost_control_since())
        .filter(lost_control_since__isnull=True)
        .select_related("platform")
        .order_by("platform__order", "display_name", "pk")
    )
    return tuple(
        OtherPage(
            display_name=other.display_name,
            url=other.url,
            platform_code=other.platform.code,
            platform_name=other.platform.label,
        )
        for other in others
    )


def directory_pages(
    *, query: str = "", platform: str = "", province: int | None = None
) -> QuerySet[SocialPage]:
    """Approved pages matching every word of ``query`` in the page, its body or its units.

    A word matches the page's name or address, the body's name, or the name of the body's
    unit or any unit above it: "cam thuy" finds the pages of the communes of Huyện Cẩm Thủy.
    Case and diacritics are ignored (NFD input too).
    """
    pages = (
        SocialPage.objects.official()
        .select_related(*_PUBLIC_RELATED)
        .annotate(lost_control_since=_lost_control_since())
    )
    word_matches = (
        word_in_document if search_document_in_use(pages.db) else word_in_page_body_or_units
    )
    for word in search_words(query):
        pages = pages.filter(word_matches(word))
    if platform:
        pages = pages.filter(platform__code=platform)
    if province is not None:
        # One query: the province's path is read in a subquery; an unknown id matches nothing.
        province_path = AdministrativeUnit.objects.filter(pk=province, parent__isnull=True).values(
            "path"
        )[:1]
        pages = pages.filter(body__unit__path__startswith=Subquery(province_path))
    return pages.order_by("body__unit__path", "body__name", "platform__order", "display_name", "pk")


def search_document_in_use(alias: str = "default") -> bool:
    """Whether the pages' ``search_document`` is kept by the database (PostgreSQL's triggers).

    Elsewhere (the embedded SQLite default) the column stays empty and the directory tests
    the page, body and unit tables word by word, with the same result.
    """
    return search_documents_in_use(alias)


def word_in_document(word: str) -> Q:
    """The page's search document holds ``word``: its name or address, its body's names or
    the name of its body's unit or of a unit above it (migration 0007_page_search_document).

    Every word of a search is one ``LIKE '%word%'`` on the same column, which one scan of
    its trigram index answers together: words common to tens of thousands of bodies and
    units cost no more than rare ones.
    """
    return Q(search_document__contains=word)


def word_in_page_body_or_units(word: str) -> Q:
    """The same condition as ``word_in_document``, tested on the page, body and unit tables.

    Three sub-queries, each answered by a trigram index (units/search.py), rather than
    conditions on the joined body and unit rows that only a scan of every page can test.
    """
    return page_or_body_matches(word) | Q(
        body_id__in=Body.objects.filter(unit_id__in=_units_under_matching(word)).values("pk")
    )


def directory_provinces(*, on: date) -> QuerySet[AdministrativeUnit]:
    """The top-level units in force on ``on``, for the directory's province filter."""
    return AdministrativeUnit.objects.filter(parent__isnull=True).in_force_on(on).order_by("name")


def directory_platforms() -> QuerySet[Platform]:
    return Platform.objects.filter(is_active=True).order_by("order", "name")


def public_pages(pages: Iterable[SocialPage]) -> list[PublicPage]:
    """The public facts of ``pages`` (fetched by this module), with at most one more query."""
    rows = list(pages)
    chains = _unit_chains([page.body.unit for page in rows])
    return [_public_page(page, chains[page.body.unit_id]) for page in rows]


def _public_page(page: SocialPage, chain: Sequence[str]) -> PublicPage:
    return PublicPage(
        display_name=page.display_name,
        url=page.url,
        platform_code=page.platform.code,
        platform_name=page.platform.label,
        is_platform_verified=page.is_platform_verified,
        platform_verified_on=page.platform_verified_on,
        body_name=page.body.name,
        unit_name=chain[0],
        unit_chain=", ".join(chain),
        province_name=chain[-1],
        approved_at=page.approved_at,
        archived_at=page.archived_at if page.state == PageState.ARCHIVED else None,
        # Annotated by this module's queries; an archived page is nobody's official page.
        lost_control_since=(
            getattr(page, "lost_control_since", None) if page.state == PageState.APPROVED else None
        ),
    )


def _unit_chains(units: Sequence[AdministrativeUnit]) -> dict[int, list[str]]:
    """Each unit's name followed by its ancestors' names, nearest first."""
    parent_field = AdministrativeUnit._meta.get_field("parent")
    known: dict[int, AdministrativeUnit] = {}
    for unit in units:
        node = unit
        known[node.pk] = node
        # Walk the parents the page query joined, without touching the database.
        while node.parent_id is not None and parent_field.is_cached(node):
            parent = node.parent
            assert parent is not None
            node = parent
            known[node.pk] = node
    missing = {pk for unit in units for pk in unit.ancestor_ids() if pk not in known}
    if missing:
        known.update(AdministrativeUnit.objects.in_bulk(sorted(missing)))
    return {
        unit.pk: [known[pk].name for pk in [unit.pk, *reversed(unit.ancestor_ids())] if pk in known]
        for unit in units
    }


def _units_under_matching(word: str) -> QuerySet[AdministrativeUnit, Any]:
    """The ids of the units named with ``word``, and of every unit below them.

    The units named with ``word`` are found once (trigram index on their folded name); a
    unit is below one of them when a prefix of its path, one step at a time, is that unit's
    path. Each prefix is tested against the (hashed) set of those paths, in one pass over
    the units: no sub-query per unit or per page.
    """
    step = PATH_STEP_WIDTH + 1
    named = AdministrativeUnit.objects.filter(search_name__contains=word).values("path")
    prefixes = {
        f"prefix_{depth}": Substr("path", 1, step * depth)
        for depth in range(1, _MAX_UNIT_DEPTH + 1)
    }
    under = reduce(operator.or_, (Q(**{f"{name}__in": named}) for name in prefixes))
    return AdministrativeUnit.objects.annotate(**prefixes).filter(under).values("pk")


def _lost_control_since() -> BaseExpression:
    """When the body lost control of the page (an open incident), or NULL: one subquery.

    Known to ``incidents``, which registers it (``page_facts``); the registry does not
    import the app above it.
    """
    return page_facts.annotation(page_facts.LOST_CONTROL_SINCE, null=DateTimeField())


def _detect_platform(
    url: str, platforms: Sequence[Platform]
) -> tuple[Platform | None, tuple[str, ...]]:
    """The platform whose rules read ``url``, and the hosts its generic rules accept."""
    rules = canonical.detect_rules(url)
    if rules is not None and rules != canonical.RuleSet.GENERIC:
        for platform in platforms:
            if platform.rules == rules.value:
                return platform, ()
    host = _host(url)
    if not host:
        return None, ()
    generic = [p for p in platforms if p.rules == canonical.RuleSet.GENERIC.value]
    for platform in generic:
        if any(_host_matches(host, known) for known in platform.hosts or []):
            return platform, tuple(platform.hosts)
    # A platform with generic rules and no hosts ("other") takes any web address.
    for platform in generic:
        if not platform.hosts:
            return platform, (host,)
    return None, ()


def _host(url: str) -> str:
    """The URL's host in lower case, or "" when it is not a web address."""
    url = url.strip().strip(_WRAPPERS).strip()
    candidate = url if "://" in url else f"https://{url.removeprefix('//')}"
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return ""
    if parts.scheme.lower() not in {"http", "https"}:
        return ""
    host = (parts.hostname or "").lower().rstrip(".")
    # A host without a dot ("hello") is a word, not a web site.
    return host if "." in host else ""


def _bare_host(host: str) -> str:
    host = host.lower().strip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def _host_matches(host: str, known: str) -> bool:
    host, known = _bare_host(host), _bare_host(str(known))
    return bool(known) and (host == known or host.endswith(f".{known}"))


def _invalid(message: str, platform: Platform | None = None) -> Verdict:
    return Verdict(
        status=VerdictStatus.INVALID,
        url=None,
        platform_code=platform.code if platform else "",
        platform_name=platform.label if platform else "",
        page=None,
        message=message,
    )


def _short_date(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")
