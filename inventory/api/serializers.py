from rest_framework import serializers

from core.api.serializers import MAX_INT, StrictSerializer
from inventory.models import InventoryReport


class InventoryRowSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = InventoryReport
        fields = [
            "id",
            "partner",
            "product",
            "sku",
            "date",
            "on_hand",
            "units_sold",
            "on_order",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InventoryRowInputSerializer(StrictSerializer):
    """One stock position; re-sending the same partner, product and date replaces it."""

    # Only describes the rows (for the schema); api/ingest.py checks them, this rule included.
    exactly_one_of = (("product", "sku"),)
    partner = serializers.IntegerField(
        required=False, min_value=1, help_text="Partner id; partner users may leave it out (their own partner)."
    )
    product = serializers.IntegerField(required=False, min_value=1, help_text="Product id (or give `sku`).")
    sku = serializers.CharField(required=False, max_length=40)
    date = serializers.DateField(help_text="YYYY-MM-DD, not in the future.")
    on_hand = serializers.IntegerField(min_value=0, max_value=MAX_INT)
    units_sold = serializers.IntegerField(min_value=0, max_value=MAX_INT, help_text="Since the previous report.")
    on_order = serializers.IntegerField(min_value=0, max_value=MAX_INT, required=False, default=0)


class InventoryBulkSerializer(StrictSerializer):
    items = InventoryRowInputSerializer(many=True, max_length=10_000)
