from rest_framework import serializers

from core.api.serializers import StrictSerializer
from sellout.models import SellOutLine
from sellout.services import MAX_QUANTITY


class SellOutLineSerializer(serializers.ModelSerializer):
    """A line as stored. The matched customer is the channel team's: partners read the end customer they sent."""

    reporter = serializers.IntegerField(source="reporter_id", read_only=True)
    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    sold_to_partner = serializers.IntegerField(source="sold_to_partner_id", read_only=True, allow_null=True)
    end_customer_country = serializers.CharField(source="end_customer_country.code", read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True, allow_null=True)
    serials = serializers.SerializerMethodField()

    class Meta:
        model = SellOutLine
        fields = [
            "id",
            "reporter",
            "invoice_number",
            "invoice_line",
            "date",
            "transaction_type",
            "product",
            "sku",
            "quantity",
            "unit_price",
            "currency",
            "sold_to_partner",
            "sold_to_name",
            "end_customer_name",
            "end_customer_country",
            "end_customer_postcode",
            "end_customer_domain",
            "customer_match",
            "serials",
            "source",
            "batch",
            "revision",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_serials(self, line: SellOutLine) -> list[str]:
        return sorted(serial.serial for serial in line.serials.all())


class SellOutLineInputSerializer(StrictSerializer):
    """One line; re-sending the same reporter, invoice number and line replaces it (a correction)."""

    # Only describes the items (for the schema); api/ingest.py checks them through sellout.validation.
    reporter = serializers.IntegerField(
        required=False, min_value=1, help_text="Partner id; partner users may leave it out (their own partner)."
    )
    invoice_number = serializers.CharField(max_length=50)
    invoice_line = serializers.IntegerField(min_value=1)
    date = serializers.DateField(help_text="Invoice date, YYYY-MM-DD, not in the future.")
    transaction_type = serializers.ChoiceField(choices=SellOutLine.TransactionType.choices, required=False)
    product = serializers.IntegerField(required=False, min_value=1, help_text="Product id (or give `sku`).")
    sku = serializers.CharField(required=False, max_length=40)
    gtin = serializers.CharField(
        required=False, max_length=14, help_text="The product's GTIN (8, 12, 13 or 14 digits), instead of `sku`."
    )
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, help_text="Positive; the type signs it.")
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code.")
    sold_to_partner = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of one of your resellers, when you sold to one (two-tier)."
    )
    sold_to_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    end_customer_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    end_customer_country = serializers.CharField(required=False, allow_blank=True, max_length=2)
    end_customer_postcode = serializers.CharField(required=False, allow_blank=True, max_length=20)
    end_customer_domain = serializers.CharField(required=False, allow_blank=True, max_length=253)
    serials = serializers.ListField(child=serializers.CharField(max_length=64), required=False)


class SellOutBulkSerializer(StrictSerializer):
    items = SellOutLineInputSerializer(many=True, max_length=10_000)
