"""What a receipt, a report, the sender's table and the chain look like in the API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives import selectors
from directives.models import Directive, ImplementationReport, Receipt, ReportFigure
from directives.serializers.letters import (
    AskedFigureSerializer,
    AttachmentSerializer,
    DirectiveRefSerializer,
    PaperLetterSerializer,
)


class FigureSerializer(serializers.ModelSerializer[ReportFigure]):
    class Meta:
        model = ReportFigure
        fields = ["key", "label", "value"]
        read_only_fields = fields


class ReportSerializer(serializers.ModelSerializer[ImplementationReport]):
    submitted_by_name = serializers.SerializerMethodField()
    figures = FigureSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ImplementationReport
        fields = [
            "id",
            "receipt",
            "text",
            "figures",
            "attachments",
            "submitted_by_name",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_submitted_by_name(self, obj: ImplementationReport) -> str:
        person = obj.submitted_by
        return (person.get_full_name() or person.get_username()) if person else ""


class ReceiptSerializer(serializers.ModelSerializer[Receipt]):
    directive = DirectiveRefSerializer(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    body_name = serializers.CharField(
        source="body.name", read_only=True, allow_null=True, default=None
    )
    recipient_name = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()
    answerable = serializers.SerializerMethodField(
        help_text="Whether the caller may acknowledge and report on this receipt."
    )
    tasks = serializers.SerializerMethodField(
        help_text="The numbers of the instructions for this recipient (its groups' and those "
        "for everyone)."
    )
    asked_figures = serializers.SerializerMethodField(
        help_text="The figures this recipient must report, by key."
    )

    class Meta:
        model = Receipt
        fields = [
            "id",
            "directive",
            "unit",
            "unit_name",
            "body",
            "body_name",
            "recipient_name",
            "delivered_at",
            "read_at",
            "acknowledged_at",
            "reported_at",
            "overdue",
            "answerable",
            "tasks",
            "asked_figures",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: Receipt) -> bool:
        return obj.is_overdue()

    def get_answerable(self, obj: Receipt) -> bool:
        return obj.pk in self.context.get("answerable", set())

    def _tasks(self, obj: Receipt) -> selectors.ReceiptTasks | None:
        tasks: dict[int, selectors.ReceiptTasks] = self.context.get("tasks", {})
        return tasks.get(obj.pk)

    def get_tasks(self, obj: Receipt) -> list[int]:
        found = self._tasks(obj)
        return [item.position for item in found.own] if found else []

    @extend_schema_field(AskedFigureSerializer(many=True))
    def get_asked_figures(self, obj: Receipt) -> Any:
        found = self._tasks(obj)
        return AskedFigureSerializer(found.asked if found else [], many=True).data


class ReceiptDetailSerializer(ReceiptSerializer):
    reports = ReportSerializer(many=True, read_only=True)

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "reports"]
        read_only_fields = fields


class ImplementationRefSerializer(serializers.ModelSerializer[Directive]):
    class Meta:
        model = Directive
        fields = ["id", "reference", "issued_on"]
        read_only_fields = fields


class ReceiptRowSerializer(serializers.Serializer[Any]):
    """One line of the sender's table of recipients (``selectors.ReceiptRow``)."""

    id = serializers.IntegerField(source="receipt.pk")
    unit = serializers.IntegerField(source="receipt.unit_id")
    body = serializers.IntegerField(source="receipt.body_id", allow_null=True)
    recipient_name = serializers.CharField(source="receipt.recipient_name")
    delivered_at = serializers.DateTimeField(source="receipt.delivered_at", allow_null=True)
    read_at = serializers.DateTimeField(source="receipt.read_at", allow_null=True)
    acknowledged_at = serializers.DateTimeField(source="receipt.acknowledged_at", allow_null=True)
    reported_at = serializers.DateTimeField(source="receipt.reported_at", allow_null=True)
    overdue = serializers.BooleanField()
    report_count = serializers.IntegerField()
    last_reminder_at = serializers.DateTimeField(allow_null=True)
    implementations = ImplementationRefSerializer(many=True)
    reports = serializers.SerializerMethodField()

    @extend_schema_field(ReportSerializer(many=True))
    def get_reports(self, row: selectors.ReceiptRow) -> Any:
        reports = self.context.get("reports", {}).get(row.receipt.pk, [])
        return ReportSerializer(reports, many=True, context=self.context).data


class TallySerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    opened = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    reported = serializers.IntegerField()
    overdue = serializers.IntegerField()


class ReceiptTableSerializer(serializers.Serializer[Any]):
    tally = TallySerializer()
    rows = ReceiptRowSerializer(many=True)


class LateReceiptSerializer(serializers.ModelSerializer[Receipt]):
    recipient_name = serializers.CharField(read_only=True)

    class Meta:
        model = Receipt
        fields = ["id", "unit", "body", "recipient_name", "acknowledged_at"]
        read_only_fields = fields


class FigureTotalSerializer(serializers.Serializer[Any]):
    """A figure the letter asks, totalled over its recipients and the letters below."""

    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    unit = serializers.CharField()
    reported = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Reported by its recipients themselves."
    )
    total = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="With, for recipients that passed the ask on, their own letter's total.",
    )
    reporting = serializers.IntegerField()
    rolled_up = serializers.IntegerField()


class ChainNodeSerializer(serializers.Serializer[Any]):
    """A directive of the chain, its tally and late recipients, and those implementing it."""

    directive = DirectiveRefSerializer()
    tally = TallySerializer(allow_null=True)
    late = LateReceiptSerializer(many=True)
    figures = FigureTotalSerializer(many=True)


# The tree is recursive: a node's children are nodes.
ChainNodeSerializer._declared_fields["children"] = ChainNodeSerializer(many=True)


class ChainSerializer(serializers.Serializer[Any]):
    ancestors = DirectiveRefSerializer(
        many=True, help_text="What this directive implements, nearest first, as far as visible."
    )
    tree = ChainNodeSerializer()
    paper_root = PaperLetterSerializer(
        allow_null=True, help_text="The letter on paper at the top of the chain, if any."
    )


class RemindedSerializer(serializers.Serializer[Any]):
    reminded = serializers.IntegerField(help_text="Recipients reminded now.")
    skipped = serializers.IntegerField(help_text="Recipients already reminded today.")
