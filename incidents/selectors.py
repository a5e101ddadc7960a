"""Reads of incidents: always through ``users.scope``, never filtered by hand."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.http import Http404

from incidents.models import (
    CLOSED_STATES,
    Evidence,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentStep,
)
from units.models import AdministrativeUnit
from users import scope
from users.models import User
from users.scope import Action


def incidents_for(user: User, action: Action = Action.VIEW) -> QuerySet[Incident]:
    """Incidents ``user`` may see (VIEW), report on (EDIT) or move along (REVIEW)."""
    return scope.restrict(
        user, Incident.objects.all(), unit_path="body__unit__path", body="body", action=action
    )


def get_incident_or_404(user: User, pk: Any, action: Action = Action.VIEW) -> Incident:
    try:
        return (
            incidents_for(user, action)
            .select_related("body", "body__unit", "page", "page__platform", "reporter")
            .get(pk=pk)
        )
    except (Incident.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def filter_incidents(
    incidents: QuerySet[Incident],
    *,
    state: str | None = None,
    kind: str | None = None,
    unit: AdministrativeUnit | None = None,
) -> QuerySet[Incident]:
    if state:
        incidents = incidents.filter(state=state)
    if kind:
        incidents = incidents.filter(kind=kind)
    if unit is not None:
        incidents = incidents.filter(body__unit__path__startswith=unit.path)
    return incidents


def incident_rows(incidents: QuerySet[Incident]) -> QuerySet[Incident]:
    """What a list shows, in a fixed number of queries."""
    return incidents.select_related("body", "body__unit", "page").order_by("-created_at", "-pk")


def steps_of(incident: Incident) -> QuerySet[IncidentStep]:
    return incident.steps.select_related("by").order_by("at", "pk")


def evidence_of(incident: Incident) -> QuerySet[Evidence]:
    return incident.evidence.select_related("added_by").order_by("added_at", "pk")


def history_of(incident: Incident, limit: int = 50) -> list[Any]:
    return list(incident.history.select_related("history_user").order_by("-history_date")[:limit])


def get_evidence_or_404(user: User, *, incident_id: Any, pk: Any) -> Evidence:
    """A piece of evidence of an incident in the user's scope, else 404."""
    try:
        return Evidence.objects.get(
            pk=pk, incident__in=incidents_for(user).filter(pk=incident_id).values("pk")
        )
    except (Evidence.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class IncidentCounts:
    """Incident figures of one body, for compliance reports."""

    opened: int
    reported_to_platform: int
    resolved: int
    # Sum and number of discovery-to-report intervals, so callers can average over any group.
    hours_to_report_total: float
    hours_to_report_count: int

    @property
    def mean_hours_to_report(self) -> float | None:
        if not self.hours_to_report_count:
            return None
        return self.hours_to_report_total / self.hours_to_report_count


def counts_by_body(body_ids: Iterable[int]) -> dict[int, IncidentCounts]:
    """Incident figures for a set of bodies, in one query; bodies without any are absent."""
    delay = ExpressionWrapper(
        F("reported_to_platform_at") - F("discovered_at"), output_field=DurationField()
    )
    rows = (
        Incident.objects.filter(body_id__in=list(body_ids))
        .values("body_id")
        .annotate(
            opened=Count("pk"),
            reported=Count("pk", filter=Q(reported_to_platform_at__isnull=False)),
            resolved=Count("pk", filter=Q(state=IncidentState.RESOLVED)),
            delay_total=Sum(delay, filter=Q(reported_to_platform_at__isnull=False)),
        )
        .order_by("body_id")
    )
    return {
        row["body_id"]: IncidentCounts(
            opened=row["opened"],
            reported_to_platform=row["reported"],
            resolved=row["resolved"],
            hours_to_report_total=(
                row["delay_total"].total_seconds() / 3600 if row["delay_total"] else 0.0
            ),
            hours_to_report_count=row["reported"],
        )
        for row in rows
    }


def open_losses_of_control() -> QuerySet[Incident]:
    """Loss-of-control incidents still open: their pages are not in their owners' hands.

    Not scoped: the public verification reads only the fact and its date, never an incident.
    """
    return Incident.objects.filter(kind=IncidentKind.LOST_CONTROL, page__isnull=False).exclude(
        state__in=CLOSED_STATES
    )


def lost_control_since(page_ref: str = "pk") -> Subquery:
    """A subquery for annotating pages: when the earliest open loss of control began, or NULL.

    ``page_ref`` names the page's id in the outer query. One subquery in the page query,
    so a list of pages costs no query per row. The registry's public reads annotate their
    pages with it through ``accounts_registry.page_facts`` (``incidents/registry_facts.py``).
    """
    earliest = (
        open_losses_of_control()
        .filter(page_id=OuterRef(page_ref))
        .values("page_id")
        .annotate(since=Min("discovered_at"))
        .values("since")
    )
    return Subquery(earliest[:1])
