"""Serializers of the analytics resources: read-only views of the analytics tables."""

from __future__ import annotations

from rest_framework import serializers

from analytics.definitions import KPI_COLUMNS, KPIS, NOT_FOR_DISTRIBUTORS
from analytics.models import (
    DataQualityScore,
    EcosystemHealth,
    JobRun,
    KpiSnapshot,
    LineSellOut,
    PartnerHealthScore,
    ProductFeedbackMonth,
    UnconvertedAmount,
)
from analytics.selectors.currency import UnconvertedNote, reporting_currency
from core.api.serializers import StrictSerializer

# Each KPI column is documented in the schema by its formula from the KPI registry (DESIGN §3); the claim and
# certification columns are empty on a supplied reseller's row read by its distributor (KpiSnapshotQuerySet.visible_to).
KPI_FIELD_OPTIONS: dict[str, dict] = {
    name: {
        "help_text": f"{kpi.label}: {kpi.formula}.",
        **({"allow_null": True} if name in NOT_FOR_DISTRIBUTORS else {}),
    }
    for name, kpi in KPIS.items()
}


class KpiSnapshotSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True, allow_null=True)

    class Meta:
        model = KpiSnapshot
        fields = [
            "id",
            "dimension",
            "key",
            "partner",
            "granularity",
            "period_start",
            "period_end",
            "is_complete",
            "member_count",
            *KPI_COLUMNS,
            "computed_at",
        ]
        extra_kwargs = KPI_FIELD_OPTIONS


class HealthComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    metric = serializers.FloatField(allow_null=True)
    percentile = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField(allow_null=True)
    used = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    explanation = serializers.CharField()


class PartnerHealthScoreSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="partner_id", read_only=True)
    tier = serializers.IntegerField(source="tier_id", read_only=True, allow_null=True)
    peer_group = serializers.SerializerMethodField()
    components = HealthComponentSerializer(many=True, read_only=True)

    class Meta:
        model = PartnerHealthScore
        fields = [
            "id",
            "partner",
            "as_of",
            "is_current",
            "measured_at",
            "score",
            "band",
            "tier",
            "peer_group",
            "peer_count",
            "components",
            "revenue_90d",
            "revenue_prior_90d",
            "pipeline",
            "engagement_90d",
            "won_180d",
            "lost_180d",
            "units_sold_90d",
            "on_hand",
            "claims_90d",
            "cover_days",
            "claims_per_1000_units",
            "computed_at",
        ]

    def get_peer_group(self, obj: PartnerHealthScore) -> str:
        return obj.tier.name if obj.tier_id and obj.tier else "untiered"


class EcosystemHealthSerializer(serializers.ModelSerializer):
    class Meta:
        model = EcosystemHealth
        exclude = ["computed_at"]


class JobRunSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    requested_by = serializers.IntegerField(source="requested_by_id", read_only=True, allow_null=True)

    class Meta:
        model = JobRun
        fields = [
            "id",
            "kind",
            "status",
            "chunks_total",
            "chunks_done",
            "progress_percent",
            "params",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "error",
        ]
        read_only_fields = fields


class JobRunCreateSerializer(StrictSerializer):
    """Start a recompute: `full_recompute` (every month of the history) or `current_period`."""

    kind = serializers.ChoiceField(
        choices=[JobRun.Kind.FULL_RECOMPUTE, JobRun.Kind.CURRENT_PERIOD], default=JobRun.Kind.FULL_RECOMPUTE
    )


class BenchmarkSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    p25 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    p75 = serializers.FloatField(allow_null=True)


class QualityComponentSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="0–100; empty when there was nothing to measure.")
    weight = serializers.FloatField(allow_null=True, help_text="The weight used after renormalising.")
    used = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, help_text="Why the component was left out.")


class DataQualityScoreSerializer(serializers.ModelSerializer):
    """A partner's data-quality score of one month, its components and the facts behind them (docs/data-quality.md)."""

    partner = serializers.IntegerField(source="partner_id", read_only=True)
    components = QualityComponentSerializer(many=True, read_only=True)

    class Meta:
        model = DataQualityScore
        fields = [
            "id",
            "partner",
            "month",
            "is_complete",
            "score",
            "components",
            "stock_expected",
            "stock_received",
            "stock_on_time",
            "sellout_expected",
            "sellout_received",
            "sellout_on_time",
            "field_slots",
            "fields_filled",
            "products_checked",
            "products_consistent",
            "records",
            "corrections",
            "stock_resends",
            "duplicate_claims",
            "findings",
            "computed_at",
        ]


class ProductFeedbackMonthSerializer(serializers.ModelSerializer):
    """A product's month in one scope: `region` null is the whole channel (managers who see every region),
    a region id the partners of that region (managers limited to regions). Rules: docs/product-feedback.md."""

    product = serializers.IntegerField(source="product_id", read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    product_line = serializers.IntegerField(source="product_line_id", read_only=True)
    region = serializers.IntegerField(source="region_id", read_only=True, allow_null=True)
    claims_per_1000 = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = ProductFeedbackMonth
        fields = [
            "id",
            "product",
            "sku",
            "product_line",
            "region",
            "month",
            "is_complete",
            "units_sold",
            "units_from_sellout",
            "units_from_inventory",
            "claims_submitted",
            "claims_per_1000",
            "deals_lost",
            "line_claim_rate",
            "expected_claims",
            "claim_p_value",
            "claim_flag",
            "computed_at",
        ]
        read_only_fields = fields


class UnconvertedAmountSerializer(serializers.ModelSerializer):
    """Money a month's stored figures leave out because its currency had no rate; `text` says it in words."""

    text = serializers.SerializerMethodField()
    reporting_currency = serializers.SerializerMethodField()

    class Meta:
        model = UnconvertedAmount
        fields = [
            "id",
            "kind",
            "currency",
            "month",
            "items",
            "amount",
            "text",
            "reporting_currency",
            "run",
            "computed_at",
        ]
        read_only_fields = fields

    def get_text(self, obj: UnconvertedAmount) -> str:
        return UnconvertedNote(obj.currency, obj.month, obj.kind, obj.items, obj.amount).text

    def get_reporting_currency(self, obj: UnconvertedAmount) -> str:
        return reporting_currency()


class LineSellOutSerializer(serializers.ModelSerializer):
    """One group's sell-out for a product line, end-customer country and period; money in the reporting
    currency at the rate of each line's date."""

    region = serializers.IntegerField(source="region_id", read_only=True)
    tier = serializers.IntegerField(source="tier_id", read_only=True, allow_null=True)
    product_line = serializers.IntegerField(source="product_line_id", read_only=True)
    returns_rate = serializers.SerializerMethodField(help_text=KPIS["returns_rate"].formula)

    class Meta:
        model = LineSellOut
        fields = [
            "id",
            "granularity",
            "period_start",
            "period_end",
            "region",
            "tier",
            "partner_type",
            "product_line",
            "country",
            "sellout_units",
            "sellout_revenue",
            "sellout_units_sold",
            "sellout_units_returned",
            "returns_rate",
            "sellout_lines_unconverted",
            "computed_at",
        ]
        extra_kwargs = {
            name: {"help_text": f"{KPIS[name].label}: {KPIS[name].formula}."}
            for name in (
                "sellout_units",
                "sellout_revenue",
                "sellout_units_sold",
                "sellout_units_returned",
                "sellout_lines_unconverted",
            )
        }

    def get_returns_rate(self, obj: LineSellOut) -> float | None:
        return obj.sellout_units_returned / obj.sellout_units_sold if obj.sellout_units_sold else None
