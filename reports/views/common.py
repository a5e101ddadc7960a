"""What the report pages share: page sizes, form errors from services, due dates, pagers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Left
from django.http import HttpRequest
from django.utils import timezone

from reports.forms import verbose_name
from reports.models import BUILDABLE_STATES, ReportState, UnitReport
from reports.periods import due_dates
from reports.periods_policy import ROOT_LENGTH, province_id_of
from users import scope
from users.models import User

PAGE_SIZE = 50
# Rows of a report's body and page tables per page: a province's own bodies run to hundreds.
ROWS_PAGE_SIZE = 50
QUEUE_SIZE = 20
TODO_SIZE = 10
# Periods offered as chips on the list; older ones fold away under "Older periods".
CHIPS = 12

S = ReportState


# --- Helpers -------------------------------------------------------------------------------


def _label(name: str) -> str:
    return str(verbose_name(name))


def _apply_errors(form: Any, error: ValidationError) -> None:
    """Show a service's errors on the fields they name, else on top, naming the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
            continue
        for message in ValidationError(errors).messages:
            prefix = f"{_label(name)[:1].upper()}{_label(name)[1:]}: " if name != "__all__" else ""
            form.add_error(None, f"{prefix}{message}")


def _today() -> date:
    return timezone.localdate()


def _dress(reports: Iterable[UnitReport]) -> None:
    """Give each report its due date (its unit's level, in its province) and whether it is
    overdue now (one query for all of them)."""
    reports = list(reports)
    today = _today()
    due = due_dates(
        {report.period_id for report in reports},
        province_ids={province_id_of(report.unit.path) for report in reports},
    )
    for report in reports:
        report.due_on = due.of(report.period_id, report.unit.level_id, report.unit.path)  # type: ignore[attr-defined]
        report.overdue = (  # type: ignore[attr-defined]
            report.state in BUILDABLE_STATES
            and report.first_submitted_at is None
            and report.due_on is not None  # type: ignore[attr-defined]
            and today > report.due_on  # type: ignore[attr-defined]
        )


@dataclass(frozen=True)
class Pager:
    """One page of a report's rows, with links that keep the other tables' pages."""

    page: Page[Any]
    param: str
    anchor: str
    request: HttpRequest

    def _url(self, number: int) -> str:
        query = self.request.GET.copy()
        query[self.param] = str(number)
        return f"?{query.urlencode()}#{self.anchor}"

    @property
    def previous_url(self) -> str:
        return self._url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self._url(self.page.next_page_number()) if self.page.has_next() else ""


def _pager(request: HttpRequest, rows: QuerySet[Any], param: str, anchor: str) -> Pager:
    page = Paginator(rows, ROWS_PAGE_SIZE).get_page(request.GET.get(param))
    return Pager(page=page, param=param, anchor=anchor, request=request)


def _state_counts(reports: QuerySet[UnitReport]) -> dict[str, int]:
    return reports.aggregate(
        total=Count("pk"),
        **{state: Count("pk", filter=Q(state=state)) for state in S.values},
        late=Count("pk", filter=Q(submitted_late=True)),
    )


def _provinces_of(user: User) -> list[int]:
    """The provinces the user's units lie in (one query; none listed for an administrator)."""
    if scope.grants_for(user).is_admin:
        return []
    roots = (
        scope.units(user)
        .annotate(root=Left("path", ROOT_LENGTH))
        .values_list("root", flat=True)
        .order_by()
        .distinct()
    )
    return sorted({province_id_of(root) for root in roots})


def _posted(request: HttpRequest) -> Any:
    # A form posted empty (a confirmation button, nothing else) is still a bound form.
    return request.POST if request.method == "POST" else None
