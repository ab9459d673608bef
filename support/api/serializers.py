"""Support ticket payloads. Comments are read through the visibility rule: partners never get internal notes."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.serializers import ProductReferenceMixin
from core.api.serializers import MAX_ID, StrictFieldsMixin, StrictSerializer
from support import sla
from support.models import Severity, SlaPolicy, Ticket, TicketCategory, TicketComment, TicketEvent, TicketStatus


class TicketCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketCategory
        fields = ["id", "code", "name", "description", "is_active"]


class SlaPolicySerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaPolicy
        fields = ["id", "severity", "first_response_hours", "resolution_hours"]


class TicketSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True, allow_null=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    warranty_claim = serializers.IntegerField(source="warranty_claim_id", read_only=True, allow_null=True)
    deal = serializers.IntegerField(source="deal_id", read_only=True, allow_null=True)
    sla_breached = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "partner",
            "partner_name",
            "origin",
            "raised_by",
            "customer",
            "customer_name",
            "product",
            "sku",
            "serial_number",
            "category",
            "severity",
            "subject",
            "description",
            "status",
            "warranty_claim",
            "deal",
            "opened_at",
            "first_response_due_at",
            "first_response_at",
            "resolution_due_at",
            "resolved_at",
            "closed_at",
            "reopen_count",
            "sla_breached",
            "clock",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_sla_breached(self, obj: Ticket) -> bool:
        return sla.is_breached(obj, now=timezone.now())

    @extend_schema_field(serializers.ChoiceField(choices=["running", "paused", "stopped"]))
    def get_clock(self, obj: Ticket) -> str:
        return sla.clock_state(obj)


class TicketCreateSerializer(StrictFieldsMixin, ProductReferenceMixin):
    """Open a ticket. A partner's token opens it for its own partner; a channel manager's token (the vendor's
    support system) names the `partner`."""

    at_most_one_of = (("customer_id", "customer_name"),)
    partner = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Required for the channel team; partners omit it."
    )
    category = serializers.CharField(max_length=30, help_text="A code from /ticket-categories/.")
    severity = serializers.ChoiceField(choices=Severity.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000)
    serial_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    customer_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    warranty_claim = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, allow_null=True)
    deal = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, allow_null=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        category = TicketCategory.objects.filter(code=attrs["category"].strip().lower()).first()
        if category is None:
            raise serializers.ValidationError({"category": ["Unknown category; see /api/v1/ticket-categories/."]})
        attrs["category"] = category
        return attrs


class TicketEventSerializer(serializers.ModelSerializer):
    """One status change; `from_status` is "" on the opening."""

    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    from_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=TicketStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "from_status", "to_status", "note", "actor"]
        read_only_fields = fields


class TicketCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = TicketComment
        fields = ["id", "created_at", "side", "author", "body", "is_internal"]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=20_000)
    internal = serializers.BooleanField(default=False, help_text="A vendor-only note (channel team only).")


class NoteSerializer(StrictSerializer):
    note = serializers.CharField(allow_blank=True, default="", max_length=2000, help_text="Required to reopen.")
