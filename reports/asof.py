"""The registry as it stood at a moment: what a past period's reports are built from.

A period that has ended is built from the registry at its end, not as it is now: bodies in
the unit they belonged to then, only the bodies, pages, contacts, posting rules and
incidents that existed then, each with the values it had then. The registry's models keep
their history (``simple_history``), so the state of an object at a moment ``at`` is read,
set-based, from three queries per model whatever the number of objects:

- the current rows (``updated_at`` no later than ``at``: nothing has changed since, the
  current row *is* the state then, even if a change was written around the history);
- the latest history row per object with ``history_date < at`` (``DISTINCT ON`` on
  PostgreSQL, a correlated subquery elsewhere);
- the earliest history row of the objects that have none that early.

The rule, per object, first that applies:

1. unchanged since ``at`` (``updated_at < at``): the current row;
2. a history row at or before ``at``: the latest one (a deletion means it did not exist);
3. its creation is recorded after ``at`` (its first history row is a ``+``): it did not
   exist then;
4. otherwise its creation was never recorded (rows written with ``bulk_create``: the
   synthetic registry, bulk imports): it is taken to have existed since before its records
   begin, with its earliest recorded state (the earliest history row, else the current row).
   Its own dates still say what happened later: archived after ``at`` is live at ``at``, a
   page approved after ``at`` was not approved then, and so on (``_page_then``).

Rule 4 cannot know the values an object had before a change recorded after ``at`` when its
creation was not recorded: a writer that changes such rows in bulk (a reorganisation moving
pages of bulk-loaded bodies) calls ``portal.history.keep_baseline`` first, so the state before its change
is on record, and a writer that enters today objects that exist since an earlier date dates
their records with ``portal.history.recorded_on``. Bodies moved by a reorganisation need no baseline:
``BodyTransfer`` says where each was, and its ``effective_on`` (not the day the
reorganisation was entered) decides (``_unit_then``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident, IncidentState
from portal.text import fold
from reports.figures import hours_of
from reports.models import UnitReport
from units.models import AdministrativeUnit, Body, BodyKind, BodyTransfer, path_step
from units.naming import bare_name


@dataclass(frozen=True)
class AsOf:
    """The moment a past period is built at: the end of its last day, local time."""

    day: date  # the period's last day: the date the report states
    moment: datetime  # the first instant after it


def end_of(day: date) -> datetime:
    """The first instant after ``day`` in the portal's time zone."""
    zone = timezone.get_current_timezone()
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), zone)


def as_of_for(ends_on: date, *, now: datetime) -> AsOf | None:
    """The moment to build a period ending ``ends_on`` at; None while it has not ended."""
    moment = end_of(ends_on)
    return AsOf(day=ends_on, moment=moment) if moment <= now else None


def registry_date(*, ends_on: date, built_at: datetime | None) -> date | None:
    """The date a built report's registry figures stand at (what the report says).

    A report built after its period ended was built from the registry at the period's end
    (``reports.build``); one built before, from the registry as it was when built.
    """
    if built_at is None:
        return None
    return ends_on if built_at >= end_of(ends_on) else timezone.localdate(built_at)


def as_of_line(report: UnitReport) -> str:
    """ "Số liệu theo sổ đăng ký tại ngày 30/06/2025" (official files are in Vietnamese), or
    "" for a report never built."""
    day = registry_date(ends_on=report.period.ends_on, built_at=report.built_at)
    return f"Số liệu theo sổ đăng ký tại ngày {day:%d/%m/%Y}" if day else ""


# --- the state of objects at a moment ----------------------------------------------------


def _history(model: type[Model]) -> QuerySet[Any]:
    return cast(QuerySet[Any], model.history.all())  # type: ignore[attr-defined]


def _latest(history: QuerySet[Any], ids: QuerySet[Any], at: datetime) -> QuerySet[Any]:
    """The latest history row per object (of ``ids``) recorded before ``at``."""
    rows = history.filter(history_date__lt=at, id__in=ids)
    if connection.features.can_distinct_on_fields:
        return rows.order_by("id", "-history_date", "-history_id").distinct("id")
    latest = (
        history.filter(id=OuterRef("id"), history_date__lt=at)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return rows.filter(history_id=Subquery(latest))


def _earliest(history: QuerySet[Any], ids: QuerySet[Any], at: datetime) -> QuerySet[Any]:
    """The earliest history row of each object (of ``ids``) with none before ``at``."""
    rows = history.filter(id__in=ids).exclude(
        id__in=history.filter(history_date__lt=at, id__in=ids).values("id")
    )
    if connection.features.can_distinct_on_fields:
        return rows.order_by("id", "history_date", "history_id").distinct("id")
    earliest = (
        history.filter(id=OuterRef("id"))
        .order_by("history_date", "history_id")
        .values("history_id")[:1]
    )
    return rows.filter(history_id=Subquery(earliest))


def states_at(
    model: type[Model],
    *,
    at: datetime,
    related: Q,
    fields: Iterable[str],
    stamp: str | None = "updated_at",
) -> dict[int, dict[str, Any]]:
    """The state at ``at`` of every object of ``model`` related by ``related``, by id.

    ``related`` is a filter on field names shared by the model and its history (such as
    ``Q(body_id__in=...)``): an object is considered when its current row or any of its
    history rows matches, so one that matched only in the past is found too. Objects that
    did not exist at ``at`` are left out (rules 1-4 of the module's docstring); each state
    has the ``fields`` and ``"before_records"``, true under rule 4.
    """
    names = ["id", *fields]
    history = _history(model)
    ids = model._default_manager.filter(
        Q(related) | Q(pk__in=history.filter(related).values("id"))
    ).values("pk")
    current_fields = names if stamp is None or stamp in names else [*names, stamp]
    current = {
        row["id"]: row for row in model._default_manager.filter(pk__in=ids).values(*current_fields)
    }
    states: dict[int, dict[str, Any]] = {}
    for pk, row in current.items():
        if stamp is not None and row[stamp] is not None and row[stamp] < at:
            states[pk] = {**row, "before_records": False}  # rule 1
    pending = model._default_manager.filter(pk__in=ids)
    if stamp is not None:
        pending = pending.exclude(**{f"{stamp}__lt": at})
    pending_ids = pending.values("pk")
    recorded: set[int] = set()
    for row in _latest(history, pending_ids, at).values(*names, "history_type"):
        recorded.add(row["id"])
        if row.pop("history_type") != "-":  # rule 2
            states[row["id"]] = {**row, "before_records": False}
    for row in _earliest(history, pending_ids, at).values(*names, "history_type"):
        recorded.add(row["id"])
        if row.pop("history_type") == "~":  # rule 4, from the earliest recorded state
            states[row["id"]] = {**row, "before_records": True}
        # "+": created after ``at`` (rule 3); "-": deleted with no earlier record.
    for pk, row in current.items():
        if pk not in states and pk not in recorded:  # rule 4, never recorded at all
            states[pk] = {**{name: row[name] for name in names}, "before_records": True}
    return states


# --- units ------------------------------------------------------------------------------


def units_at(
    ends_on: date, at: datetime, unit_ids: Iterable[int] | None = None
) -> list[dict[str, Any]]:
    """The units in force on ``ends_on``, with their name and parent as they were at ``at``.

    A unit re-parented later (a district dissolved, its communes moved up) keeps the parent
    it had then, unless that parent is not in force on ``ends_on``; its path is rebuilt from
    those parents, so the units below sort under the unit they were under. Two queries.
    """
    units = {
        row["id"]: row
        for row in AdministrativeUnit.objects.in_force_on(ends_on).values(
            "id", "name", "parent_id", "path"
        )
    }
    in_force = AdministrativeUnit.objects.in_force_on(ends_on).values("pk")
    for row in _latest(_history(AdministrativeUnit), in_force, at).values(
        "id", "name", "parent_id"
    ):
        unit = units[row["id"]]
        unit["name"] = row["name"]
        if row["parent_id"] is None or row["parent_id"] in units:
            unit["parent_id"] = row["parent_id"]
    paths: dict[int, str] = {}

    def path_of(pk: int, seen: tuple[int, ...] = ()) -> str:
        if pk not in paths:
            parent = units[pk]["parent_id"]
            if parent is None or parent not in units or parent in seen:
                paths[pk] = path_step(pk)
            else:
                paths[pk] = path_of(parent, (*seen, pk)) + path_step(pk)
        return paths[pk]

    chosen = set(unit_ids) if unit_ids is not None else None
    rows = [
        {"pk": pk, "name": unit["name"], "path": path_of(pk), "parent_id": unit["parent_id"]}
        for pk, unit in units.items()
        if chosen is None or pk in chosen
    ]
    return sorted(rows, key=lambda row: row["path"])


# --- bodies, pages, contacts, rules, incidents ------------------------------------------


def _unit_then(base: int, transfers: list[dict[str, Any]], day: date) -> int:
    """Where a body was on ``day``, its recorded unit corrected by the reorganisations.

    A reorganisation takes effect on its date, whenever it was entered: before the first
    one effective after ``day`` the body was in that one's ``from_unit``; one effective by
    ``day`` but entered later has not reached the recorded state yet.
    """
    later = [move for move in transfers if move["effective_on"] > day]
    if later:
        return cast(int, later[0]["from_unit_id"])
    unit = base
    for move in transfers:
        if move["from_unit_id"] == unit:
            unit = move["to_unit_id"]
    return unit


def _live(archived_at: datetime | None, at: datetime) -> bool:
    return archived_at is None or archived_at >= at


def _page_then(page: dict[str, Any], at: datetime) -> str:
    """A page's state at ``at``; corrected by its own dates when its records begin later."""
    state = cast(str, page["state"])
    if not page["before_records"]:
        return state

    def by(field: str) -> bool:
        return page[field] is not None and page[field] < at

    if state == PageState.ARCHIVED and by("archived_at"):
        return state
    if state in (PageState.APPROVED, PageState.ARCHIVED) and by("approved_at"):
        return PageState.APPROVED
    if state == PageState.RETURNED and not by("submitted_at"):
        return PageState.DRAFT
    if state in (PageState.APPROVED, PageState.ARCHIVED, PageState.SUBMITTED):
        return PageState.SUBMITTED if by("submitted_at") else PageState.DRAFT
    return state


@dataclass
class RegistryAt:
    """What the registry held for some units at a moment, ready for the build's rows."""

    bodies_by_unit: dict[int, list[dict[str, Any]]]
    pages_by_body: dict[int, list[dict[str, Any]]]
    incidents_by_body: dict[int, dict[str, Any]]


def _candidate_bodies(unit_ids: list[int]) -> QuerySet[Body]:
    """Bodies that are, were or may have been in the units: a superset, as a subquery."""
    return Body.objects.filter(
        Q(unit_id__in=unit_ids)
        | Q(pk__in=_history(Body).filter(unit_id__in=unit_ids).values("id"))
        | Q(
            pk__in=BodyTransfer.objects.filter(
                Q(from_unit_id__in=unit_ids) | Q(to_unit_id__in=unit_ids)
            ).values("body_id")
        )
    )


def bodies_at(unit_ids: list[int], asof: AsOf) -> dict[int, dict[str, Any]]:
    """The bodies of the units at ``asof``, by id, each with the ``unit_id`` it had then."""
    candidates = _candidate_bodies(unit_ids).values("pk")
    states = states_at(
        Body,
        at=asof.moment,
        related=Q(pk__in=candidates),
        fields=("name", "kind", "unit_id", "archived_at"),
    )
    transfers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for move in (
        BodyTransfer.objects.filter(body_id__in=candidates)
        .order_by("reorganisation__effective_on", "reorganisation_id", "pk")
        .values("body_id", "from_unit_id", "to_unit_id", "reorganisation__effective_on")
    ):
        transfers[move["body_id"]].append(
            {
                "from_unit_id": move["from_unit_id"],
                "to_unit_id": move["to_unit_id"],
                "effective_on": move["reorganisation__effective_on"],
            }
        )
    wanted = set(unit_ids)
    found: dict[int, dict[str, Any]] = {}
    for pk, body in states.items():
        body["transferred_in"] = any(
            move["effective_on"] <= asof.day for move in transfers.get(pk, [])
        )
        body["unit_id"] = _unit_then(body["unit_id"], transfers.get(pk, []), asof.day)
        if body["unit_id"] in wanted and _live(body["archived_at"], asof.moment):
            found[pk] = body
    return found


def registry_at(unit_ids: list[int], asof: AsOf, *, starts: datetime) -> RegistryAt:
    """Bodies (with their contact and rules flags), live pages and incident counts of the
    units as they stood at ``asof``: the as-of counterpart of the build's current reads.

    A bounded number of queries (about fifteen) whatever the number of units and bodies.
    """
    at = asof.moment
    bodies = bodies_at(unit_ids, asof)
    candidates = _candidate_bodies(unit_ids).values("pk")

    contacts = states_at(
        ContactPerson,
        at=at,
        related=Q(body_id__in=candidates),
        fields=("body_id", "page_id", "notice_number", "notice_date", "archived_at"),
    )
    body_contacts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for contact in contacts.values():
        if contact["body_id"] in bodies and _live(contact["archived_at"], at):
            body_contacts[contact["body_id"]].append(contact)

    rules = states_at(
        PostingRules,
        at=at,
        related=Q(body_id__in=candidates),
        fields=("body_id", "uploaded_at", "superseded_at"),
        stamp=None,
    )
    with_rules = {
        item["body_id"]
        for item in rules.values()
        if item["uploaded_at"] < at and _live(item["superseded_at"], at)
    }

    for pk, body in bodies.items():
        alive = body_contacts.get(pk, [])
        body["has_contact"] = bool(alive)
        body["contact_notified"] = any(
            contact["notice_number"]
            and contact["notice_date"] is not None
            and contact["notice_date"] <= asof.day
            for contact in alive
        )
        body["has_rules"] = pk in with_rules
    bodies_by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for body in sorted(
        bodies.values(), key=lambda body: (body["unit_id"], body["name"], body["id"])
    ):
        body["pk"] = body["id"]
        bodies_by_unit[body["unit_id"]].append(body)

    return RegistryAt(
        bodies_by_unit=bodies_by_unit,
        pages_by_body=_pages_at(bodies, body_contacts, with_rules, candidates, at),
        incidents_by_body=_incidents_at(bodies, candidates, starts=starts, at=at),
    )


# A page's fields that a report reads as they stood (both builds).
PAGE_FIELDS = (
    "body_id",
    "platform_id",
    "url",
    "display_name",
    "state",
    "is_platform_verified",
    "responsible_unit",
    "submitted_at",
    "approved_at",
    "confirmed_at",
    "archived_at",
)


def _pages_at(
    bodies: dict[int, dict[str, Any]],
    body_contacts: dict[int, list[dict[str, Any]]],
    with_rules: set[int],
    candidates: QuerySet[Any],
    at: datetime,
) -> dict[int, list[dict[str, Any]]]:
    """Live pages per body at ``at``, with the gap flags ``with_gaps`` gives a current page."""
    pages = states_at(SocialPage, at=at, related=Q(body_id__in=candidates), fields=PAGE_FIELDS)
    platforms = {row["pk"]: row for row in Platform.objects.values("pk", "name", "order")}
    cutoff = at - timedelta(days=settings.PORTAL_PAGE_RECONFIRM_DAYS)
    by_body: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for page in pages.values():
        body_id = page["body_id"]
        state = _page_then(page, at)
        if body_id not in bodies or state == PageState.ARCHIVED:
            continue
        platform = platforms[page["platform_id"]]
        contacts = body_contacts.get(body_id, [])
        by_body[body_id].append(
            {
                "pk": page["id"],
                "body_id": body_id,
                "platform__name": platform["name"],
                "platform_order": platform["order"],
                "url": page["url"],
                "display_name": page["display_name"],
                "state": state,
                "is_platform_verified": page["is_platform_verified"],
                "responsible_unit": page["responsible_unit"],
                # The page's own contact, or the body's default one (as ``with_gaps``).
                "has_contact": any(c["page_id"] in (None, page["id"]) for c in contacts),
                "has_rules": body_id in with_rules,
                "needs_review": state == PageState.APPROVED
                and page["confirmed_at"] is not None
                and page["confirmed_at"] < cutoff,
            }
        )
    for rows in by_body.values():
        rows.sort(key=lambda row: (row["platform_order"], row["display_name"], row["pk"]))
    return by_body


def _incidents_at(
    bodies: dict[int, dict[str, Any]],
    candidates: QuerySet[Any],
    *,
    starts: datetime,
    at: datetime,
) -> dict[int, dict[str, Any]]:
    """Per body at ``at``: the incidents discovered, reported and resolved in the period."""
    # Event times are written once, so the current ones pick the incidents of the period.
    window = Q(discovered_at__gte=starts, discovered_at__lt=at)
    for field in ("reported_to_platform_at", "closed_at"):
        window |= Q(**{f"{field}__gte": starts, f"{field}__lt": at})
    incidents = states_at(
        Incident,
        at=at,
        related=Q(body_id__in=candidates) & window,
        fields=("body_id", "state", "discovered_at", "reported_to_platform_at", "closed_at"),
    )

    def inside(value: datetime | None) -> bool:
        return value is not None and starts <= value < at

    counts: dict[int, dict[str, Any]] = {}
    for incident in incidents.values():
        if incident["body_id"] not in bodies:
            continue
        row = counts.setdefault(
            incident["body_id"],
            {
                "incidents_opened": 0,
                "incidents_reported": 0,
                "incidents_resolved": 0,
                "hours_to_report_total": timedelta(0),
                "hours_to_report_count": 0,
            },
        )
        row["incidents_opened"] += inside(incident["discovered_at"])
        if inside(incident["reported_to_platform_at"]):
            row["incidents_reported"] += 1
            row["hours_to_report_count"] += 1
            row["hours_to_report_total"] += (
                incident["reported_to_platform_at"] - incident["discovered_at"]
            )
        row["incidents_resolved"] += (
            inside(incident["closed_at"]) and incident["state"] == IncidentState.RESOLVED
        )
    for row in counts.values():
        # Summed exactly, then rounded as the current build rounds (``reports.figures``).
        row["hours_to_report_total"] = hours_of(row["hours_to_report_total"])
    return counts


# --- the issuing committee --------------------------------------------------------------


def issuing_committee(
    unit: AdministrativeUnit, *, ends_on: date, built_at: datetime | None, name: str = ""
) -> Body | None:
    """The People's Committee that heads ``unit``'s report, as it stood at the report's date.

    Only committees of the unit then count, and not one that came into it by a
    reorganisation (a merged commune's committee is the abolished commune's, not the new
    one's). Among them, the one named after the unit (``name``, the unit's name in the
    report) comes first, then the oldest: the same report always gets the same heading.
    """
    day = registry_date(ends_on=ends_on, built_at=built_at) or ends_on
    asof = AsOf(day=day, moment=min(end_of(day), timezone.now()))
    bodies = bodies_at([unit.pk], asof)
    committees = [
        body
        for body in bodies.values()
        if body["kind"] == BodyKind.PEOPLES_COMMITTEE and not body["transferred_in"]
    ]
    if not committees:
        return None
    place = fold(bare_name(name or unit.name))
    committees.sort(key=lambda body: (place not in fold(body["name"]), body["id"]))
    chosen = Body.objects.select_related("unit", "supervising_body").get(pk=committees[0]["id"])
    # The heading reads the name it had then and the unit it headed, not later ones.
    chosen.name = committees[0]["name"]
    chosen.unit = unit
    return chosen
