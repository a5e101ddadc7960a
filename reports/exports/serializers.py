"""Serializers of the exports API."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.models import ExportFormat, ExportJob, ExportState


@extend_schema_field(
    {
        "type": "string",
        "enum": list(ExportState.values),
        "description": "queued, running, done or failed",
    }
)
class ExportStateField(serializers.CharField):
    """The job's state, as an inline enum: "state" is a name many of the API's enums share."""


class ExportRequestSerializer(serializers.Serializer[Any]):
    fmt = serializers.ChoiceField(choices=ExportFormat.choices, help_text="The file format.")


class ExportJobSerializer(serializers.ModelSerializer[ExportJob]):
    report = serializers.IntegerField(source="report_id", read_only=True)
    state = ExportStateField(read_only=True)
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file once the export is done; null before."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "fmt",
            "state",
            "size",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, job: ExportJob) -> str | None:
        if job.state != ExportState.DONE:
            return None
        path = reverse("api-report-export-download", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
