"""The national data set of the load test: today's country and a registry of its size.

Run inside the scratch database by ``loadtest/run.py`` (``manage.py shell``):

1. import today's two-tier country (34 provinces, 3,321 communes; the corrected edition);
2. generate the synthetic registry into it (seed 874: 100,000 bodies, 150,000 pages by
   default, ``LOAD_BODIES`` / ``LOAD_PAGES`` to change), its incidents in this quarter;
3. build this quarter's reports for every unit (a period not over yet: the live registry);
4. create the officers the scenarios log in as: the officer of the commune with the most
   bodies and the provincial officer of the province with the most communes;
5. write the plan the locust file reads: addresses to verify (approved and archived pages
   in the shapes people paste, and addresses nobody registered), directory searches (unit and
   body names typed without diacritics), and the officers' usernames.

Nothing here runs in production; the users it creates hold a password printed nowhere but
the plan file, in a scratch database dropped at the end of the run.
"""

from __future__ import annotations

import json
import os
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

SEED = 874
PASSWORD = "tai-thu-quoc-gia-874"
# Shapes people paste: the mobile host and a share link's parameters.
_SHAPES = ("{url}", "{mobile}/?ref=share", "{url}?mibextid=ZbWKwL")


def _quarter(today: date) -> tuple[date, date]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end_month = first_month + 2
    following = date(today.year + (end_month == 12), end_month % 12 + 1, 1)
    return start, date.fromordinal(following.toordinal() - 1)


def _verify_addresses(rng: random.Random, count: int) -> list[str]:
    from accounts_registry.models import PageState, SocialPage

    urls = list(
        SocialPage.objects.filter(
            state__in=[PageState.APPROVED, PageState.ARCHIVED], platform__code="facebook"
        )
        .order_by("?")
        .values_list("url", flat=True)[:count]
    )

    def shaped(url: str) -> str:
        mobile = url.replace("://www.", "://m.").rstrip("/")
        return rng.choice(_SHAPES).format(url=url, mobile=mobile)

    # One address in five is nobody's page (a "not registered" answer).
    addresses = [shaped(url) for url in urls]
    addresses += [f"https://www.facebook.com/khong.dang.ky.{n}" for n in range(count // 4)]
    rng.shuffle(addresses)
    return addresses


def _searches(rng: random.Random, count: int) -> list[str]:
    """Unit and body names as a citizen types them: lower case, no diacritics, one or two words."""
    from portal.text import fold
    from units.models import AdministrativeUnit, Body

    names = list(
        AdministrativeUnit.objects.filter(valid_until__isnull=True, level__code="commune")
        .order_by("?")
        .values_list("name", flat=True)[: count // 2]
    )
    names += list(Body.objects.order_by("?").values_list("name", flat=True)[: count // 2])
    searches = []
    for name in names:
        words = fold(name).split()
        # Drop the kind ("xa", "phuong", "ubnd"): people type the place's own name.
        searches.append(" ".join(words[-2:]) if len(words) > 2 else " ".join(words))
    rng.shuffle(searches)
    return searches


def _officers() -> dict[str, str]:
    from units.models import AdministrativeUnit
    from users.models import Role, RoleAssignment, User

    in_force = AdministrativeUnit.objects.filter(valid_until__isnull=True)
    commune = (
        in_force.filter(level__code="commune")
        .annotate(n=Count("bodies"))
        .order_by("-n", "code")
        .first()
    )
    province = (
        in_force.filter(level__code="province")
        .annotate(n=Count("children"))
        .order_by("-n", "code")
        .first()
    )
    assert commune is not None, "import the divisions first"
    assert province is not None, "import the divisions first"
    made = {}
    for username, role, unit in (
        ("tai.xa", Role.UNIT_OFFICER, commune),
        ("tai.tinh", Role.PROVINCE_OFFICER, province),
    ):
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, role=role, unit=unit)
        made[username] = unit.name
    return made


def prepare(plan_path: str) -> None:
    from reports.build import build_period
    from reports.models import PeriodKind
    from reports.periods import ensure_period
    from reports.synthetic import generate
    from units.importers import import_edition

    rng = random.Random(SEED)  # noqa: S311 - a reproducible sample, not a secret
    today = timezone.localdate()
    start, end = _quarter(today)
    figures: dict[str, Any] = {}

    started = time.perf_counter()
    import_edition("two-tier-2026-09")
    figures["import_seconds"] = round(time.perf_counter() - started, 1)

    started = time.perf_counter()
    generated = generate(
        seed=SEED,
        bodies=int(os.environ.get("LOAD_BODIES", "100000")),
        pages=int(os.environ.get("LOAD_PAGES", "150000")),
        period_from=start,
        period_until=end,
    )
    figures["generate_seconds"] = round(time.perf_counter() - started, 1)
    figures["bodies"], figures["pages"] = generated.bodies, generated.pages

    started = time.perf_counter()
    build_period(ensure_period(PeriodKind.QUARTERLY, today))
    figures["build_seconds"] = round(time.perf_counter() - started, 1)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    officers = _officers()
    plan = {
        "verify": _verify_addresses(rng, 400),
        "search": _searches(rng, 200),
        "officers": {"commune": "tai.xa", "province": "tai.tinh"},
        "password": PASSWORD,
        "units": officers,
        "figures": figures,
    }
    Path(plan_path).write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    print(
        f"national data set: {generated.bodies} bodies, {generated.pages} pages; "
        f"import {figures['import_seconds']} s, generate {figures['generate_seconds']} s, "
        f"build {figures['build_seconds']} s; officers {officers}",
        flush=True,
    )
