"""The exports API: ask for an export of a report, follow it, download the file.

Every request reaches the report through ``reports.selectors.get_report_or_404``: a report
or an export outside the caller's scope is a 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import selectors
from reports.exports import services
from reports.exports.serializers import ExportJobSerializer, ExportRequestSerializer
from reports.exports.views import file_response, get_export_or_404
from reports.models import ExportFormat, ExportState

_TAGS = ["report exports"]
_NOT_FOUND = OpenApiResponse(description="Not found, or outside the caller's scope.")


class ReportExportCreateView(APIView):
    """Ask for an export of a report."""

    @extend_schema(
        summary="Ask for an export of a report",
        description=(
            "Reuses the finished export of an unchanged report; builds a small report at "
            "once (state `done`) and queues a large one (state `queued`): poll the job."
        ),
        request=ExportRequestSerializer,
        responses={201: ExportJobSerializer, 200: ExportJobSerializer, 404: _NOT_FOUND},
        tags=_TAGS,
    )
    def post(self, request: Request, report_id: int) -> Response:
        report = selectors.get_report_or_404(request.user, report_id)
        payload = ExportRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        job = services.export_request(
            report=report, fmt=payload.validated_data["fmt"], user=request.user
        )
        code = status.HTTP_200_OK if job.state == ExportState.DONE else status.HTTP_201_CREATED
        return Response(ExportJobSerializer(job, context={"request": request}).data, status=code)


class ExportDetailView(APIView):
    """One export: its state and, when done, where to download it."""

    @extend_schema(
        summary="The state of an export",
        responses={200: ExportJobSerializer, 404: _NOT_FOUND},
        tags=_TAGS,
    )
    def get(self, request: Request, export_id: int) -> Response:
        job = get_export_or_404(request.user, export_id)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportDownloadView(APIView):
    """The file of a finished export."""

    @extend_schema(
        summary="Download the file of a finished export",
        responses={
            (200, services.CONTENT_TYPES[ExportFormat.XLSX]): OpenApiTypes.BINARY,
            (200, services.CONTENT_TYPES[ExportFormat.DOCX]): OpenApiTypes.BINARY,
            (200, services.CONTENT_TYPES[ExportFormat.PDF]): OpenApiTypes.BINARY,
            (200, services.CONTENT_TYPES[ExportFormat.CSV]): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="The export is not finished."),
            404: _NOT_FOUND,
        },
        tags=_TAGS,
    )
    def get(self, request: Request, export_id: int) -> Response:
        job = get_export_or_404(request.user, export_id)
        if job.state != ExportState.DONE or not job.file:
            return Response(
                {"detail": "The export is not finished.", "state": job.state},
                status=status.HTTP_409_CONFLICT,
            )
        return file_response(job)  # type: ignore[return-value]
