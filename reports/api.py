"""The reports API: periods and their deadlines, builds, unit reports with their frozen rows,
and the review workflow (submit, accept, return, reopen).

Every report is fetched through ``reports.selectors`` (which asks ``users.scope``): a report
outside what the caller may see is not found (404), in lists, details, sub-resources and
actions alike. A report the caller sees but may not act on (a district filling in its
commune's report, a commune accepting its own) is a 403: the caller already knows it exists.
Writes go through ``reports.services``, so the API can do nothing the pages could not; a
step the data does not allow (submitting with declarations missing, returning without a
note) is a 400 naming the fields.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django_filters import rest_framework as drf_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.text import fold
from reports import selectors, services
from reports.models import (
    BuildRun,
    PeriodDeadline,
    PeriodKind,
    ReportingPeriod,
    ReportState,
    UnitReport,
)
from reports.periods import due_dates
from reports.periods_policy import province_id_of
from reports.serializers import (
    BuildRunSerializer,
    ReportAcceptInputSerializer,
    ReportBodyRowSerializer,
    ReportBuildInputSerializer,
    ReportChildRowSerializer,
    ReportNoteInputSerializer,
    ReportPageRowSerializer,
    ReportPeriodSerializer,
    UnitReportDetailSerializer,
    UnitReportSerializer,
    UnitReportUpdateSerializer,
)
from users.requests import AuthenticatedRequest
from users.scope import Action

_PERIOD_TAGS = ["report periods"]
_TAGS = ["reports"]
# The flags of a child row that the detail of a report counts.
_CHILD_FLAGS = ("expected", "submitted", "on_time", "accepted", "missing")


def _service_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a service, turning its Django validation errors into a 400 answer."""
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise ValidationError(detail) from error


# --- Periods and builds -----------------------------------------------------------------------


class MayBuild(BasePermission):
    """Administrators and provincial departments start builds and follow them.

    The same rule as the pages (``reports.selectors.can_build``): a build (re)computes the drafts
    of every unit of the period, so it is left to those who answer for a province or more.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.can_build(request.user)


class PeriodFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)

    class Meta:
        model = ReportingPeriod
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(
        summary="List the reporting periods, newest first, with their due dates per level",
        tags=_PERIOD_TAGS,
    ),
    retrieve=extend_schema(summary="One reporting period", tags=_PERIOD_TAGS),
)
class PeriodViewSet(viewsets.ReadOnlyModelViewSet[ReportingPeriod]):
    """Reporting periods: the same for every unit, so readable by every user."""

    serializer_class = ReportPeriodSerializer
    filterset_class = PeriodFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ReportingPeriod]:
        return selectors.periods()

    @extend_schema(
        summary="Build the period's reports from the registry (officers and administrators)",
        description="Queues a build of every unit's report for the period: missing reports "
        "are created, drafts and returned reports rebuilt; submitted and accepted ones are "
        "never touched. A build already queued or running is returned instead of a new one. "
        "Follow it at `/api/v1/reports/builds/{id}/`.",
        tags=_PERIOD_TAGS,
        request=ReportBuildInputSerializer,
        responses={202: BuildRunSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        permission_classes=[IsAuthenticated, MayBuild],
    )
    def build(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        period = self.get_object()
        serializer = ReportBuildInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.build_start(
            period=period, by=request.user, refresh=serializer.validated_data["refresh"]
        )
        run = BuildRun.objects.select_related("period").get(pk=run.pk)
        return Response(BuildRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="The progress of a build: state, done / total, percent, error",
        tags=_PERIOD_TAGS,
    ),
)
class BuildRunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet[BuildRun]):
    """Builds of periods, for the officers who start them to poll."""

    # Signed in (``IsAuthenticated``): the user is a ``User``.
    request: AuthenticatedRequest
    serializer_class = BuildRunSerializer
    permission_classes = [IsAuthenticated, MayBuild]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[BuildRun]:
        return selectors.build_runs_for(self.request.user)


# --- Reports ----------------------------------------------------------------------------------


def _rows(reports: QuerySet[UnitReport]) -> QuerySet[UnitReport]:
    """What a report line shows, for a page of reports in a fixed number of queries."""
    return reports.select_related("unit", "unit__level", "period").prefetch_related(
        Prefetch("period__deadlines", queryset=PeriodDeadline.objects.order_by("pk"))
    )


class ReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label="Unit name contains, ignoring case and diacritics"
    )
    period = django_filters.NumberFilter(field_name="period", label="Period")
    state = django_filters.ChoiceFilter(choices=ReportState.choices)
    unit = django_filters.NumberFilter(field_name="unit", label="Unit")
    review = drf_filters.BooleanFilter(
        method="filter_review",
        label="Only the submitted reports waiting for the caller's review, oldest period first",
    )

    class Meta:
        model = UnitReport
        fields = ["q", "period", "state", "unit", "review"]

    def filter_q(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        # Folded on both sides, so "cam ngoc", "CẨM NGỌC" and NFD input all find Cẩm Ngọc.
        key = fold(value)
        return queryset.filter(unit__search_name__contains=key) if key else queryset

    def filter_review(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset  # applied in ``filter_queryset``, which swaps the queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.form.cleaned_data.get("review"):
            user = self.request.user if self.request is not None else None
            queryset = _rows(selectors.review_queue(user))
        filtered: QuerySet[Any] = super().filter_queryset(queryset)
        return filtered


@extend_schema_view(
    list=extend_schema(
        summary="List the reports the caller may see (review=1: the caller's review queue)",
        description="Newest period first, then in tree order. A unit's officers see the "
        "reports of their unit and of every unit below; staff of a body, their body's unit.",
        tags=_TAGS,
    ),
    retrieve=extend_schema(
        summary="One report: figures, declarations, narrative, steps and the units below",
        tags=_TAGS,
        responses=UnitReportDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Fill in a draft or returned report (only the fields sent are changed)",
        description="Declarations, counts, the narrative and why units below have no "
        "accepted report. Only those who prepare the report (its own unit) may; a report "
        "the caller only reviews is a 403.",
        tags=_TAGS,
        request=UnitReportUpdateSerializer,
        responses=UnitReportDetailSerializer,
    ),
)
class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[UnitReport]
):
    """Unit reports in the caller's reach, and their review workflow."""

    # Signed in (``IsAuthenticated``): the user is a ``User``.
    request: AuthenticatedRequest
    serializer_class = UnitReportSerializer
    filterset_class = ReportFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[UnitReport]:
        return _rows(selectors.report_rows(selectors.reports_for(self.request.user)))

    def _context(self, reports: list[UnitReport], *, detail: bool) -> dict[str, Any]:
        """What the serializers add to each report, for a page of reports in a fixed number
        of queries: what the caller may do to each, and for a detail its steps and the
        summary of the units below."""
        user = self.request.user
        ids = [report.pk for report in reports]
        context: dict[str, Any] = {**self.get_serializer_context()}
        if not ids:
            return context
        context["preparable"] = set(
            selectors.preparable(user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        # Due dates, a province's own where it set them, for the whole page in one query.
        context["due_dates"] = due_dates(
            {report.period_id for report in reports},
            province_ids={province_id_of(report.unit.path) for report in reports},
        )
        context["reviewable"] = set(
            selectors.reports_for(user, Action.REVIEW)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if detail:
            # A detail is one report: its steps and the summary of its child rows.
            (report,) = reports
            context["steps"] = {report.pk: list(selectors.steps_of(report))}
            summary = selectors.child_rows_of(report).aggregate(
                **{flag: Count("pk", filter=Q(**{flag: True})) for flag in _CHILD_FLAGS}
            )
            context["children"] = {report.pk: {flag: summary[flag] for flag in _CHILD_FLAGS}}
        return context

    def _answer(self, pk: Any) -> Response:
        """The detail, read afresh through the same scoped queryset as the list."""
        report = self.get_queryset().filter(pk=pk).first()
        if report is None:
            raise Http404
        context = self._context([report], detail=True)
        return Response(UnitReportDetailSerializer(report, context=context).data)

    def _visible(self, pk: Any) -> UnitReport:
        return selectors.get_report_or_404(self.request.user, pk)

    def _preparable(self, pk: Any) -> UnitReport:
        """The report, if the caller may fill it in: 404 unseen, 403 seen but not theirs."""
        report = self._visible(pk)
        if not selectors.can_prepare(self.request.user, report):
            raise PermissionDenied
        return report

    def _reviewable(self, pk: Any) -> UnitReport:
        """The report, if the caller reviews it: 404 unseen, 403 seen but not reviewed."""
        report = self._visible(pk)
        if not selectors.can_review(self.request.user, report):
            raise PermissionDenied
        return report

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = UnitReportSerializer(rows, many=True, context=self._context(rows, detail=False)).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(kwargs["pk"])

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self._preparable(kwargs.get("pk"))
        serializer = UnitReportUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        report = _service_call(
            services.report_update, report=report, by=self.request.user, **serializer.validated_data
        )
        return self._answer(report.pk)

    @extend_schema(
        summary="Submit the report to the level above",
        description="Rebuilds the report from the registry first. Refused (400) while a "
        "declaration is not filled in (each one named), and while a unit below has no "
        "accepted report unless `missing_children_reason` says why.",
        tags=_TAGS,
        request=None,
        responses=UnitReportDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def submit(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        report = self._preparable(pk)
        _service_call(services.report_submit, report=report, by=request.user)
        return self._answer(report.pk)

    @extend_schema(
        summary="Accept a submitted report of a unit below: it is frozen from now on",
        tags=_TAGS,
        request=ReportAcceptInputSerializer,
        responses=UnitReportDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def accept(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        report = self._reviewable(pk)
        serializer = ReportAcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _service_call(
            services.report_accept,
            report=report,
            by=request.user,
            note=serializer.validated_data["note"],
        )
        return self._answer(report.pk)

    @extend_schema(
        summary="Return a submitted report to its unit, saying what to correct",
        tags=_TAGS,
        request=ReportNoteInputSerializer,
        responses=UnitReportDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[], url_path="return")
    def return_(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        report = self._reviewable(pk)
        serializer = ReportNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _service_call(
            services.report_return,
            report=report,
            by=request.user,
            note=serializer.validated_data["note"],
        )
        return self._answer(report.pk)

    @extend_schema(
        summary="Reopen an accepted report of a unit below, saying why",
        description="Any level above may. The report goes back to returned; the reports "
        "above that rolled it up keep what they froze.",
        tags=_TAGS,
        request=ReportNoteInputSerializer,
        responses=UnitReportDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reopen(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        report = self._reviewable(pk)
        serializer = ReportNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = _service_call(
            services.report_reopen,
            report=report,
            by=request.user,
            note=serializer.validated_data["note"],
        )
        return self._answer(report.pk)

    def _paginated(self, rows: QuerySet[Any], serializer_class: Any) -> Response:
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(serializer_class(page, many=True).data)
        return Response(serializer_class(rows, many=True).data)

    @extend_schema(
        summary="The report's bodies as built: one row each, with its figures",
        tags=_TAGS,
        responses=ReportBodyRowSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def bodies(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._paginated(selectors.body_rows_of(self._visible(pk)), ReportBodyRowSerializer)

    @extend_schema(
        summary="The report's live pages as built: one row each",
        tags=_TAGS,
        responses=ReportPageRowSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def pages(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._paginated(selectors.page_rows_of(self._visible(pk)), ReportPageRowSerializer)

    @extend_schema(
        summary="The units directly below as built: state of their reports, accepted totals",
        tags=_TAGS,
        responses=ReportChildRowSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def children(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._paginated(selectors.child_rows_of(self._visible(pk)), ReportChildRowSerializer)
