"""Fill the registry with synthetic bodies, pages, contacts, rules and incidents.

For the reports benchmark (``benchmarks/reports.py``, ``docs/benchmarks.md``): about
100,000 bodies and 150,000 pages spread over the units in force, with names the way
Vietnamese bodies are named ("UBND xã Cẩm Ngọc", "Trường THCS Cẩm Ngọc", "Trạm Y tế …").
The same seed over the same units gives the same data, row for row: every random draw
comes from one ``random.Random(seed)`` in a fixed order, and the units are walked in the
order of their official codes, not of their database ids.

Rows are written with ``bulk_create`` (5,000 per statement, in one transaction): no
``save()``, no history rows, no signals. Every synthetic body has an e-mail address at
``SYNTHETIC_DOMAIN``, which is how the command tells its own data from a real registry: it
refuses to run on a database holding real bodies unless ``--force``, and refuses to run
twice on the same database (the names would collide).
"""

from __future__ import annotations

import hashlib
import random
import re
import time as clock
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts_registry.canonical import canonicalise
from accounts_registry.models import ContactPerson, PageState, Platform, PostingRules, SocialPage
from incidents.models import Incident, IncidentKind, IncidentSource, IncidentState
from portal.text import fold
from units.models import AdministrativeUnit, Body, BodyKind

DEFAULT_SEED = 874
SYNTHETIC_DOMAIN = "synthetic.invalid"
BATCH = 5000
# The last quarter of the three-tier country (it ends on 30/06/2025): its units are the
# ones in force at its end.
DEFAULT_FROM = date(2025, 1, 1)
DEFAULT_UNTIL = date(2025, 3, 31)

# Share of the bodies held by each tier (renormalised when a tier does not exist).
TIER_SHARES = {"province": 0.05, "district": 0.15, "commune": 0.80}

_PREFIXES = ("Thành phố ", "Thị trấn ", "Thị xã ", "Tỉnh ", "Huyện ", "Quận ", "Xã ", "Phường ")
_PARTY = {
    "Tỉnh ": "Tỉnh ủy",
    "Thành phố ": "Thành ủy",
    "Huyện ": "Huyện ủy",
    "Quận ": "Quận ủy",
    "Thị xã ": "Thị ủy",
}

K = BodyKind
# ({u}: "xã Cẩm Ngọc", {b}: "Cẩm Ngọc", {p}: "Huyện ủy"), kind. The first ones come first.
_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "commune": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("Đảng ủy {u}", K.PARTY_ORGANISATION),
        ("Trạm Y tế {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THCS {b}", K.PUBLIC_SERVICE_UNIT),
        ("Trường Tiểu học {b}", K.PUBLIC_SERVICE_UNIT),
        ("Trường Mầm non {b}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Đoàn Thanh niên {u}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Hội Nông dân {u}", K.MASS_ORGANISATION),
        ("Hội Cựu chiến binh {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Ban Chỉ huy Quân sự {u}", K.OTHER),
    ],
    "district": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("{p} {b}", K.PARTY_ORGANISATION),
        ("Văn phòng HĐND và UBND {u}", K.DEPARTMENT),
        ("Phòng Văn hóa và Thông tin {u}", K.DEPARTMENT),
        ("Phòng Giáo dục và Đào tạo {u}", K.DEPARTMENT),
        ("Phòng Nội vụ {u}", K.DEPARTMENT),
        ("Phòng Tư pháp {u}", K.DEPARTMENT),
        ("Phòng Tài chính - Kế hoạch {u}", K.DEPARTMENT),
        ("Phòng Tài nguyên và Môi trường {u}", K.DEPARTMENT),
        ("Phòng Lao động - Thương binh và Xã hội {u}", K.DEPARTMENT),
        ("Phòng Y tế {u}", K.DEPARTMENT),
        ("Thanh tra {u}", K.DEPARTMENT),
        ("Trung tâm Y tế {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Văn hóa, Thông tin và Thể thao {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Giáo dục nghề nghiệp - GDTX {u}", K.PUBLIC_SERVICE_UNIT),
        ("Bệnh viện Đa khoa {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THPT {b}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Đoàn Thanh niên {u}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Ban Chỉ huy Quân sự {u}", K.OTHER),
    ],
    "province": [
        ("UBND {u}", K.PEOPLES_COMMITTEE),
        ("HĐND {u}", K.PEOPLES_COUNCIL),
        ("{p} {b}", K.PARTY_ORGANISATION),
        ("Văn phòng UBND {u}", K.DEPARTMENT),
        ("Sở Thông tin và Truyền thông {u}", K.DEPARTMENT),
        ("Sở Giáo dục và Đào tạo {u}", K.DEPARTMENT),
        ("Sở Y tế {u}", K.DEPARTMENT),
        ("Sở Nội vụ {u}", K.DEPARTMENT),
        ("Sở Tư pháp {u}", K.DEPARTMENT),
        ("Sở Tài chính {u}", K.DEPARTMENT),
        ("Sở Kế hoạch và Đầu tư {u}", K.DEPARTMENT),
        ("Sở Công Thương {u}", K.DEPARTMENT),
        ("Sở Xây dựng {u}", K.DEPARTMENT),
        ("Sở Giao thông vận tải {u}", K.DEPARTMENT),
        ("Sở Nông nghiệp và Phát triển nông thôn {u}", K.DEPARTMENT),
        ("Sở Tài nguyên và Môi trường {u}", K.DEPARTMENT),
        ("Sở Lao động - Thương binh và Xã hội {u}", K.DEPARTMENT),
        ("Sở Văn hóa, Thể thao và Du lịch {u}", K.DEPARTMENT),
        ("Sở Khoa học và Công nghệ {u}", K.DEPARTMENT),
        ("Thanh tra {u}", K.DEPARTMENT),
        ("Báo {b}", K.PRESS_AGENCY),
        ("Đài Phát thanh và Truyền hình {b}", K.PRESS_AGENCY),
        ("Bệnh viện Đa khoa {u}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Kiểm soát bệnh tật {u}", K.PUBLIC_SERVICE_UNIT),
        ("Ủy ban MTTQ Việt Nam {u}", K.MASS_ORGANISATION),
        ("Tỉnh đoàn {b}", K.MASS_ORGANISATION),
        ("Hội Liên hiệp Phụ nữ {u}", K.MASS_ORGANISATION),
        ("Công an {u}", K.OTHER),
        ("Bộ Chỉ huy Quân sự {u}", K.OTHER),
        ("Công ty TNHH MTV Thủy lợi {b}", K.STATE_ENTERPRISE),
    ],
}
# Once the templates are used up: numbered bodies, cycling through these ({i}: 1, 2, …).
_EXTRAS: dict[str, list[tuple[str, str]]] = {
    "commune": [
        ("Ban công tác Mặt trận thôn {i}, {u}", K.VILLAGE_BOARD),
        ("Trường Tiểu học {b} số {i}", K.PUBLIC_SERVICE_UNIT),
    ],
    "district": [
        ("Trường THCS {b} số {i}", K.PUBLIC_SERVICE_UNIT),
        ("Trường THPT {b} số {i}", K.PUBLIC_SERVICE_UNIT),
    ],
    "province": [
        ("Trường THPT chuyên {b} số {i}", K.PUBLIC_SERVICE_UNIT),
        ("Trung tâm Y tế khu vực {i} {u}", K.PUBLIC_SERVICE_UNIT),
    ],
}
_ABBREVIATIONS = {
    K.PEOPLES_COMMITTEE: "UBND",
    K.PEOPLES_COUNCIL: "HĐND",
    K.PARTY_ORGANISATION: "ĐU",
    K.DEPARTMENT: "VP",
    K.PUBLIC_SERVICE_UNIT: "ĐV",
    K.MASS_ORGANISATION: "MT",
    K.PRESS_AGENCY: "BBT",
    K.STATE_ENTERPRISE: "CT",
    K.VILLAGE_BOARD: "BCT",
    K.OTHER: "VP",
}
# A body's pages, in this order of platforms (a fifth page is a second Facebook page …).
_PLATFORM_ORDER = ("facebook", "zalo", "youtube", "tiktok")
_SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Trịnh",
    "Đinh",
]
_MIDDLES = [
    "Văn",
    "Thị",
    "Hữu",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Thu",
    "Hoài",
    "Xuân",
    "Kim",
]
_GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hoa",
    "Hùng",
    "Hương",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phong",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Vân",
    "Yến",
]
_POSITIONS = (
    "Chánh Văn phòng",
    "Phó Chánh Văn phòng",
    "Chuyên viên",
    "Công chức Văn hóa - Xã hội",
    "Văn thư",
)
_RESPONSIBLE = ("Văn phòng", "Bộ phận Văn hóa - Thông tin", "Tổ biên tập trang", "Bộ phận Một cửa")


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


def _names(unit_name: str) -> dict[str, str]:
    for prefix in _PREFIXES:
        if unit_name.startswith(prefix):
            bare = unit_name[len(prefix) :]
            return {"u": prefix.lower() + bare, "b": bare, "p": _PARTY.get(prefix, "Đảng ủy")}
    return {"u": unit_name, "b": unit_name, "p": "Đảng ủy"}


def _slug(text: str, width: int = 16) -> str:
    # 16 letters + 7 digits: within every platform's handle rules (TikTok: 24 at most).
    return re.sub(r"[^a-z0-9]", "", fold(text))[:width] or "trang"


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


def _phone(rng: random.Random) -> str:
    return f"09{rng.randint(0, 99):02d} {rng.randint(0, 999):03d} {rng.randint(0, 999):03d}"


def _person(rng: random.Random) -> str:
    return f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLES)} {rng.choice(_GIVEN)}"


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


class Command(BaseCommand):
    help = (
        "Generate a synthetic registry (bodies, pages, contacts, rules, incidents) over the "
        "units in force, for benchmarks. Deterministic: the same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--bodies", type=int, default=100_000)
        parser.add_argument("--pages", type=int, default=150_000)
        parser.add_argument(
            "--incidents", type=int, default=None, help="Default: one per 40 bodies."
        )
        parser.add_argument(
            "--from",
            dest="period_from",
            type=date.fromisoformat,
            default=DEFAULT_FROM,
            help="First day of the period the incidents fall in (YYYY-MM-DD).",
        )
        parser.add_argument(
            "--until",
            dest="period_until",
            type=date.fromisoformat,
            default=DEFAULT_UNTIL,
            help="Last day of that period; bodies go to the units in force on it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add synthetic data even though the database holds real registry data.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = generate(
            seed=options["seed"],
            bodies=options["bodies"],
            pages=options["pages"],
            incidents=options["incidents"],
            period_from=options["period_from"],
            period_until=options["period_until"],
            force=options["force"],
        )
        self.stdout.write(
            f"{result.bodies} bodies, {result.pages} pages, {result.contacts} contacts, "
            f"{result.rules} posting rules, {result.incidents} incidents "
            f"in {result.seconds:.1f} s (seed {options['seed']})."
        )
