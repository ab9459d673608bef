from rest_framework import serializers

from core.api.serializers import StrictSerializer
from currencies.models import ExchangeRate


class ExchangeRateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeRate
        fields = ["id", "currency", "date", "granularity", "rate", "source", "created_at", "updated_at"]
        read_only_fields = fields


class ExchangeRateInputSerializer(StrictSerializer):
    """One rate; re-sending the same currency, granularity and date replaces it."""

    # Only describes the items (for the schema); api/ingest.py checks them.
    currency = serializers.CharField(max_length=3, help_text="ISO 4217 code, not the reporting currency.")
    date = serializers.DateField(help_text="YYYY-MM-DD, not in the future; a monthly rate is dated the 1st.")
    granularity = serializers.ChoiceField(choices=ExchangeRate.Granularity.choices, required=False, default="day")
    rate = serializers.DecimalField(
        max_digits=20, decimal_places=10, help_text="Units of the reporting currency for one unit of `currency`."
    )


class ExchangeRateBulkSerializer(StrictSerializer):
    items = ExchangeRateInputSerializer(many=True, max_length=10_000)
