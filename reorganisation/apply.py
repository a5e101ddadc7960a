"""Applying a plan: old units closed, merge records, bodies archived, merged, renamed, moved."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from portal.history import JUST_BEFORE, effective_moment, keep_baseline
from portal.text import fold
from reorganisation.decisions import ACTIONS, ARCHIVE, MERGE, MOVE
from reorganisation.moves import _move_default_contacts, _move_roles, _move_rules
from reorganisation.plan import Plan
from units.models import (
    AdministrativeUnit,
    Body,
    BodyTransfer,
    Reorganisation,
    ReorganisationKind,
    ReorganisationPlan,
)

if TYPE_CHECKING:
    from users.models import User

BATCH = 5000


def _apply(plan: Plan, *, by: User | None, plan_row: ReorganisationPlan, legal_basis: str) -> None:
    from accounts_registry.models import ContactPerson, PostingRules, SocialPage
    from accounts_registry.transfers import pages_archive, pages_transfer
    from accounts_registry.verify_cache import bump_registry_version
    from users.models import RoleAssignment

    effective_on = plan.effective_on
    last_day = effective_on - timedelta(days=1)
    now = timezone.now()
    reason = f"reorganisation {effective_on.isoformat()} (plan {plan_row.pk})"
    # The change is written today but took effect on effective_on: its history records (and
    # the archive dates it sets) are dated then, and the state it replaces is put on record
    # just before, for rows that had no history (bulk-loaded), so that a past period rebuilt
    # later (reports.asof) sees the registry as it stood on its last day.
    at = effective_moment(effective_on)
    before = at - JUST_BEFORE
    items = plan.bodies
    archived_ids = [pk for pk, i in items.items() if i.action == ARCHIVE]
    merged_ids = [pk for pk, i in items.items() if i.action == MERGE and i.survivor is not None]
    keep_baseline(
        AdministrativeUnit.objects.filter(pk__in=plan.units_to_close), on=before, reason=reason
    )
    keep_baseline(Body.objects.filter(pk__in=list(items)), on=before, reason=reason)
    for held in (SocialPage, ContactPerson, PostingRules):
        keep_baseline(
            held.objects.filter(body_id__in=archived_ids + merged_ids), on=before, reason=reason
        )

    # 1. Close the old units (one UPDATE per successor), with history.
    closing = list(AdministrativeUnit.objects.filter(pk__in=plan.units_to_close))
    by_successor: dict[int | None, list[int]] = defaultdict(list)
    for unit in closing:
        if unit.valid_until is None or unit.valid_until > last_day:
            unit.valid_until = last_day
        successor = plan.unit_successor.get(unit.pk)
        if unit.succeeded_by_id is None and successor is not None:
            unit.succeeded_by_id = successor
        by_successor[unit.succeeded_by_id].append(unit.pk)
    for successor, ids in by_successor.items():
        AdministrativeUnit.objects.filter(pk__in=ids).update(
            valid_until=last_day, succeeded_by_id=successor
        )
    AdministrativeUnit.history.bulk_history_create(
        closing,
        update=True,
        default_user=by,
        default_change_reason=reason,
        default_date=at,
        batch_size=BATCH,
    )

    # 2. One MERGE record per new unit that receives old ones (provinces and communes).
    predecessors: dict[int, set[int]] = defaultdict(set)
    for old, new in plan.unit_successor.items():
        if new is not None:
            predecessors[new].add(old)
    for old, news in plan.contributions.items():
        for new in news:
            predecessors[new].add(old)
    for item in plan.bodies.values():
        if item.to_unit is not None:
            predecessors[item.to_unit]
    records = {
        r.successor_id: r
        for r in Reorganisation.objects.filter(
            effective_on=effective_on,
            successor_id__in=list(predecessors),
            kind=ReorganisationKind.MERGE,
        )
    }
    fresh = [
        Reorganisation(
            kind=ReorganisationKind.MERGE,
            effective_on=effective_on,
            legal_basis=legal_basis[:255],
            note=reason,
            successor_id=new,
            created_by=by,
            plan=plan_row,
        )
        for new in sorted(predecessors)
        if new not in records
    ]
    for record in Reorganisation.objects.bulk_create(fresh, batch_size=BATCH):
        records[record.successor_id] = record
    through = Reorganisation.predecessors.through
    linked = set(
        through.objects.filter(reorganisation_id__in=[r.pk for r in records.values()]).values_list(
            "reorganisation_id", "administrativeunit_id"
        )
    )
    through.objects.bulk_create(
        [
            through(reorganisation_id=records[new].pk, administrativeunit_id=old)
            for new, olds in predecessors.items()
            for old in sorted(olds)
            if (records[new].pk, old) not in linked
        ],
        batch_size=BATCH,
    )

    # 3. Bodies: archive and merge first (frees names), then rename, then move.
    bodies = {b.pk: b for b in Body.objects.filter(pk__in=list(items))}
    changed: list[Body] = []
    merged_by_survivor: dict[int, list[int]] = defaultdict(list)
    for pk, item in items.items():
        if item.action == MERGE and item.survivor is not None:
            merged_by_survivor[item.survivor].append(pk)
    # Archived as of the day the old order ended (the body lived until then).
    Body.objects.filter(pk__in=archived_ids).update(archived_at=at, updated_at=now)
    for survivor, ids in merged_by_survivor.items():
        Body.objects.filter(pk__in=ids).update(
            archived_at=at, updated_at=now, merged_into_id=survivor
        )
    for pk in archived_ids:
        bodies[pk].archived_at = at
    for survivor, ids in merged_by_survivor.items():
        for pk in ids:
            bodies[pk].archived_at, bodies[pk].merged_into_id = at, survivor
    renamed = [bodies[pk] for pk, i in items.items() if i.new_name]
    for body in renamed:
        body.name = items[body.pk].new_name
        body.search_name = fold(body.name + " " + body.short_name)
    if renamed:
        Body.objects.bulk_update(renamed, ["name", "search_name"], batch_size=1000)
    moving: dict[int, list[int]] = defaultdict(list)
    transfers: list[BodyTransfer] = []
    for pk, item in items.items():
        if item.action == MOVE and item.to_unit is not None:
            moving[item.to_unit].append(pk)
            transfers.append(
                BodyTransfer(
                    reorganisation=records[item.to_unit],
                    body_id=pk,
                    from_unit_id=item.from_unit,
                    to_unit_id=item.to_unit,
                )
            )
            bodies[pk].unit_id = item.to_unit
    for target, ids in moving.items():
        Body.objects.filter(pk__in=ids).update(unit_id=target, updated_at=now)
    for pk, item in items.items():
        if item.action in ACTIONS:
            bodies[pk].updated_at = now
            changed.append(bodies[pk])
    Body.history.bulk_history_create(
        changed,
        update=True,
        default_user=by,
        default_change_reason=reason,
        default_date=at,
        batch_size=BATCH,
    )
    BodyTransfer.objects.bulk_create(transfers, batch_size=BATCH)

    # 4. What merged bodies held goes to their survivor: pages, contacts, rules.
    merged_into = {pk: s for s, ids in merged_by_survivor.items() for pk in ids}
    if merged_into:
        pages = list(
            SocialPage.objects.filter(body_id__in=list(merged_into))
            .exclude(state="archived")
            .select_related("body")
        )
        pages_transfer(
            pages=pages,
            to_bodies={p.pk: bodies[merged_into[p.body_id]] for p in pages},
            by=by,
            reason=reason,
            on=at,
        )
        _move_default_contacts(merged_into, now=at, by=by, reason=reason, model=ContactPerson)
        _move_rules(merged_into, now=at, by=by, reason=reason, model=PostingRules)

    # 5. What archived bodies held is archived with them (pages, default contacts).
    if archived_ids:
        pages = list(
            SocialPage.objects.filter(body_id__in=archived_ids)
            .exclude(state="archived")
            .select_related("body")
        )
        pages_archive(pages=pages, by=by, reason=reason, on=at)
        contacts = list(
            ContactPerson.objects.filter(body_id__in=archived_ids, archived_at__isnull=True)
        )
        ContactPerson.objects.filter(pk__in=[c.pk for c in contacts]).update(
            archived_at=at, updated_at=now
        )
        for contact in contacts:
            contact.archived_at, contact.updated_at = at, now
        ContactPerson.history.bulk_history_create(
            contacts, update=True, default_user=by, default_change_reason=reason, default_date=at
        )

    # 6. Users: staff of merged bodies, officers of units with one successor.
    _move_roles(plan, merged_into, by=by, reason=reason, model=RoleAssignment)

    # Units closed, bodies archived, renamed or moved by UPDATEs that send no signal: the
    # public verdicts cached before name them as they were.
    bump_registry_version()
