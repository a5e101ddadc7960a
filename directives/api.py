"""The directives API: letters sent down the hierarchy, their receipts and the reports back.

Every read goes through ``directives.selectors`` (which asks ``users.scope``): a directive or
receipt outside the caller's reach is not found (404), and so is one the caller may read but
not act on (issue, remind, acknowledge, report). Writes go through ``directives.services``,
so the API can do nothing the pages could not; a step the data does not allow (issuing an
issued letter, say) is a 400 with the service's message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from directives import selectors, services
from directives.models import (
    AskedFigure,
    Attachment,
    Directive,
    DirectiveState,
    ImplementationReport,
    NamedGroup,
    Receipt,
    ReportFigure,
)
from directives.serializers import (
    ChainSerializer,
    DirectiveCreateSerializer,
    DirectiveSerializer,
    DirectiveUpdateSerializer,
    FileListInputSerializer,
    ReceiptDetailSerializer,
    ReceiptSerializer,
    ReceiptTableSerializer,
    RemindedSerializer,
    RemindInputSerializer,
    ReportInputSerializer,
    ReportSerializer,
)
from legal.models import LegalNode
from users import scope
from users.requests import AuthenticatedRequest

_TAGS = ["directives"]
_RECEIPT_TAGS = ["directive receipts"]


def _service_call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a service, turning its Django validation errors into a 400 answer."""
    try:
        return function(*args, **kwargs)
    except DjangoValidationError as error:
        detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
        raise ValidationError(detail) from error


# --- Directives -------------------------------------------------------------------------------


class DirectiveFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text", label="Number, symbol or subject, ignoring case and diacritics"
    )
    state = django_filters.ChoiceFilter(method="filter_text", choices=DirectiveState.choices)
    issuer = django_filters.NumberFilter(method="filter_id", label="Issuing body")

    class Meta:
        model = Directive
        fields = ["q", "state", "issuer"]

    # The filters are applied together by ``filter_queryset`` below, through the selector;
    # the methods' hints give the schema its parameter types.
    def filter_text(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset

    def filter_id(self, queryset: QuerySet[Any], name: str, value: int) -> QuerySet[Any]:
        return queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        data = self.form.cleaned_data
        return selectors.filter_directives(
            queryset,
            q=data.get("q") or "",
            state=data.get("state") or "",
            issuer=data.get("issuer"),
        )


def _directive_rows(queryset: QuerySet[Directive]) -> QuerySet[Directive]:
    return queryset.select_related("implements_paper").prefetch_related(
        Prefetch("groups", queryset=NamedGroup.objects.prefetch_related("units", "bodies")),
        Prefetch("asked_figures", queryset=AskedFigure.objects.order_by("position")),
        "instructions",
        Prefetch("cited_nodes", queryset=LegalNode.objects.order_by("order")),
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
    )


def _directive_context(
    request: AuthenticatedRequest, directives: Iterable[Directive], base: dict[str, Any]
) -> dict[str, Any]:
    """What the directive serializer adds to each row, for a page of rows in three queries:
    the counts over the receipts the caller may see, whether the caller manages it, and the
    caller's own receipts."""
    user = request.user
    directives = list(directives)
    ids = [d.pk for d in directives]
    today = timezone.localdate()
    counts = (
        selectors.receipts_for(user)
        .filter(directive_id__in=ids)
        .values("directive_id")
        .annotate(
            total=Count("pk"),
            acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
            # A recipient that has ceased cannot answer any more: it is not late.
            overdue=Count(
                "pk",
                filter=Q(
                    reported_at__isnull=True,
                    directive__report_deadline__lt=today,
                    directive__state=DirectiveState.ISSUED,
                )
                & selectors.receipt_open_q(today),
            ),
        )
    )
    summaries = {
        row.pop("directive_id"): {key: int(value) for key, value in row.items()} for row in counts
    }
    mine: dict[int, list[int]] = defaultdict(list)
    for receipt_id, directive_id in (
        selectors.inbox_for(user)
        .filter(directive_id__in=ids)
        .order_by("pk")
        .values_list("pk", "directive_id")
    ):
        mine[directive_id].append(receipt_id)
    issuers = {d.issuer_id for d in directives}
    managed = set(scope.issuing_bodies(user).filter(pk__in=issuers).values_list("pk", flat=True))
    return {**base, "summaries": summaries, "my_receipts": dict(mine), "managed_issuers": managed}


@extend_schema_view(
    list=extend_schema(
        summary="List the directives the caller may read",
        description="Drafts and issued letters of the bodies the caller issues for or oversees, "
        "and the issued letters addressed to the caller or to the units below.",
        tags=_TAGS,
    ),
    retrieve=extend_schema(summary="One directive the caller may read", tags=_TAGS),
    create=extend_schema(
        summary="Draft a directive for a body the caller may issue letters for",
        tags=_TAGS,
        request=DirectiveCreateSerializer,
        responses={201: DirectiveSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a draft (only the parts sent)",
        tags=_TAGS,
        request=DirectiveUpdateSerializer,
        responses=DirectiveSerializer,
    ),
)
class DirectiveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Directive],
):
    """Directives (công văn) in the caller's reach."""

    # Signed in (``IsAuthenticated``): the user is a ``User``.
    request: AuthenticatedRequest
    serializer_class = DirectiveSerializer
    filterset_class = DirectiveFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Directive]:
        return _directive_rows(selectors.directives_for(self.request.user))

    def _managed(self, pk: Any) -> Directive:
        return selectors.get_managed_or_404(self.request.user, pk)

    def _answer(self, directive: Directive, code: int = status.HTTP_200_OK) -> Response:
        fresh = _directive_rows(selectors.directives_for(self.request.user)).get(pk=directive.pk)
        context = _directive_context(self.request, [fresh], self.get_serializer_context())
        return Response(DirectiveSerializer(fresh, context=context).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = _directive_context(self.request, rows, self.get_serializer_context())
        data = DirectiveSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(self.get_object())

    @staticmethod
    def _write_arguments(data: dict[str, Any]) -> dict[str, Any]:
        """The services' keyword arguments from a validated write serializer's data."""
        arguments: dict[str, Any] = {
            "fields": {name: data[name] for name in services.DRAFT_FIELDS if name in data}
        }
        if "instructions" in data:
            arguments["instructions"] = data["instructions"]
        if "cited_nodes" in data or "cited_refs" in data:
            cited = {node.pk: node for node in data.get("cited_nodes", [])}
            cited.update({node.pk: node for node in data.get("cited_refs", [])})
            arguments["cited"] = list(cited.values())
        if "implements" in data:
            arguments["implements"] = data["implements"]
        if "recipients" in data:
            chosen = data["recipients"]
            arguments["recipients"] = services.Recipients(
                units=chosen.get("units", []),
                bodies=chosen.get("bodies", []),
                groups=[
                    services.RecipientGroup(group["parent"], group["level"])
                    for group in chosen.get("groups", [])
                ],
                named=[
                    services.NamedGroupSpec(
                        name=named["name"],
                        kind=named["kind"],
                        placement=named["placement"],
                        units=named.get("units", []),
                        bodies=named.get("bodies", []),
                        level_groups=[
                            services.RecipientGroup(group["parent"], group["level"])
                            for group in named.get("groups", [])
                        ],
                        tasks=named.get("tasks", []),
                    )
                    for named in chosen.get("named", [])
                ],
            )
        if "asked_figures" in data:
            arguments["asked_figures"] = [
                services.FigureSpec(
                    key=item["key"], label=item["label"], unit=item["unit"], task=item["task"]
                )
                for item in data["asked_figures"]
            ]
        if "implements_paper" in data:
            paper = data["implements_paper"]
            arguments["paper"] = None if paper is None else services.PaperSpec(**paper)
        return arguments

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = DirectiveCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        directive = _service_call(
            services.directive_create,
            issuer=data["issuer"],
            by=self.request.user,
            **self._write_arguments(data),
        )
        return self._answer(directive, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        directive = self._managed(kwargs.get("pk"))
        serializer = DirectiveUpdateSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        directive = _service_call(
            services.directive_update,
            directive,
            by=self.request.user,
            **self._write_arguments(serializer.validated_data),
        )
        return self._answer(directive)

    @extend_schema(
        summary="Attach files to a draft",
        tags=_TAGS,
        request={"multipart/form-data": FileListInputSerializer},
        responses=DirectiveSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser],
    )
    def attachments(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        directive = self._managed(pk)
        serializer = FileListInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        directive = _service_call(
            services.directive_update,
            directive,
            by=request.user,
            fields={},
            files=serializer.validated_data["files"],
        )
        return self._answer(directive)

    @extend_schema(
        summary="Issue a draft: deliver it to every recipient",
        tags=_TAGS,
        request=None,
        responses=DirectiveSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def issue(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        directive = _service_call(services.directive_issue, self._managed(pk), by=request.user)
        return self._answer(directive)

    @extend_schema(
        summary="Archive a draft that will not be issued",
        tags=_TAGS,
        request=None,
        responses=DirectiveSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def archive(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        directive = _service_call(services.directive_archive, self._managed(pk), by=request.user)
        return self._answer(directive)

    @extend_schema(
        summary="Remind the recipients who have not reported (once a day each)",
        tags=_TAGS,
        request=RemindInputSerializer,
        responses=RemindedSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def remind(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        directive = self._managed(pk)
        serializer = RemindInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        chosen = serializer.validated_data.get("receipts")
        receipts = None if chosen is None else list(directive.receipts.filter(pk__in=chosen))
        outcome = _service_call(services.remind_now, directive, by=request.user, receipts=receipts)
        return Response(
            RemindedSerializer({"reminded": outcome.reminded, "skipped": outcome.skipped}).data
        )

    @extend_schema(
        summary="The chain: what this directive implements, and the tree implementing it",
        description="Each directive of the tree comes with its tally of recipients and the "
        "recipients late in reporting, as far as the caller may see.",
        tags=_TAGS,
        responses=ChainSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def chain(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        directive = selectors.get_directive_or_404(request.user, pk)
        ancestors = selectors.ancestors_of(request.user, directive)
        data = {
            "ancestors": ancestors,
            "tree": selectors.chain_below(request.user, directive),
            "paper_root": selectors.paper_root(request.user, directive, ancestors),
        }
        return Response(ChainSerializer(data, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The table of recipients: received, acknowledged, reported, overdue",
        operation_id="v1_directives_receipt_table",
        description="The issuing side sees every recipient with its reports; anyone else only "
        "the receipts within their reach.",
        tags=_TAGS,
        responses=ReceiptTableSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def receipts(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        user = request.user
        directive = selectors.get_directive_or_404(user, pk)
        rows = selectors.receipt_rows(directive)
        if not selectors.can_manage(user, directive):
            visible = set(
                selectors.receipts_for(user)
                .filter(directive=directive)
                .values_list("pk", flat=True)
            )
            rows = [row for row in rows if row.receipt.pk in visible]
        reports: dict[int, list[ImplementationReport]] = defaultdict(list)
        for report in selectors.reports_of(directive).filter(
            receipt_id__in=[row.receipt.pk for row in rows]
        ):
            reports[report.receipt_id].append(report)
        context = {**self.get_serializer_context(), "reports": reports}
        table = {"tally": selectors.tally(rows), "rows": rows}
        return Response(ReceiptTableSerializer(table, context=context).data)


# --- Receipts ---------------------------------------------------------------------------------


class ReceiptFilter(django_filters.FilterSet):
    inbox = django_filters.BooleanFilter(
        method="filter_inbox",
        label="Only the letters addressed to what the caller answers for, newest first",
    )
    directive = django_filters.NumberFilter(field_name="directive", label="Directive")

    class Meta:
        model = Receipt
        fields = ["inbox", "directive"]

    def filter_inbox(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        return queryset  # applied in ``filter_queryset``, which may swap the queryset

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.form.cleaned_data.get("inbox"):
            user = self.request.user if self.request is not None else None
            queryset = selectors.inbox_for(user)
        filtered: QuerySet[Any] = super().filter_queryset(queryset)
        return filtered


def _answerable_ids(user: Any, receipts: Iterable[Receipt]) -> set[int]:
    """The receipts ``user`` answers for, leaving out those whose recipient has ceased."""
    ids = [r.pk for r in receipts]
    return set(
        scope.addressed_to(user, Receipt.objects.filter(pk__in=ids))
        .filter(selectors.receipt_open_q(scope.acting_day()))
        .values_list("pk", flat=True)
    )


@extend_schema_view(
    list=extend_schema(
        summary="List the receipts the caller may read (inbox=true: the caller's inbox)",
        tags=_RECEIPT_TAGS,
    ),
    retrieve=extend_schema(
        summary="One receipt, with its reports",
        description="Opening a receipt addressed to the caller records that it was read.",
        tags=_RECEIPT_TAGS,
        responses=ReceiptDetailSerializer,
    ),
)
class ReceiptViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Receipt]
):
    """Receipts of issued directives: one per recipient, acknowledged and reported on."""

    # Signed in (``IsAuthenticated``): the user is a ``User``.
    request: AuthenticatedRequest
    serializer_class = ReceiptSerializer
    filterset_class = ReceiptFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Receipt]:
        return (
            selectors.receipts_for(self.request.user)
            .select_related("directive", "directive__issuer", "unit", "body")
            .order_by("-directive__issued_on", "-directive_id", "unit__path", "pk")
        )

    def _detail(self, receipt: Receipt, code: int = status.HTTP_200_OK) -> Response:
        fresh = (
            Receipt.objects.select_related("directive", "directive__issuer", "unit", "body")
            .prefetch_related(
                Prefetch(
                    "reports",
                    queryset=ImplementationReport.objects.select_related(
                        "submitted_by"
                    ).prefetch_related(
                        Prefetch("figures", queryset=ReportFigure.objects.order_by("position")),
                        Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
                    ),
                )
            )
            .get(pk=receipt.pk)
        )
        context = {
            **self.get_serializer_context(),
            "answerable": _answerable_ids(self.request.user, [fresh]),
            "tasks": selectors.tasks_by_receipt([fresh]),
        }
        return Response(ReceiptDetailSerializer(fresh, context=context).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {
            **self.get_serializer_context(),
            "answerable": _answerable_ids(self.request.user, rows),
            "tasks": selectors.tasks_by_receipt(rows),
        }
        data = ReceiptSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        receipt = selectors.get_receipt_or_404(self.request.user, kwargs.get("pk"))
        if receipt.directive.is_issued and selectors.answerable(self.request.user, receipt):
            services.receipt_open(receipt, by=self.request.user)
        return self._detail(receipt)

    @extend_schema(
        summary="Acknowledge receipt of a directive addressed to the caller",
        tags=_RECEIPT_TAGS,
        request=None,
        responses=ReceiptDetailSerializer,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        receipt = selectors.get_answerable_or_404(request.user, pk)
        receipt = _service_call(services.receipt_acknowledge, receipt, by=request.user)
        return self._detail(receipt)

    @extend_schema(
        summary="Report back on implementation: text, figures and files",
        tags=_RECEIPT_TAGS,
        request={
            "multipart/form-data": ReportInputSerializer,
            "application/json": ReportInputSerializer,
        },
        responses={201: ReportSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def reports(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        receipt = selectors.get_answerable_or_404(request.user, pk)
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = _service_call(
            services.report_submit,
            receipt,
            by=request.user,
            text=data["text"],
            figures=data.get("figures") or [],
            files=data.get("files") or [],
            asked=data.get("asked") or {},
        )
        fresh = (
            ImplementationReport.objects.select_related("submitted_by")
            .prefetch_related("figures", "attachments")
            .get(pk=report.pk)
        )
        return Response(
            ReportSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
