"""One run of the synthetic registry's generator: what it checks, writes and counts."""

from __future__ import annotations

import random
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts_registry.models import ContactPerson, Platform, PostingRules, SocialPage
from incidents.models import Incident
from reports.synthetic.constants import (
    DEFAULT_FROM,
    DEFAULT_SEED,
    DEFAULT_UNTIL,
    SYNTHETIC_DOMAIN,
)
from reports.synthetic.names import _PLATFORM_ORDER
from reports.synthetic.rows import (
    _bodies,
    _contacts,
    _incidents,
    _pages,
    _rules,
    _write,
)
from units.models import AdministrativeUnit, Body


@dataclass
class Generated:
    """What one run wrote."""

    bodies: int = 0
    pages: int = 0
    contacts: int = 0
    rules: int = 0
    incidents: int = 0
    seconds: float = 0.0


def generate(
    *,
    seed: int = DEFAULT_SEED,
    bodies: int = 100_000,
    pages: int = 150_000,
    incidents: int | None = None,
    period_from: date = DEFAULT_FROM,
    period_until: date = DEFAULT_UNTIL,
    force: bool = False,
) -> Generated:
    """Write the synthetic registry; ``CommandError`` when the database is not for it."""
    started = clock.perf_counter()
    if Body.objects.filter(email__endswith="@" + SYNTHETIC_DOMAIN).exists():
        raise CommandError(
            "This database already holds a synthetic registry: generate into a fresh one."
        )
    if not force and Body.objects.exclude(email__endswith="@" + SYNTHETIC_DOMAIN).exists():
        raise CommandError(
            "This database holds real registry data: refusing to add synthetic bodies to it "
            "(use --force to do it anyway)."
        )
    units = cast(
        list[dict[str, Any]],
        list(
            AdministrativeUnit.objects.in_force_on(period_until)
            .order_by("depth", "code", "valid_from", "pk")
            .values("pk", "name", "depth")
        ),
    )
    if not units:
        raise CommandError(f"No unit is in force on {period_until:%d/%m/%Y}: import divisions.")
    platforms = {
        p.code: p for p in Platform.objects.filter(code__in=_PLATFORM_ORDER, is_active=True)
    }
    if not platforms:
        raise CommandError("No standard platform is installed.")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    zone = timezone.get_current_timezone()
    as_of = timezone.make_aware(datetime.combine(period_until, time(17, 0)), zone)
    start = timezone.make_aware(datetime.combine(period_from, time(7, 0)), zone)
    result = Generated()
    with transaction.atomic():
        taken = (
            set(Body.objects.filter(archived_at__isnull=True).values_list("unit_id", "name"))
            if force
            else set()
        )
        body_rows = _bodies(rng, units, bodies, taken)
        _write(Body, body_rows)
        result.bodies = len(body_rows)
        page_rows = _pages(rng, body_rows, pages, platforms, as_of)
        _write(SocialPage, page_rows)
        result.pages = len(page_rows)
        contacts = _contacts(rng, body_rows, as_of)
        _write(ContactPerson, contacts)
        result.contacts = len(contacts)
        rules = _rules(rng, seed, body_rows, as_of)
        _write(PostingRules, rules)
        result.rules = len(rules)
        count = len(body_rows) // 40 if incidents is None else incidents
        incident_rows = _incidents(rng, body_rows, page_rows, count, start, as_of)
        _write(Incident, incident_rows)
        result.incidents = len(incident_rows)
    result.seconds = clock.perf_counter() - started
    return result
