"""The rows of the synthetic registry: bodies, pages, contacts, rules and incidents."""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from accounts_registry.canonical import canonicalise
from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident, IncidentKind, IncidentSource, IncidentState
from portal.text import fold
from reports.synthetic.constants import (
    BATCH,
    SYNTHETIC_DOMAIN,
    TIER_SHARES,
)
from reports.synthetic.names import (
    _ABBREVIATIONS,
    _EXTRAS,
    _PLATFORM_ORDER,
    _POSITIONS,
    _RESPONSIBLE,
    _TEMPLATES,
    K,
    _names,
    _person,
    _phone,
    _slug,
)
from units.models import Body


def _write(model: Any, rows: Sequence[Any]) -> None:
    for offset in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[offset : offset + BATCH])


def _tiers(units: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Units by tier: the top level is "province", the bottom "commune", between "district"."""
    top = min(unit["depth"] for unit in units)
    bottom = max(unit["depth"] for unit in units)
    tiers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in units:
        if unit["depth"] == bottom and bottom != top:
            tiers["commune"].append(unit)
        elif unit["depth"] == top:
            tiers["province"].append(unit)
        else:
            tiers["district"].append(unit)
    return tiers


def _allocate(rng: random.Random, total: int, slots: int) -> list[int]:
    """Split ``total`` over ``slots`` around the mean (±50 %), summing exactly to ``total``."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(slots)]
    scale = total / sum(weights)
    shares = [weight * scale for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(slots), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _bodies(
    rng: random.Random, units: list[dict[str, Any]], total: int, taken: set[tuple[int, str]]
) -> list[Body]:
    tiers = _tiers(units)
    share_sum = sum(TIER_SHARES[tier] for tier in tiers)
    tier_names = [tier for tier in TIER_SHARES if tier in tiers]
    budgets = [round(total * TIER_SHARES[tier] / share_sum) for tier in tier_names]
    budgets[-1] = total - sum(budgets[:-1])
    rows: list[Body] = []
    for tier, budget in zip(tier_names, budgets, strict=True):
        templates, extras = _TEMPLATES[tier], _EXTRAS[tier]
        for unit, count in zip(tiers[tier], _allocate(rng, budget, len(tiers[tier])), strict=True):
            words = _names(unit["name"])
            for index in range(count):
                if index < len(templates):
                    template, kind = templates[index]
                    name = template.format(**words)
                else:
                    extra = index - len(templates)
                    template, kind = extras[extra % len(extras)]
                    name = template.format(i=extra // len(extras) + 1, **words)
                serial = len(rows) + 1
                if (unit["pk"], name) in taken:
                    name = f"{name} (mẫu {serial})"
                rows.append(
                    Body(
                        unit_id=unit["pk"],
                        kind=kind,
                        name=name,
                        email=f"vanthu.{serial:06d}@{SYNTHETIC_DOMAIN}",
                        phone=_phone(rng),
                        search_name=fold(name),
                    )
                )
    return rows


def _pages(
    rng: random.Random,
    bodies: list[Body],
    total: int,
    platforms: dict[str, Platform],
    as_of: datetime,
) -> list[SocialPage]:
    """Pages drawn over the bodies (People's Committees and press hold more of them)."""
    weights = [
        (3.0 if body.kind in (K.PEOPLES_COMMITTEE, K.PRESS_AGENCY) else 1.0) * rng.uniform(0.5, 1.5)
        for body in bodies
    ]
    per_body = Counter(rng.choices(range(len(bodies)), weights=weights, k=total))
    order = [code for code in _PLATFORM_ORDER if code in platforms]
    rows: list[SocialPage] = []
    for index, body in enumerate(bodies):
        slug = _slug(body.name)
        for j in range(per_body.get(index, 0)):
            serial = len(rows) + 1
            platform = platforms[order[j % len(order)]]
            if platform.code == "zalo":
                address = f"https://zalo.me/{4_000_000_000_000_000_000 + serial}"
            elif platform.code == "facebook":
                address = f"https://www.facebook.com/{slug}{serial:07d}"
            else:
                host = "www.youtube.com" if platform.code == "youtube" else "www.tiktok.com"
                address = f"https://{host}/@{slug}{serial:07d}"
            page = canonicalise(address, platform.rules, extra_hosts=platform.hosts)
            name = body.name if j < len(order) else f"{body.name} - trang {j // len(order) + 1}"
            rows.append(
                _page(rng, body, platform, page.url, page.key, page.platform_id, name, as_of)
            )
    return rows


def _page(
    rng: random.Random,
    body: Body,
    platform: Platform,
    url: str,
    key: str,
    permanent_id: str | None,
    name: str,
    as_of: datetime,
) -> SocialPage:
    draw = rng.random()
    state = (
        PageState.APPROVED
        if draw < 0.70
        else PageState.SUBMITTED
        if draw < 0.80
        else PageState.DRAFT
        if draw < 0.87
        else PageState.RETURNED
        if draw < 0.93
        else PageState.ARCHIVED
    )
    set_up = as_of - timedelta(days=rng.randint(60, 3000))
    submitted = as_of - timedelta(days=rng.randint(20, 900), hours=rng.randint(0, 23))
    page = SocialPage(
        body_id=body.pk,
        platform_id=platform.pk,
        display_name=name,
        url=url,
        canonical_key=key,
        permanent_id=permanent_id or "",
        set_up_on=set_up.date(),
        state=state,
        search_name=fold(f"{name} {url}"),
    )
    if state != PageState.DRAFT:
        page.submitted_at = submitted
    if state == PageState.RETURNED:
        page.review_note = "Đề nghị bổ sung văn bản giao nhiệm vụ quản trị trang."
    approved = submitted + timedelta(days=rng.randint(1, 10))
    if state in (PageState.APPROVED, PageState.ARCHIVED):
        page.approved_at = approved
        page.confirmed_at = max(approved, as_of - timedelta(days=rng.randint(0, 400)))
    if state == PageState.APPROVED:
        if rng.random() < 0.35:
            page.is_platform_verified = True
            page.platform_verified_on = (approved - timedelta(days=30)).date()
        if rng.random() < 0.6:
            page.responsible_unit = rng.choice(_RESPONSIBLE)
    if state == PageState.ARCHIVED:
        page.archived_at = as_of - timedelta(days=rng.randint(0, 15))
    return page


def _contacts(rng: random.Random, bodies: list[Body], as_of: datetime) -> list[ContactPerson]:
    rows = []
    for body in bodies:
        if rng.random() >= 0.75:
            continue
        contact = ContactPerson(
            body_id=body.pk,
            name=_person(rng),
            position=rng.choice(_POSITIONS),
            phone=_phone(rng),
        )
        if rng.random() < 0.6:
            contact.notice_number = f"{rng.randint(1, 450)}/{_ABBREVIATIONS[K(body.kind)]}-VP"
            contact.notice_date = (as_of - timedelta(days=rng.randint(30, 700))).date()
        rows.append(contact)
    return rows


def _rules(
    rng: random.Random, seed: int, bodies: list[Body], as_of: datetime
) -> list[PostingRules]:
    rows = []
    for body in bodies:
        if rng.random() >= 0.55:
            continue
        rows.append(
            PostingRules(
                body_id=body.pk,
                version=1,
                document_number=f"{rng.randint(1, 300)}/QĐ-{_ABBREVIATIONS[K(body.kind)]}",
                issued_on=(as_of - timedelta(days=rng.randint(30, 900))).date(),
                signed_by=_person(rng),
                file=f"posting-rules/synthetic/{body.pk}.pdf",
                original_filename="noi-quy-dang-tai-thong-tin.pdf",
                content_type="application/pdf",
                size=rng.randint(80_000, 900_000),
                sha256=hashlib.sha256(f"{seed}:{body.email}".encode()).hexdigest(),
            )
        )
    return rows


def _incidents(
    rng: random.Random,
    bodies: list[Body],
    pages: list[SocialPage],
    count: int,
    start: datetime,
    end: datetime,
) -> list[Incident]:
    """Incidents discovered in the period (one in ten the period before), in every state."""
    live: dict[int, list[int]] = defaultdict(list)
    for page in pages:
        if page.state != PageState.ARCHIVED:
            live[page.body_id].append(page.pk)
    span = (end - start).total_seconds()
    rows = []
    for serial in range(1, count + 1):
        body = rng.choice(bodies)
        discovered = start + timedelta(seconds=rng.uniform(-0.1, 1.0) * span)
        draw = rng.random()
        state = (
            IncidentState.NEW
            if draw < 0.15
            else IncidentState.UNDER_REVIEW
            if draw < 0.30
            else IncidentState.REPORTED_TO_PLATFORM
            if draw < 0.55
            else IncidentState.ESCALATED_TO_PROVINCE
            if draw < 0.60
            else IncidentState.RESOLVED
            if draw < 0.90
            else IncidentState.DISMISSED
        )
        incident = Incident(
            body_id=body.pk, discovered_at=discovered, state=state, source=IncidentSource.BODY
        )
        if live.get(body.pk) and rng.random() < 0.3:
            incident.kind = IncidentKind.LOST_CONTROL
            incident.page_id = rng.choice(live[body.pk])
            incident.description = "Mất quyền quản trị trang, trang đăng nội dung lạ."
        else:
            incident.kind = IncidentKind.IMPERSONATION
            url = f"https://www.facebook.com/{_slug(body.name)}.gia{serial:05d}"
            incident.url = incident.canonical_url = canonicalise(url, "facebook").url
            incident.description = "Trang mạo danh cơ quan, sử dụng tên và biểu trưng."
            if rng.random() < 0.4:
                incident.source = IncidentSource.PUBLIC
                incident.reporter_name = _person(rng)
                incident.reporter_email = f"nguoidan.{serial:05d}@{SYNTHETIC_DOMAIN}"
        if state in (
            IncidentState.REPORTED_TO_PLATFORM,
            IncidentState.ESCALATED_TO_PROVINCE,
            IncidentState.RESOLVED,
        ):
            incident.reported_to_platform_at = discovered + timedelta(hours=rng.uniform(1, 96))
        if state in (IncidentState.RESOLVED, IncidentState.DISMISSED):
            after = incident.reported_to_platform_at or discovered
            incident.closed_at = after + timedelta(days=rng.uniform(0.5, 20))
        rows.append(incident)
    return rows
