"""The reach's registry, live: bodies and pages, their gaps, and the period's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.urls import reverse

from accounts_registry.models import ContactPerson, PageState, PostingRules
from accounts_registry.selectors.pages import GAPS, gaps_of, pages_for, with_gaps
from incidents.models import IncidentState
from incidents.selectors import incidents_for
from reports import selectors
from reports.build import local_bounds
from reports.dashboard.model import SENT, BodyGap, Gaps, PageGap
from reports.dashboard.reach import Reach
from reports.models import ReportingPeriod
from users import scope

# How many bodies and pages with gaps are listed; the counts cover them all.
GAPS_LISTED = 10


def body_gap(
    *, body_id: int, name: str, unit_name: str, has_contact: bool, has_rules: bool
) -> BodyGap:
    """One listed body with what it lacks: read live here, or from built rows (``built``)."""
    return BodyGap(
        body_id=body_id,
        name=name,
        unit_name=unit_name,
        url=reverse("registry:body_registry", kwargs={"body_id": body_id}),
        gaps=[
            (code, GAPS[code])
            for code, missing in (("no_contact", not has_contact), ("no_rules", not has_rules))
            if missing
        ],
    )


@dataclass
class Registry:
    """Live counts of the reach's bodies and pages (two aggregate queries)."""

    bodies: dict[str, int]
    pages: dict[str, int]


def _active_contacts() -> QuerySet[ContactPerson]:
    return ContactPerson.objects.filter(body=OuterRef("pk"), archived_at__isnull=True)


def _live_bodies(reach: Reach) -> QuerySet[Any]:
    """The reach's live bodies the user may see, with the build's has-contact / rules rules."""
    bodies = reach.within(scope.bodies(reach.user), "unit__path").filter(archived_at__isnull=True)
    return bodies.annotate(
        has_contact=Exists(_active_contacts()),
        contact_notified=Exists(
            _active_contacts().exclude(notice_number="").filter(notice_date__isnull=False)
        ),
        has_rules=Exists(
            PostingRules.objects.filter(body=OuterRef("pk"), superseded_at__isnull=True)
        ),
    )


def _live_pages(reach: Reach) -> QuerySet[Any]:
    """The reach's live pages the user may see, annotated by the registry's ``with_gaps``."""
    pages = reach.within(pages_for(reach.user), "body__unit__path")
    return with_gaps(pages.exclude(state=PageState.ARCHIVED).filter(body__archived_at__isnull=True))


_PAGE_GAP = (
    Q(has_contact=False) | Q(has_rules=False) | Q(is_platform_verified=False) | Q(needs_review=True)
)


def _registry(reach: Reach) -> Registry:
    no_gap = Q(has_contact=True, has_rules=True)
    bodies = _live_bodies(reach).aggregate(
        bodies=Count("pk"),
        bodies_with_contact=Count("pk", filter=Q(has_contact=True)),
        bodies_contact_notified=Count("pk", filter=Q(contact_notified=True)),
        bodies_with_rules=Count("pk", filter=Q(has_rules=True)),
        bodies_with_gaps=Count("pk", filter=~no_gap),
    )
    approved = Q(state=PageState.APPROVED)
    pages = _live_pages(reach).aggregate(
        pages_registered=Count("pk"),
        pages_approved=Count("pk", filter=approved),
        pages_verified=Count("pk", filter=approved & Q(is_platform_verified=True)),
        pages_needing_review=Count("pk", filter=Q(needs_review=True)),
        pages_with_responsible_unit=Count("pk", filter=approved & ~Q(responsible_unit="")),
        pages_not_verified=Count("pk", filter=Q(is_platform_verified=False)),
        pages_with_gaps=Count("pk", filter=_PAGE_GAP),
    )
    return Registry(bodies=bodies, pages=pages)


def _gaps(reach: Reach, registry: Registry) -> Gaps:
    """The counts of gaps, and the first bodies and pages with gaps (two queries)."""
    bodies = registry.bodies
    pages = registry.pages
    gaps = Gaps(
        bodies=bodies["bodies"],
        bodies_with_gaps=bodies["bodies_with_gaps"],
        no_contact=bodies["bodies"] - bodies["bodies_with_contact"],
        no_rules=bodies["bodies"] - bodies["bodies_with_rules"],
        pages=pages["pages_registered"],
        pages_with_gaps=pages["pages_with_gaps"],
        needs_review=pages["pages_needing_review"],
        not_verified=pages["pages_not_verified"],
    )
    query = f"?unit={reach.unit.pk}&gap=needs_review" if reach.unit else "?gap=needs_review"
    gaps.pages_url = reverse("registry:page_list") + query
    if gaps.bodies_with_gaps:
        listed = (
            _live_bodies(reach)
            .filter(Q(has_contact=False) | Q(has_rules=False))
            .order_by("has_contact", "has_rules", "unit__path", "name", "pk")
            .values("pk", "name", "unit__name", "has_contact", "has_rules")[:GAPS_LISTED]
        )
        gaps.body_list = [
            body_gap(
                body_id=row["pk"],
                name=row["name"],
                unit_name=row["unit__name"],
                has_contact=row["has_contact"],
                has_rules=row["has_rules"],
            )
            for row in listed
        ]
    if gaps.pages_with_gaps:
        listed_pages = (
            _live_pages(reach)
            .filter(_PAGE_GAP)
            .select_related("body", "body__unit", "platform")
            .order_by(
                F("needs_review").desc(),
                "has_contact",
                "has_rules",
                "body__unit__path",
                "body__name",
                "display_name",
                "pk",
            )[:GAPS_LISTED]
        )
        gaps.page_list = [
            PageGap(
                page_id=page.pk,
                name=page.display_name,
                platform=page.platform.label,
                body_name=page.body.name,
                unit_name=page.body.unit.name,
                url=reverse("registry:page_detail", kwargs={"pk": page.pk}),
                gaps=gaps_of(page),
            )
            for page in listed_pages
        ]
    return gaps


def _hours(value: Any) -> float:
    """A summed duration as hours: a timedelta on PostgreSQL, microseconds on SQLite."""
    if not value:
        return 0.0
    if isinstance(value, timedelta):
        return value.total_seconds() / 3600
    return float(value) / 1_000_000 / 3600


def _live_incidents(reach: Reach, period: ReportingPeriod) -> dict[str, Any]:
    """The period's incidents of the reach, counted now (one query)."""
    start, end = local_bounds(period)

    def within(name: str) -> Q:
        return Q(**{f"{name}__gte": start, f"{name}__lt": end})

    delay = ExpressionWrapper(
        F("reported_to_platform_at") - F("discovered_at"), output_field=DurationField()
    )
    incidents = reach.within(incidents_for(reach.user), "body__unit__path").aggregate(
        incidents_opened=Count("pk", filter=within("discovered_at")),
        incidents_reported=Count("pk", filter=within("reported_to_platform_at")),
        incidents_resolved=Count(
            "pk", filter=within("closed_at") & Q(state=IncidentState.RESOLVED)
        ),
        delay=Sum(delay, filter=within("reported_to_platform_at")),
    )
    return {
        "incidents_opened": incidents["incidents_opened"],
        "incidents_reported": incidents["incidents_reported"],
        "incidents_resolved": incidents["incidents_resolved"],
        "hours_to_report_total": round(_hours(incidents["delay"]), 2),
        "hours_to_report_count": incidents["incidents_reported"],
    }


def _live_figures(
    reach: Reach,
    period: ReportingPeriod,
    registry: Registry,
    incidents: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The figures of ``totals`` over the reach (one or two more queries).

    The registry's counts given (live, or from the built reports: ``reports.dashboard.built``),
    the incidents of the period (given, else counted now), and the declarations of the
    period's reports of the reach that were submitted or accepted.
    """
    if incidents is None:
        incidents = _live_incidents(reach, period)
    reports = reach.within(selectors.reports_for(reach.user), "unit__path").filter(
        period=period, state__in=SENT
    )
    declared = reports.aggregate(
        units_reporting=Count("pk"),
        units_info_consistent=Count("pk", filter=Q(info_consistent=True)),
        units_security_measures=Count("pk", filter=Q(security_measures=True)),
        impersonation_scans=Sum("impersonation_scans"),
        fake_pages_found=Sum("fake_pages_found"),
        fake_pages_reported=Sum("fake_pages_reported"),
        fake_pages_taken_down=Sum("fake_pages_taken_down"),
        dissemination_sessions=Sum("dissemination_sessions"),
        participants=Sum("participants"),
        positive_posts=Sum("positive_posts"),
        comments_answered=Sum("comments_answered"),
    )
    figures: dict[str, Any] = {
        **{k: v for k, v in registry.bodies.items() if k != "bodies_with_gaps"},
        **{
            k: v
            for k, v in registry.pages.items()
            if k not in {"pages_not_verified", "pages_with_gaps"}
        },
        **{k: v or 0 for k, v in declared.items()},
        **incidents,
    }
    return figures
