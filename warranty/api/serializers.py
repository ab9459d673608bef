"""Warranty claim payloads. `duplicate_of` names another claim (maybe another partner's): managers only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.api.serializers import ProductReferenceMixin
from core.api.serializers import MAX_ID, StrictFieldsMixin, StrictSerializer, is_manager
from customers.api.serializers import CustomerInputSerializer
from warranty.models import ClaimEvent, ClaimStatus, FailureCode, WarrantyClaim


class FailureCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FailureCode
        fields = ["id", "code", "description", "is_active"]


class ClaimSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    failure_code = serializers.CharField(source="failure_code.code", read_only=True)
    duplicate_of = serializers.SerializerMethodField()

    class Meta:
        model = WarrantyClaim
        fields = [
            "id",
            "reference",
            "partner",
            "product",
            "sku",
            "serial_number",
            "customer",
            "purchase_date",
            "failure_date",
            "failure_code",
            "description",
            "parts_amount",
            "labour_amount",
            "claimed_amount",
            "approved_amount",
            "currency",
            "status",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "paid_at",
            "out_of_warranty",
            "is_duplicate",
            "duplicate_of",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_duplicate_of(self, obj: WarrantyClaim):
        return obj.duplicate_of_id if is_manager(self.context) else None


class ClaimEventSerializer(serializers.ModelSerializer):
    """One entry of a claim's history; `from_status` is "" on the filing (the claim had no status before)."""

    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    from_status = serializers.ChoiceField(choices=ClaimStatus.choices, allow_blank=True, read_only=True)
    to_status = serializers.ChoiceField(choices=ClaimStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "at", "from_status", "to_status", "note", "actor"]
        read_only_fields = fields


class ClaimCreateSerializer(StrictFieldsMixin, ProductReferenceMixin):
    """File a claim for your own partner."""

    at_most_one_of = (("customer", "customer_id"),)
    serial_number = serializers.CharField(max_length=60)
    purchase_date = serializers.DateField()
    failure_date = serializers.DateField()
    failure_code = serializers.CharField(max_length=20, help_text="A code from /failure-codes/.")
    parts_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    labour_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    customer = CustomerInputSerializer(required=False)
    customer_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    description = serializers.CharField(allow_blank=True, default="", max_length=5000)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        code = self.context["failure_codes"].get(attrs["failure_code"].strip().upper())
        if code is None:
            raise serializers.ValidationError({"failure_code": ["Unknown failure code."]})
        attrs["failure_code"] = code
        if "customer" in attrs and "customer_id" in attrs:
            raise serializers.ValidationError({"customer": ["Give `customer` or `customer_id`, not both."]})
        if "customer_id" in attrs and attrs["customer_id"] not in self.context["visible_customer_ids"]:
            raise serializers.ValidationError({"customer_id": ["Unknown customer."]})
        return attrs


class ClaimBulkSerializer(StrictSerializer):
    items = ClaimCreateSerializer(many=True, max_length=10_000)


class ClaimApproveSerializer(StrictSerializer):
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, help_text="Leave out to approve in full."
    )
    note = serializers.CharField(allow_blank=True, default="", max_length=2000)


class ClaimRejectSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Shown to the partner.")
