"""What a directive looks like in the API: the letter, its files, groups, figures asked and
the letters it cites or implements."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives.models import AskedFigure, Attachment, Directive, NamedGroup, PaperLetter
from legal.models import LegalNode


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    name = serializers.CharField(source="original_filename", read_only=True)
    url = serializers.SerializerMethodField(help_text="Download address (the portal's page).")

    class Meta:
        model = Attachment
        fields = ["id", "name", "kind", "size", "url"]
        read_only_fields = fields

    def get_url(self, obj: Attachment) -> str:
        path = reverse("directives:attachment", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class CitedNodeSerializer(serializers.ModelSerializer[LegalNode]):
    """A clause the directive cites: its database id and its stable id (``ref``)."""

    class Meta:
        model = LegalNode
        fields = ["id", "ref", "number", "title", "text_status"]
        read_only_fields = fields


class RecipientsSummarySerializer(serializers.Serializer[Any]):
    """Counts over the receipts the caller may see (every one, for the issuing side)."""

    total = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    reported = serializers.IntegerField()
    overdue = serializers.IntegerField()


class DirectiveRefSerializer(serializers.ModelSerializer[Directive]):
    """A directive named in another answer: a receipt, a chain, an implementation."""

    issuer_name = serializers.CharField(source="issuer.name", read_only=True)

    class Meta:
        model = Directive
        fields = [
            "id",
            "reference",
            "subject",
            "issuer",
            "issuer_name",
            "issued_on",
            "report_deadline",
        ]
        read_only_fields = fields


class PaperLetterSerializer(serializers.ModelSerializer[PaperLetter]):
    """A letter from above that exists only on paper."""

    scan_url = serializers.SerializerMethodField(help_text="Download address of its scan.")

    class Meta:
        model = PaperLetter
        fields = ["id", "reference", "issued_on", "issuer_name", "subject", "scan_url"]
        read_only_fields = fields

    def get_scan_url(self, obj: PaperLetter) -> str | None:
        if not obj.scan:
            return None
        path = reverse("directives:paper_scan", args=[obj.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class NamedGroupSerializer(serializers.ModelSerializer[NamedGroup]):
    """A named recipient group: outside the portal when it has no member in it."""

    unit_ids: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="units", many=True, read_only=True
    )
    body_ids: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(
        source="bodies", many=True, read_only=True
    )
    outside_portal = serializers.SerializerMethodField()

    class Meta:
        model = NamedGroup
        fields = [
            "position",
            "name",
            "kind",
            "placement",
            "task_numbers",
            "unit_ids",
            "body_ids",
            "outside_portal",
        ]
        read_only_fields = fields

    def get_outside_portal(self, obj: NamedGroup) -> bool:
        return not obj.units.all() and not obj.bodies.all()


class AskedFigureSerializer(serializers.ModelSerializer[AskedFigure]):
    class Meta:
        model = AskedFigure
        fields = ["key", "label", "unit", "task_number"]
        read_only_fields = fields


class DirectiveSerializer(serializers.ModelSerializer[Directive]):
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    implements_paper = PaperLetterSerializer(read_only=True, allow_null=True)
    named_groups = NamedGroupSerializer(source="groups", many=True, read_only=True)
    asked_figures = AskedFigureSerializer(many=True, read_only=True)
    implements_reference = serializers.CharField(
        source="implements.reference", read_only=True, allow_null=True, default=None
    )
    instructions: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="text", many=True, read_only=True, help_text="Numbered 1., 2., … in order."
    )
    cited_nodes = CitedNodeSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    recipients = serializers.SerializerMethodField()
    can_manage = serializers.SerializerMethodField(
        help_text="Whether the caller may edit (while a draft), issue and remind."
    )
    my_receipts = serializers.SerializerMethodField(
        help_text="The caller's receipts of this directive, to acknowledge and report on."
    )

    class Meta:
        model = Directive
        fields = [
            "id",
            "reference",
            "issuer",
            "issuer_name",
            "number",
            "symbol",
            "place",
            "issued_on",
            "subject",
            "addressees",
            "basis",
            "body",
            "instructions",
            "closing",
            "distribution",
            "signing_capacity",
            "signer_name",
            "report_deadline",
            "implements",
            "implements_reference",
            "implements_paper",
            "named_groups",
            "asked_figures",
            "cited_nodes",
            "attachments",
            "state",
            "recipients",
            "can_manage",
            "my_receipts",
            "issued_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RecipientsSummarySerializer)
    def get_recipients(self, obj: Directive) -> dict[str, int]:
        empty = {"total": 0, "acknowledged": 0, "reported": 0, "overdue": 0}
        summaries: dict[int, dict[str, int]] = self.context.get("summaries", {})
        return summaries.get(obj.pk, empty)

    def get_can_manage(self, obj: Directive) -> bool:
        return obj.issuer_id in self.context.get("managed_issuers", set())

    def get_my_receipts(self, obj: Directive) -> list[int]:
        mine: dict[int, list[int]] = self.context.get("my_receipts", {})
        return mine.get(obj.pk, [])
