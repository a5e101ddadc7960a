"""Scoped reads of monitoring findings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from incidents.models import FindingState, MonitoringFinding
from units.models import Body
from users import scope
from users.models import User
from users.scope import Action


def findings_for(user: User, action: Action = Action.VIEW) -> QuerySet[MonitoringFinding]:
    """Findings about the bodies ``user`` may reach for ``action``."""
    return scope.restrict(
        user,
        MonitoringFinding.objects.all(),
        unit_path="body__unit__path",
        body="body",
        action=action,
    )


def get_finding_or_404(user: User, pk: Any, action: Action = Action.VIEW) -> MonitoringFinding:
    try:
        return (
            findings_for(user, action)
            .select_related("body", "body__unit", "page", "finder", "finder_unit", "remediated_by")
            .get(pk=pk)
        )
    except (MonitoringFinding.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def finding_rows(findings: QuerySet[MonitoringFinding]) -> QuerySet[MonitoringFinding]:
    return findings.select_related("body", "page", "finder").order_by("-found_on", "-pk")


@dataclass(frozen=True)
class FindingCounts:
    open: int
    overdue: int
    remediated: int


def finding_counts(body: Body) -> FindingCounts:
    """A body's findings still open, overdue and waiting for the finder (one query).

    Shown on the body's registry page, through ``accounts_registry.page_facts``
    (``incidents/registry_facts.py``).
    """
    today = timezone.localdate()
    counts = MonitoringFinding.objects.filter(body=body).aggregate(
        open=Count("pk", filter=Q(state=FindingState.OPEN)),
        overdue=Count("pk", filter=Q(state=FindingState.OPEN, deadline__lt=today)),
        remediated=Count("pk", filter=Q(state=FindingState.REMEDIATED)),
    )
    return FindingCounts(**counts)
