"""What a caller may send: a directive's draft, its recipients and groups, a reminder, a
report with its files and figures. Every object chosen is looked up within the caller's
scope, so an object outside it is simply "not found"."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directives import selectors
from directives.files import MAX_FILES
from directives.models import Directive, GroupKind, GroupPlacement
from directives.services.drafting import DRAFT_FIELDS
from legal.models import LegalNode
from units.models import AdministrativeUnit, Body, UnitLevel
from users import scope


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
            *DRAFT_FIELDS,
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
