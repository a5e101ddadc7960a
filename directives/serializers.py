"""Serializers of the directives API: what a directive, a receipt and a report look like, and
what a caller may send. They validate shapes only; the services decide what is allowed, and
every choice of an object (issuer, recipients, the directive implemented) is looked up
within the caller's scope, so an object outside it is simply "not found"."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives import selectors
from directives.files import MAX_FILES
from directives.models import (
    AskedFigure,
    Attachment,
    Directive,
    GroupKind,
    GroupPlacement,
    ImplementationReport,
    NamedGroup,
    PaperLetter,
    Receipt,
    ReportFigure,
)
from legal.models import LegalNode
from units.models import AdministrativeUnit, Body, UnitLevel
from users import scope

# --- Read -------------------------------------------------------------------------------------


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


# --- Write ------------------------------------------------------------------------------------


def _user(serializer: serializers.Serializer[Any]) -> Any:
    request = serializer.context.get("request")
    return request.user if request is not None else None


class RecipientGroupInputSerializer(serializers.Serializer[Any]):
    """All units of one level under a unit: ``{"parent": 12, "level": "commune"}``."""

    # DRF's metaclass moves declared fields off the class, so "parent" and "label" below do
    # not shadow Field.parent and Field.label at run time; the stubs cannot know that.
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=AdministrativeUnit.objects.none()
    )
    level = serializers.SlugRelatedField(slug_field="code", queryset=UnitLevel.objects.all())

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["parent"].queryset = scope.units(_user(self))  # type: ignore[attr-defined]
        return fields


class NamedGroupInputSerializer(serializers.Serializer[Any]):
    """A named group: its name as written, kind, placement, its members in the portal (none:
    outside the portal) and the numbers of the instructions addressed to it."""

    name = serializers.CharField(max_length=255)
    kind = serializers.ChoiceField(choices=GroupKind.choices, default=GroupKind.OTHER)
    placement = serializers.ChoiceField(
        choices=GroupPlacement.choices, default=GroupPlacement.ADDRESSEE
    )
    units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=AdministrativeUnit.objects.none(), required=False
    )
    bodies = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Body.objects.none(), required=False
    )
    groups = RecipientGroupInputSerializer(many=True, required=False)
    tasks = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        user = _user(self)
        fields["units"].child_relation.queryset = scope.units(user)  # type: ignore[attr-defined]
        fields["bodies"].child_relation.queryset = scope.bodies(user)  # type: ignore[attr-defined]
        return fields


class RecipientsInputSerializer(serializers.Serializer[Any]):
    """Who a draft goes to: units, bodies and groups, all within the issuer's area; and
    named groups. Sent, it replaces the recipients and the named groups together."""

    units = serializers.PrimaryKeyRelatedField(
        many=True, queryset=AdministrativeUnit.objects.none(), required=False
    )
    bodies = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Body.objects.none(), required=False
    )
    groups = RecipientGroupInputSerializer(many=True, required=False)
    named = NamedGroupInputSerializer(many=True, required=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        user = _user(self)
        fields["units"].child_relation.queryset = scope.units(user)  # type: ignore[attr-defined]
        fields["bodies"].child_relation.queryset = scope.bodies(user)  # type: ignore[attr-defined]
        return fields


class AskedFigureInputSerializer(serializers.Serializer[Any]):
    key = serializers.SlugField(max_length=50)
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]
    unit = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    task = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


class PaperLetterInputSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(max_length=80, help_text="Number and symbol.")
    issued_on = serializers.DateField()
    issuer_name = serializers.CharField(max_length=255)
    subject = serializers.CharField(max_length=500)


class DirectiveUpdateSerializer(serializers.ModelSerializer[Directive]):
    """The parts of a draft; on a change, only those sent are changed."""

    instructions = serializers.ListField(
        child=serializers.CharField(max_length=10000),
        required=False,
        help_text="The numbered instructions, in order, without their numbers.",
    )
    cited_nodes = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=LegalNode.objects.filter(retired_in_version=""),
        required=False,
        help_text="Legal clauses cited, by id.",
    )
    cited_refs = serializers.SlugRelatedField(
        many=True,
        slug_field="ref",
        queryset=LegalNode.objects.filter(retired_in_version=""),
        required=False,
        write_only=True,
        help_text="Legal clauses cited, by stable id (qd874.code.d4.k2); added to cited_nodes.",
    )
    implements = serializers.PrimaryKeyRelatedField(
        queryset=Directive.objects.none(),
        required=False,
        allow_null=True,
        help_text="An issued directive the caller can read.",
    )
    recipients = RecipientsInputSerializer(required=False)
    asked_figures = AskedFigureInputSerializer(
        many=True,
        required=False,
        help_text="Figures asked of the recipients; the same key down a chain is totalled up.",
    )
    implements_paper = PaperLetterInputSerializer(
        required=False,
        allow_null=True,
        help_text="A letter from above that exists only on paper (not with implements).",
    )

    class Meta:
        model = Directive
        fields = [
            "number",
            "symbol",
            "place",
            "issued_on",
            "subject",
            "addressees",
            "basis",
            "body",
            "closing",
            "distribution",
            "signing_capacity",
            "signer_name",
            "report_deadline",
            "instructions",
            "cited_nodes",
            "cited_refs",
            "implements",
            "implements_paper",
            "recipients",
            "asked_figures",
        ]
        extra_kwargs = {"place": {"required": False}}

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["implements"].queryset = selectors.implementable(_user(self))  # type: ignore[attr-defined]
        return fields


class DirectiveCreateSerializer(DirectiveUpdateSerializer):
    issuer = serializers.PrimaryKeyRelatedField(
        queryset=Body.objects.none(), help_text="A body the caller may issue letters for."
    )

    class Meta(DirectiveUpdateSerializer.Meta):
        fields = ["issuer", *DirectiveUpdateSerializer.Meta.fields]

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        # Only bodies the caller may issue for exist for this field: others are "not found".
        fields["issuer"].queryset = scope.issuing_bodies(_user(self))  # type: ignore[attr-defined]
        return fields


class RemindInputSerializer(serializers.Serializer[Any]):
    receipts = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Only these receipts; without it, every recipient that has not reported.",
    )


class FileListInputSerializer(serializers.Serializer[Any]):
    files = serializers.ListField(
        child=serializers.FileField(),
        max_length=MAX_FILES,
        help_text="PDF, Word (.docx) or image files, checked by their content.",
    )


class FigureInputSerializer(serializers.Serializer[Any]):
    label = serializers.CharField(max_length=200)  # type: ignore[assignment]
    value = serializers.DecimalField(max_digits=14, decimal_places=2)


@extend_schema_field(FigureInputSerializer(many=True))
class FiguresField(serializers.Field[Any, Any, Any, Any]):
    """Figures as a list, or as that list in JSON (a multipart form sends text)."""

    def to_internal_value(self, data: Any) -> list[tuple[str, Any]]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else []
            except ValueError as exc:
                raise serializers.ValidationError(
                    'Send the figures as a JSON list: [{"label": "…", "value": 3}].'
                ) from exc
        items = FigureInputSerializer(data=data, many=True)
        items.is_valid(raise_exception=True)
        return [(item["label"], item["value"]) for item in items.validated_data]

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {"type": "object", "additionalProperties": {"type": "string", "format": "decimal"}}
)
class AskedValuesField(serializers.Field[Any, Any, Any, Any]):
    """The figures the letter asks, by key: ``{"fake-pages": 2}`` (JSON text in a form)."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError as exc:
                raise serializers.ValidationError(
                    'Send the figures asked as a JSON object: {"fake-pages": 2}.'
                ) from exc
        if not isinstance(data, dict):
            raise serializers.ValidationError('Send an object: {"fake-pages": 2}.')
        number = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
        return {str(key): number.run_validation(value) for key, value in data.items()}

    def to_representation(self, value: Any) -> Any:
        return value


class ReportInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=20000, help_text="What was done.")
    asked = AskedValuesField(
        required=False,
        help_text="The figures the letter asks of this recipient, by key (every one of them).",
    )
    figures = FiguresField(
        required=False,
        help_text='What was counted: [{"label": "Số buổi tuyên truyền", "value": 3}]; '
        "in a multipart form, that list as JSON text.",
    )
    files = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_FILES,
        help_text="PDF, Word (.docx) or image files, checked by their content.",
    )
