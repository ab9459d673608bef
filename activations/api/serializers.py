from rest_framework import serializers

from core.api.serializers import MAX_INT, StrictSerializer

from ..models import Activation, UsageRecord


class ActivationSerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    partner = serializers.IntegerField(
        source="partner_id", read_only=True, allow_null=True, help_text="The partner that sold the unit, if any."
    )
    sale_line = serializers.IntegerField(source="sale_line_id", read_only=True, allow_null=True)
    lag_days = serializers.IntegerField(read_only=True, allow_null=True, help_text="Sale to activation, in days.")
    batch = serializers.IntegerField(source="batch_id", read_only=True)

    class Meta:
        model = Activation
        fields = [
            "id",
            "product",
            "sku",
            "kind",
            "identifier",
            "activated_on",
            "units",
            "status",
            "deactivated_on",
            "partner",
            "sale_line",
            "sold_on",
            "lag_days",
            "batch",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class UsageRecordSerializer(serializers.ModelSerializer):
    activation = serializers.IntegerField(source="activation_id", read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True)

    class Meta:
        model = UsageRecord
        fields = [
            "id",
            "activation",
            "month",
            "active_units",
            "usage",
            "usage_unit",
            "batch",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ActivationInputSerializer(StrictSerializer):
    """One unit or subscription; re-sending the same product and identifier updates it."""

    # Describes the items for the schema; validation.activation_items_check checks them, these rules included.
    product = serializers.IntegerField(required=False, min_value=1, help_text="Product id (or give `sku`).")
    sku = serializers.CharField(required=False, max_length=40)
    serial = serializers.CharField(required=False, max_length=64, help_text="Serial number (or `subscription`).")
    subscription = serializers.CharField(required=False, max_length=64, help_text="Subscription id (or `serial`).")
    activated_on = serializers.DateField(help_text="YYYY-MM-DD, not in the future.")
    units = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_INT, default=1, help_text="Units or seats."
    )
    status = serializers.ChoiceField(choices=Activation.Status.choices, required=False)
    deactivated_on = serializers.DateField(required=False, help_text="Required when deactivated.")


class ActivationBulkSerializer(StrictSerializer):
    items = ActivationInputSerializer(many=True, max_length=10_000)


class UsageInputSerializer(StrictSerializer):
    """One month of use of an activation already reported; re-sending the same month updates it."""

    product = serializers.IntegerField(required=False, min_value=1)
    sku = serializers.CharField(required=False, max_length=40)
    serial = serializers.CharField(required=False, max_length=64)
    subscription = serializers.CharField(required=False, max_length=64)
    month = serializers.CharField(help_text="YYYY-MM (or YYYY-MM-01).")
    active_units = serializers.IntegerField(min_value=0, max_value=MAX_INT, help_text="Units or seats in use.")
    usage = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, help_text="e.g. hours, events.")
    usage_unit = serializers.CharField(required=False, max_length=20)


class UsageBulkSerializer(StrictSerializer):
    items = UsageInputSerializer(many=True, max_length=10_000)
