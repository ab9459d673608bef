"""Analytics tables (DESIGN §2, §3, §4): written only by the analytics workers, read by pages and the API.

Read docs/analytics.md for the layout. In short: `KpiSnapshot` holds one wide row
per scope (a partner, the ecosystem, or one tier / partner type / region /
product line) and period (month, quarter, year); `PartnerHealthScore` one row per
partner and as-of date with every component; `EcosystemHealth` one row per
as-of date. Empty values are NULL, never 0.

Their foreign keys have no database constraint (`db_constraint=False`): the rows are derived
from partners a recompute has just read, and checking tens of thousands of them again at
every commit cost a recompute more time than anything it protects. Deleting a partner
through Django still deletes its rows (`on_delete` runs in Django, not in the database).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.query import ModelIterable

from core.models import TimeStampedModel
from core.visibility import PartnerScopedQuerySet, partner_scope_q

from .definitions import HEALTH_COMPONENTS, NOT_FOR_DISTRIBUTORS, OPTIONAL_HEALTH_COMPONENTS

MONEY = {"max_digits": 16, "decimal_places": 2}
# Health components whose metric is one of the stored inputs.
METRIC_FIELDS = {
    "revenue": "revenue_90d",
    "pipeline": "pipeline",
    "engagement": "engagement_90d",
    "data_quality": "data_quality_score",
}


def _is_manager(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_channel_manager)
    )


class Dimension(models.TextChoices):
    PARTNER = "partner", "Partner"
    ECOSYSTEM = "ecosystem", "Ecosystem"
    TIER = "tier", "Tier"
    PARTNER_TYPE = "partner_type", "Partner type"
    REGION = "region", "Region"
    PRODUCT_LINE = "product_line", "Product line"


class Granularity(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"
    # The previous period and the same period a year earlier cut at the elapsed days of the period in progress
    # (`analytics.periods.to_date_periods`); partner rows only.
    MONTH_TO_DATE = "mtd", "Month to the same day"
    QUARTER_TO_DATE = "qtd", "Quarter to the same day"
    YEAR_TO_DATE = "ytd", "Year to the same day"


def channel_wide_reader(user: Any) -> bool:
    """Whether `user` may read figures that add up every partner: superusers and managers with no region limit.

    A manager limited to regions may not (those figures include partners outside the regions); a partner
    may read the ecosystem's own figures only when PRM_PARTNERS_SEE_ECOSYSTEM opts in (`ecosystem_reader`).
    """
    return _is_manager(user) and (user.is_superuser or not user.region_ids)


def ecosystem_reader(user: Any) -> bool:
    """Whether `user` may read the whole ecosystem's figures (ecosystem KPI rows, `EcosystemHealth`)."""
    if channel_wide_reader(user):
        return True
    signed_in = user is not None and getattr(user, "is_authenticated", False) and user.is_active
    return bool(signed_in and user.is_partner_member and settings.PRM_PARTNERS_SEE_ECOSYSTEM)


def kpi_dimensions_for(user: Any) -> frozenset[str]:
    """The kinds of KPI rows `user` may read (see `KpiSnapshotQuerySet.visible_to`)."""
    if channel_wide_reader(user):
        return frozenset(Dimension.values)
    if _is_manager(user):
        return frozenset({Dimension.PARTNER, Dimension.REGION})
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active or not user.partner_id:
        return frozenset()
    return frozenset({Dimension.PARTNER, Dimension.ECOSYSTEM} if ecosystem_reader(user) else {Dimension.PARTNER})


def kpi_dimension_refusal(user: Any, dimension: str) -> str:
    """Why `user` may not read the rows of `dimension`, or "" when they may."""
    if dimension in kpi_dimensions_for(user):
        return ""
    label = Dimension(dimension).label.lower()
    if _is_manager(user):
        return (
            f"{label.capitalize()} figures add up partners of every region, and you see only your regions' "
            "partners. Read dimension=region (the rows of your regions) or dimension=partner (your partners' "
            "rows) instead."
        )
    return (
        f"{label.capitalize()} figures cover the whole channel and are not shared with partners. Read your own "
        "rows (dimension=partner) and your tier's anonymised benchmarks (/api/v1/analytics/kpis/benchmarks/)."
    )


class DistributorViewIterable(ModelIterable):
    """KPI rows as model instances, with the columns a distributor may not read blanked on its resellers' rows."""

    def __iter__(self):
        own = self.queryset._own_partner_id
        for row in super().__iter__():
            if row.partner_id is not None and row.partner_id != own:
                for column in NOT_FOR_DISTRIBUTORS:
                    setattr(row, column, None)
            yield row


class KpiSnapshotQuerySet(PartnerScopedQuerySet):
    """Who reads which KPI rows (the one visibility rule, applied to derived figures).

    - superusers and managers with no region limit: every row;
    - managers limited to regions: the rows of their partners and of their regions. Ecosystem, tier,
      partner-type and product-line rows add up partners of every region, so they are not theirs;
    - partner users: their own partner's rows (the ecosystem's only if PRM_PARTNERS_SEE_ECOSYSTEM), and for a
      distributor the rows of the resellers it supplies with only the deal and stock columns: the claim and
      certification columns (`NOT_FOR_DISTRIBUTORS`) read as empty. Those rows are therefore read as model
      instances; `values()`, `values_list()` and `aggregate()` refuse to read them for a distributor.
    Group breakdowns are never shown to partners: a small group could reveal one partner's figures.
    """

    distributor_reads_supplied = True
    _own_partner_id: int | None = None

    def visible_to(self, user: Any) -> KpiSnapshotQuerySet:
        dimensions = kpi_dimensions_for(user)
        if not dimensions:
            return self.none()
        q = Q(dimension=Dimension.PARTNER) & partner_scope_q(user, "partner", include_supplied=True)
        if channel_wide_reader(user):
            return self.filter(q | ~Q(dimension=Dimension.PARTNER))
        if Dimension.REGION in dimensions:
            q |= Q(dimension=Dimension.REGION, key__in=[str(pk) for pk in user.region_ids])
        if Dimension.ECOSYSTEM in dimensions:
            q |= Q(dimension=Dimension.ECOSYSTEM)
        rows = self.filter(q)
        if user.is_partner_member:
            rows._own_partner_id = user.partner_id
            rows._iterable_class = DistributorViewIterable
        return rows

    def _clone(self):
        clone = super()._clone()
        clone._own_partner_id = self._own_partner_id
        return clone

    def _refuse_raw_reads(self, what: str, fields: tuple = ()) -> None:
        """values(), values_list() and aggregate() bypass the blanking of model instances: for a partner user
        they may read only named columns a distributor may see (every column, or an aggregate, is refused)."""
        if self._own_partner_id is None:
            return
        if fields and all(isinstance(f, str) and f.split("__")[0] not in NOT_FOR_DISTRIBUTORS for f in fields):
            return
        raise TypeError(f"{what}() would read columns a distributor may not see; read model instances.")

    def values(self, *fields, **expressions):
        self._refuse_raw_reads("values", fields if not expressions else ())
        return super().values(*fields, **expressions)

    def values_list(self, *fields, flat=False, named=False):
        self._refuse_raw_reads("values_list", fields)
        return super().values_list(*fields, flat=flat, named=named)

    def aggregate(self, *args, **kwargs):
        self._refuse_raw_reads("aggregate")
        return super().aggregate(*args, **kwargs)

    def partners(self) -> KpiSnapshotQuerySet:
        return self.filter(dimension=Dimension.PARTNER)

    def ecosystem(self) -> KpiSnapshotQuerySet:
        return self.filter(dimension=Dimension.ECOSYSTEM)


class KpiSnapshot(models.Model):
    """Every KPI of DESIGN §3 for one scope and one period [period_start, period_end) in UTC.

    `dimension` + `key` name the scope: partner (key = partner id, `partner` set),
    ecosystem (key ""), tier (tier id), partner_type (type value), region (region id),
    product_line (product line id). Rates are fractions 0–1. Columns ending in
    `_total` and `deals_conflicting` / `claims_*` counts are the numerators kept so
    that quarters, years and groups are rebuilt from counts, never by averaging rates.
    """

    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    # No index of its own: the (partner, granularity, period_start) index serves every lookup by partner.
    # No database constraint either (see the module docstring).
    partner = models.ForeignKey(
        "partners.Partner",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="kpi_snapshots",
        db_index=False,
        db_constraint=False,
    )
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive.")
    is_complete = models.BooleanField(help_text="The period had ended when it was computed.")
    computed_at = models.DateTimeField()
    member_count = models.PositiveIntegerField(null=True, blank=True, help_text="Partners in the group.")

    deals_registered = models.PositiveIntegerField()
    deals_conflicting = models.PositiveIntegerField()
    deals_approved = models.PositiveIntegerField()
    deals_rejected = models.PositiveIntegerField()
    approval_rate = models.FloatField(null=True, blank=True)
    deals_won = models.PositiveIntegerField()
    deals_lost = models.PositiveIntegerField()
    win_rate = models.FloatField(null=True, blank=True)
    won_revenue = models.DecimalField(**MONEY)
    avg_won_deal = models.DecimalField(null=True, blank=True, **MONEY)
    pipeline_value = models.DecimalField(**MONEY)
    median_hours_to_decision = models.FloatField(null=True, blank=True)
    sales_cycle_days_total = models.FloatField()
    sales_cycle_days = models.FloatField(null=True, blank=True)
    conflict_rate = models.FloatField(null=True, blank=True)
    units_sold = models.BigIntegerField()
    inventory_reports = models.PositiveIntegerField(help_text="Days with at least one stock report.")
    on_hand_end = models.BigIntegerField(null=True, blank=True, help_text="Empty when no stock was ever reported.")
    sell_through = models.FloatField(null=True, blank=True)
    days_of_cover = models.FloatField(null=True, blank=True)
    stockouts = models.PositiveIntegerField(null=True, blank=True)
    claims_submitted = models.PositiveIntegerField()
    claims_with_units = models.PositiveIntegerField(
        help_text="Claims submitted in months in which the partner reported units sold (claims per 1,000 units)."
    )
    claims_approved = models.PositiveIntegerField()
    claims_rejected = models.PositiveIntegerField()
    claim_approval_rate = models.FloatField(null=True, blank=True)
    claim_resolution_days_total = models.FloatField()
    claim_resolution_days = models.FloatField(null=True, blank=True)
    claims_per_1000_units = models.FloatField(null=True, blank=True)
    active_certifications = models.PositiveIntegerField()
    # Sell-out (DESIGN §9). Net units and revenue are signed: returns outweighing sales make them negative.
    sellout_units = models.BigIntegerField(default=0)
    sellout_revenue = models.DecimalField(default=0, **MONEY)
    sellout_units_sold = models.BigIntegerField(default=0, help_text="Units on sale and drop-ship lines.")
    sellout_units_returned = models.BigIntegerField(default=0, help_text="Units on return lines.")
    returns_rate = models.FloatField(null=True, blank=True)
    end_customers_reached = models.PositiveIntegerField(
        null=True, blank=True, help_text="Distinct end customers; empty where it cannot be recomputed from lines."
    )
    new_end_customers = models.PositiveIntegerField(null=True, blank=True)
    sellout_lines_unconverted = models.PositiveIntegerField(
        default=0, help_text="Sell-out lines left out of the revenue: no rate for their currency at their date."
    )
    tickets_opened = models.PositiveIntegerField(default=0)
    tickets_resolved = models.PositiveIntegerField(default=0)
    tickets_reopened = models.PositiveIntegerField(default=0, help_text="Tickets resolved in P once reopened.")
    tickets_breached = models.PositiveIntegerField(default=0, help_text="Tickets resolved in P that missed the SLA.")
    ticket_resolution_days_total = models.FloatField(default=0)
    ticket_resolution_hours = models.FloatField(null=True, blank=True)
    ticket_resolution_hours_median = models.FloatField(null=True, blank=True)
    ticket_reopen_rate = models.FloatField(null=True, blank=True)
    ticket_sla_breach_rate = models.FloatField(null=True, blank=True)

    objects = KpiSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["dimension", "key", "granularity", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "granularity", "period_start"], name="kpi_snapshot_one_row_per_scope"
            ),
            models.CheckConstraint(
                name="kpi_snapshot_partner_rows_name_partner",
                condition=Q(dimension="partner", partner__isnull=False) | (~Q(dimension="partner") & Q(partner=None)),
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "granularity", "period_start"]),
            models.Index(fields=["dimension", "granularity", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key or '*'} {self.granularity} {self.period_start}"


class PartnerGroupQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PartnerGroupQuerySet:
        """Channel managers see the groups of their regions (the partner rule on the row's region); partners
        see none: a group of partners is not theirs to read."""
        if not _is_manager(user):
            return self.none()
        return self.filter(partner_scope_q(user, ""))


class PartnerGroupRow(models.Model):
    """A figure of one group of partners — those sharing a region, a tier (or none) and a partner type — and
    one product line, per period. Any combination of tier, region and type filters, and a manager's regions,
    is answered by adding up rows of the groups it covers."""

    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive.")
    region = models.ForeignKey(
        "partners.Region", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    tier = models.ForeignKey(
        "partners.Tier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    partner_type = models.CharField(max_length=20)
    product_line = models.ForeignKey(
        "catalog.ProductLine", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    computed_at = models.DateTimeField()

    objects = PartnerGroupQuerySet.as_manager()

    class Meta:
        abstract = True


class FailureCodeCount(PartnerGroupRow):
    """Warranty claims per failure code, for one group of partners and one product line, per period.

    A group is the partners sharing a region, a tier (or none) and a partner type, so that any
    combination of those filters, and a manager's regions, is answered by adding up rows instead of
    counting claims. `claims_submitted` counts the claims submitted in the period; `claims_approved`
    those of them that were approved or paid when the row was computed. Only non-zero groups are stored.
    """

    failure_code = models.ForeignKey(
        "warranty.FailureCode", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    claims_submitted = models.PositiveIntegerField()
    claims_approved = models.PositiveIntegerField()

    class Meta:
        ordering = ["granularity", "period_start", "failure_code"]
        indexes = [models.Index(fields=["granularity", "period_start"])]
        constraints = [
            models.CheckConstraint(
                name="failure_code_count_approved_within_submitted",
                condition=Q(claims_approved__lte=models.F("claims_submitted")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.failure_code_id} {self.granularity} {self.period_start}: {self.claims_submitted}"


class LineRevenue(PartnerGroupRow):
    """Won revenue per product line, for one group of partners, per month, quarter and year.

    A group is the partners sharing a region, a tier (or none) and a partner type, as in `FailureCodeCount`,
    so the overview of any combination of those filters, or of a manager's regions, adds up stored rows
    instead of reading every won deal. `won_revenue` = Σ quantity × unit price of the lines of that product
    line in the group's registrations won in the period (the product-line KPI's rule). Only groups with a
    won deal in the period are stored.
    """

    won_revenue = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["granularity", "period_start", "product_line"]
        indexes = [models.Index(fields=["granularity", "period_start"])]

    def __str__(self) -> str:
        return f"{self.product_line_id} {self.granularity} {self.period_start}: {self.won_revenue}"


class LineSellOut(PartnerGroupRow):
    """Sell-out per product line and end-customer country, for one group of partners (the reporters), per month,
    quarter and year.

    A group is the reporters sharing a region, a tier (or none) and a partner type, as in `LineRevenue`, so any
    combination of those filters, or a manager's regions, adds up stored rows instead of reading sell-out lines.
    `country` is the end customer's country as reported (empty when not given). The columns follow the KPIs of
    the same name (`analytics.definitions`): net units and revenue (signed; revenue in the reporting currency at
    the rate of each line's date), units sold and returned, and lines left out of the revenue for want of a
    rate. Distinct end customers do not add up across groups and are not stored here. Only groups with a line in
    the period are stored.
    """

    country = models.CharField(max_length=2, blank=True)
    sellout_units = models.BigIntegerField()
    sellout_revenue = models.DecimalField(max_digits=18, decimal_places=2)
    sellout_units_sold = models.BigIntegerField()
    sellout_units_returned = models.BigIntegerField()
    sellout_lines_unconverted = models.PositiveIntegerField()

    class Meta:
        ordering = ["granularity", "period_start", "product_line", "country"]
        indexes = [models.Index(fields=["granularity", "period_start"])]

    def __str__(self) -> str:
        return (
            f"{self.product_line_id} {self.country or '-'} {self.granularity} {self.period_start}: {self.sellout_units}"
        )


class HealthWeights(TimeStampedModel):
    """Component weights of the health score (DESIGN §4); one row, edited in the admin.

    Weights are relative: they are renormalised over the components a partner has data for.
    Whoever saves new weights calls `services.health_weights_changed()` (the admin does), which
    rescores every health score once the change is committed.
    """

    revenue = models.FloatField(default=0.30, validators=[MinValueValidator(0)])
    growth = models.FloatField(default=0.15, validators=[MinValueValidator(0)])
    pipeline = models.FloatField(default=0.15, validators=[MinValueValidator(0)])
    engagement = models.FloatField(default=0.15, validators=[MinValueValidator(0)])
    deal_quality = models.FloatField(default=0.10, validators=[MinValueValidator(0)])
    operations = models.FloatField(default=0.15, validators=[MinValueValidator(0)])
    data_quality = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0)],
        help_text="The data-quality score as a component (0 leaves it out, the default).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "health weights"
        verbose_name_plural = "health weights"
        constraints = [
            models.CheckConstraint(
                name="health_weights_not_negative",
                condition=Q(revenue__gte=0)
                & Q(growth__gte=0)
                & Q(pipeline__gte=0)
                & Q(engagement__gte=0)
                & Q(deal_quality__gte=0)
                & Q(operations__gte=0)
                & Q(data_quality__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(f"{name} {value:g}" for name, value in self.as_dict().items())

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in HEALTH_COMPONENTS}

    def clean(self) -> None:
        if sum(max(0.0, float(getattr(self, name) or 0)) for name in HEALTH_COMPONENTS) <= 0:
            raise ValidationError({"revenue": ["At least one weight must be above 0."]})

    @classmethod
    def current(cls) -> dict[str, float]:
        """The weights in force: the latest saved row, or DESIGN §4's defaults."""
        row = cls.objects.order_by("-updated_at", "-pk").first()
        return row.as_dict() if row else {name: weight for name, (_, weight) in HEALTH_COMPONENTS.items()}


class HealthBand(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    WATCH = "watch", "Watch"
    AT_RISK = "at_risk", "At risk"


class PartnerHealthScoreQuerySet(PartnerScopedQuerySet):
    """A health score is the vendor's assessment of one partner, built partly from its warranty claims: the
    partner and the managers who see it read it; a distributor does not read its resellers' scores."""

    distributor_reads_supplied = False

    def current(self) -> PartnerHealthScoreQuerySet:
        return self.filter(is_current=True)

    def monthly(self) -> PartnerHealthScoreQuerySet:
        return self.filter(is_current=False)

    def open_alerts(self, since: date) -> PartnerHealthScoreQuerySet:
        """Current scores that raise an alert: the partner is at risk, or is in watch after being healthy at
        `since` (the month-end score as of that first day of a month). Annotated with `before_band` and
        `before_score`. The one definition of an alert: the overview's list and count and the partner list's
        "open alert" filter all use it, so a count and the list it links to agree."""
        before = PartnerHealthScore.objects.monthly().filter(partner=OuterRef("partner"), as_of=since)
        return (
            self.current()
            .filter(score__isnull=False)
            .annotate(
                before_band=Subquery(before.values("band")[:1]), before_score=Subquery(before.values("score")[:1])
            )
            .filter(Q(band=HealthBand.AT_RISK) | (Q(band=HealthBand.WATCH) & Q(before_band=HealthBand.HEALTHY)))
        )


class PartnerHealthScore(models.Model):
    """A partner's health (DESIGN §4) as of the start of `as_of` (UTC), with every component stored.

    Monthly history rows have `as_of` = the first day of a month (the end of the month
    before); the one `is_current` row per partner is as of the moment it was computed.
    For each component: the raw metric (`*_metric`, or the input it is), the percentile among active partners
    of the same tier (`*_pct`, 0–100, higher is better), the weight used after
    renormalisation (`*_weight`, NULL when left out) and, in `reasons`, why a component
    was left out. `components` rebuilds the one-line explanations from these numbers.
    """

    # Indexed through the unique (partner, is_current, as_of) and (is_current, as_of, tier) indexes.
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="health_scores", db_index=False, db_constraint=False
    )
    as_of = models.DateField()
    is_current = models.BooleanField(default=False)
    measured_at = models.DateTimeField(help_text="The instant the trailing windows end.")
    tier = models.ForeignKey(
        "partners.Tier",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    peer_count = models.PositiveIntegerField(help_text="Active partners of the same tier, this one included.")
    score = models.FloatField(null=True, blank=True, help_text="0–100; empty when no component has data.")
    band = models.CharField(max_length=8, choices=HealthBand.choices, blank=True)

    revenue_90d = models.DecimalField(**MONEY)
    revenue_prior_90d = models.DecimalField(**MONEY)
    pipeline = models.DecimalField(**MONEY)
    engagement_90d = models.PositiveIntegerField()
    won_180d = models.PositiveIntegerField()
    lost_180d = models.PositiveIntegerField()
    units_sold_90d = models.BigIntegerField()
    on_hand = models.BigIntegerField(null=True, blank=True)
    claims_90d = models.PositiveIntegerField()
    data_quality_score = models.FloatField(
        null=True, blank=True, help_text="The data-quality score of the last complete month before as_of."
    )

    # The revenue, pipeline and engagement metrics are revenue_90d, pipeline and engagement_90d above.
    growth_metric = models.FloatField(null=True, blank=True)
    deal_quality_metric = models.FloatField(null=True, blank=True)
    operations_metric = models.FloatField(null=True, blank=True)
    cover_days = models.FloatField(null=True, blank=True)
    claims_per_1000_units = models.FloatField(null=True, blank=True)

    revenue_pct = models.FloatField(null=True, blank=True)
    growth_pct = models.FloatField(null=True, blank=True)
    pipeline_pct = models.FloatField(null=True, blank=True)
    engagement_pct = models.FloatField(null=True, blank=True)
    deal_quality_pct = models.FloatField(null=True, blank=True)
    operations_pct = models.FloatField(null=True, blank=True)
    data_quality_pct = models.FloatField(null=True, blank=True)

    revenue_weight = models.FloatField(null=True, blank=True)
    growth_weight = models.FloatField(null=True, blank=True)
    pipeline_weight = models.FloatField(null=True, blank=True)
    engagement_weight = models.FloatField(null=True, blank=True)
    deal_quality_weight = models.FloatField(null=True, blank=True)
    operations_weight = models.FloatField(null=True, blank=True)
    data_quality_weight = models.FloatField(null=True, blank=True)

    reasons = models.JSONField(default=dict, blank=True, help_text="{component: why it was left out}.")
    computed_at = models.DateTimeField()

    objects = PartnerHealthScoreQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "-as_of"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "is_current", "as_of"], name="health_one_row_per_date"),
            models.UniqueConstraint(fields=["partner"], condition=Q(is_current=True), name="health_one_current"),
            models.CheckConstraint(
                name="health_score_in_range", condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["is_current", "as_of", "tier"])]

    def __str__(self) -> str:
        return f"{self.partner_id} @ {self.as_of}: {self.score}"

    @property
    def components(self) -> list[dict]:
        """Each component with metric, percentile, weight, used flag, reason and explanation line.

        An optional component (data quality) is listed only when it had a weight, so that scores computed
        without it read as they did before it existed."""
        from .health import REASONS, explain_component

        peers = self.tier.name if self.tier_id and self.tier else "untiered"
        out = []
        for name, (label, _) in HEALTH_COMPONENTS.items():
            weight = getattr(self, f"{name}_weight")
            pct = getattr(self, f"{name}_pct")
            metric = getattr(self, METRIC_FIELDS.get(name, f"{name}_metric"))
            metric = float(metric) if metric is not None else None
            reason = self.reasons.get(name, "")
            if name in OPTIONAL_HEALTH_COMPONENTS and weight is None and reason in ("", REASONS["zero_weight"]):
                continue
            out.append(
                {
                    "name": name,
                    "label": label,
                    "metric": metric,
                    "percentile": pct,
                    "weight": weight,
                    "used": weight is not None,
                    "reason": reason,
                    "explanation": explain_component(name, pct, peers, reason if weight is None else ""),
                }
            )
        return out


class EcosystemHealthQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> EcosystemHealthQuerySet:
        """Channel-wide figures: see `ecosystem_reader` (not for managers limited to regions, nor for partners
        unless PRM_PARTNERS_SEE_ECOSYSTEM)."""
        return self if ecosystem_reader(user) else self.none()


class EcosystemHealth(models.Model):
    """The whole ecosystem's health as of a date (DESIGN §4).

    `score` is the mean of partner scores weighted by their trailing-90-day won revenue
    (empty when no scored partner has revenue); shares are of scored partners; revenue
    concentration is over every partner's trailing-90-day won revenue; the Herfindahl
    index is the sum of squared revenue shares (0–1).
    """

    as_of = models.DateField()
    is_current = models.BooleanField(default=False)
    measured_at = models.DateTimeField()
    score = models.FloatField(null=True, blank=True)
    mean_score = models.FloatField(null=True, blank=True)
    partners_scored = models.PositiveIntegerField()
    healthy_share = models.FloatField(null=True, blank=True)
    watch_share = models.FloatField(null=True, blank=True)
    at_risk_share = models.FloatField(null=True, blank=True)
    revenue_90d = models.DecimalField(**MONEY)
    top10_revenue_share = models.FloatField(null=True, blank=True)
    herfindahl_index = models.FloatField(null=True, blank=True)
    regions_covered = models.PositiveIntegerField()
    regions_total = models.PositiveIntegerField()
    product_lines_covered = models.PositiveIntegerField()
    product_lines_total = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    objects = EcosystemHealthQuerySet.as_manager()

    class Meta:
        ordering = ["-as_of"]
        verbose_name_plural = "ecosystem health"
        constraints = [
            models.UniqueConstraint(fields=["is_current", "as_of"], name="ecosystem_health_one_row_per_date"),
            models.UniqueConstraint(fields=["is_current"], condition=Q(is_current=True), name="ecosystem_one_current"),
        ]

    def __str__(self) -> str:
        return f"ecosystem @ {self.as_of}: {self.score}"


class HealthInputQuerySet(PartnerScopedQuerySet):
    """Raw health inputs follow the health scores' rule (no distributor view of a reseller's)."""


class HealthInput(models.Model):
    """Working table of a recompute: raw health inputs per partner, written by the chunks of one run.

    The roll-up ranks them within each tier once every chunk is done, writes
    `PartnerHealthScore`, then deletes the run's inputs. Nothing reads it otherwise.
    """

    run = models.ForeignKey("JobRun", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    as_of = models.DateField()
    is_current = models.BooleanField()
    measured_at = models.DateTimeField()
    revenue_90d = models.FloatField()
    revenue_prior_90d = models.FloatField()
    pipeline = models.FloatField()
    engagement_90d = models.IntegerField()
    won_180d = models.IntegerField()
    lost_180d = models.IntegerField()
    units_sold_90d = models.BigIntegerField()
    on_hand = models.BigIntegerField(null=True)
    claims_90d = models.IntegerField()
    data_quality_score = models.FloatField(null=True)

    objects = HealthInputQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "partner", "is_current", "as_of"], name="health_input_unique"),
        ]


class JobRunQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> JobRunQuerySet:
        """Recompute jobs are the channel team's business: managers see them, partners do not."""
        return self if _is_manager(user) else self.none()

    def editable_by(self, user: Any) -> JobRunQuerySet:
        """Managers start recomputes; nobody else touches jobs."""
        return self.visible_to(user)


class JobRun(models.Model):
    """One analytics job (full recompute, hourly refresh, weight rescore) and its progress."""

    class Kind(models.TextChoices):
        FULL_RECOMPUTE = "full_recompute", "Full recompute"
        CURRENT_PERIOD = "current_period", "Current period refresh"
        RESCORE = "rescore", "Health rescore"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    done_chunks = models.JSONField(default=list, blank=True, help_text="Indexes of finished chunks.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = JobRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status"])]
        constraints = [
            models.CheckConstraint(
                name="job_run_done_within_total", condition=Q(chunks_done__lte=models.F("chunks_total"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.chunks_total:
            return 0
        return min(100, round(100 * self.chunks_done / self.chunks_total))


class DataQualityScoreQuerySet(PartnerScopedQuerySet):
    """A data-quality score is the vendor's assessment of one partner's reporting: the partner and the managers
    who see it read it; a distributor does not read its resellers' scores (as for health scores)."""

    distributor_reads_supplied = False

    def latest_complete(self) -> DataQualityScoreQuerySet:
        """Each partner's row of the last complete month (the month the list pages and the API lead with)."""
        last = DataQualityScore.objects.filter(partner=OuterRef("partner"), is_complete=True).order_by("-month")
        return self.filter(is_complete=True, month=Subquery(last.values("month")[:1]))


class DataQualityScore(models.Model):
    """How well one partner reported in one calendar month (UTC), 0–100, with the facts behind each component.

    Written only by the recompute (analytics.quality computes, docs/data-quality.md explains). Components:
    - timeliness = 100 × reports received on time / reports expected (stock and sell-out together);
    - completeness = mean of 100 × reports received / expected and 100 × optional sell-out fields filled / slots;
    - consistency = 100 × (products whose sell-out units agree with the stock reports' units sold + 852 balances that
      hold) / (products checked + 852 balances checked), both counted in products_checked / products_consistent;
    - duplicates = 100 × (1 − (corrections + stock re-sends + duplicate claims) / records), floored at 0.
    A component with nothing to measure is empty and left out; the others' weights are renormalised.
    """

    # Indexed through the unique (partner, month) constraint.
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.CASCADE,
        related_name="data_quality_scores",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField(help_text="The first day of the month.")
    is_complete = models.BooleanField(help_text="The month had ended when the score was computed.")

    stock_expected = models.PositiveIntegerField()
    stock_received = models.PositiveIntegerField()
    stock_on_time = models.PositiveIntegerField()
    sellout_expected = models.PositiveIntegerField()
    sellout_received = models.PositiveIntegerField()
    sellout_on_time = models.PositiveIntegerField()
    field_slots = models.PositiveIntegerField(help_text="Optional sell-out fields that could be filled.")
    fields_filled = models.PositiveIntegerField()
    products_checked = models.PositiveIntegerField(
        help_text="Products compared between sell-out and stock, plus 852 balances checked."
    )
    products_consistent = models.PositiveIntegerField()
    records = models.PositiveIntegerField(help_text="Sell-out lines, stock rows and claims dated in the month.")
    corrections = models.PositiveIntegerField(help_text="Sell-out lines corrected in the month.")
    stock_resends = models.PositiveIntegerField(help_text="Stock rows of the month replaced by a later delivery.")
    duplicate_claims = models.PositiveIntegerField(help_text="Warranty claims of the month flagged duplicate.")

    timeliness = models.FloatField(null=True, blank=True)
    completeness = models.FloatField(null=True, blank=True)
    consistency = models.FloatField(null=True, blank=True)
    duplicates = models.FloatField(null=True, blank=True)
    weights = models.JSONField(default=dict, blank=True, help_text="{component: weight used after renormalising}.")
    reasons = models.JSONField(default=dict, blank=True, help_text="{component: why it was left out}.")
    findings = models.JSONField(
        default=dict, blank=True, help_text='{"late": [...], "missing": [...], "inconsistent": [...]}: what to fix.'
    )
    score = models.FloatField(null=True, blank=True, help_text="0–100; empty when nothing was expected.")
    computed_at = models.DateTimeField()

    objects = DataQualityScoreQuerySet.as_manager()

    class Meta:
        ordering = ["partner", "-month"]
        verbose_name = "data-quality score"
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="data_quality_one_row_per_month"),
            models.CheckConstraint(
                name="data_quality_score_in_range",
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
            ),
            models.CheckConstraint(
                name="data_quality_received_within_expected",
                condition=Q(stock_on_time__lte=models.F("stock_received"))
                & Q(sellout_on_time__lte=models.F("sellout_received")),
            ),
        ]
        indexes = [models.Index(fields=["month", "score"], name="data_quality_month_score_idx")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month:%Y-%m}: {self.score}"

    @property
    def components(self) -> list[dict]:
        """Each component with its value, weight used and why it was left out (for pages and the API)."""
        from .definitions import QUALITY_COMPONENTS

        return [
            {
                "name": name,
                "label": label,
                "value": getattr(self, name),
                "weight": self.weights.get(name),
                "used": name in self.weights,
                "reason": self.reasons.get(name, ""),
            }
            for name, (label, _) in QUALITY_COMPONENTS.items()
        ]


def feedback_scope_q(user: Any, prefix: str = "") -> Q:
    """The product feedback rows `user` may read, reached by `prefix` ("" for the feedback tables themselves).

    Channel managers only (the rows add up every partner's claims, sales and losses). A manager who sees every
    region (and a superuser) reads the channel rows (`region` empty); a manager limited to regions reads the
    rows of those regions, which count only their partners. Partners read none.
    """
    path = f"{prefix}__" if prefix else ""
    if not _is_manager(user):
        return Q(**{f"{path}pk__in": []})
    if channel_wide_reader(user):
        return Q(**{f"{path}region__isnull": True})
    return Q(**{f"{path}region_id__in": user.region_ids})


class ProductFeedbackQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> ProductFeedbackQuerySet:
        """See `feedback_scope_q`."""
        return self.filter(feedback_scope_q(user))


class ProductFeedbackMonth(models.Model):
    """What the field says about one product in one month: units sold, claims, lost deals and the claim warning.

    One row per product, month and scope: `region` empty is the whole channel, a region the partners of that
    region (a claim counts in its service partner's region, a sale in its reporter's, a lost deal in its
    partner's). Written by the analytics runs (`analytics.feedback_store`), never in a request. Rules
    (docs/product-feedback.md):

    - units_sold, per reporting partner, product and month: the partner's sell-out when it reported any
      sell-out line for that product in that month (Σ sign × quantity of the lines sold to end customers:
      sales and drop-ships +, returns −, transfers and sales to another partner 0), else the `units_sold`
      of its stock reports dated in the month; `units_from_sellout` / `units_from_inventory` split the sum.
    - claims_submitted: warranty claims submitted in the month; deals_lost: registrations closed lost in the
      month with a line of the product.
    - line_claim_rate: claims per unit of the product line's other products over the 12 months before this
      one; expected_claims = units_sold × line_claim_rate; claim_p_value = P(X ≥ claims_submitted) for
      X ~ Poisson(expected_claims); claim_flag when expected_claims ≥ PRM_FEEDBACK_MIN_EXPECTED and
      claim_p_value < PRM_FEEDBACK_ALPHA.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="feedback_months", db_constraint=False
    )
    product_line = models.ForeignKey(
        "catalog.ProductLine", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    region = models.ForeignKey(
        "partners.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="Empty: the whole channel.",
    )
    month = models.DateField(help_text="First day of the month.")
    is_complete = models.BooleanField(help_text="The month had ended when it was computed.")
    units_sold = models.BigIntegerField()
    units_from_sellout = models.BigIntegerField()
    units_from_inventory = models.BigIntegerField()
    claims_submitted = models.PositiveIntegerField()
    deals_lost = models.PositiveIntegerField()
    line_claim_rate = models.FloatField(null=True, blank=True, help_text="Claims per unit, trailing 12 months.")
    expected_claims = models.FloatField(null=True, blank=True)
    claim_p_value = models.FloatField(null=True, blank=True)
    claim_flag = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    objects = ProductFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["product", "region", "month"]
        indexes = [models.Index(fields=["region", "month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "month"], condition=Q(region__isnull=True), name="feedback_one_channel_row"
            ),
            models.UniqueConstraint(
                fields=["product", "region", "month"],
                condition=Q(region__isnull=False),
                name="feedback_one_region_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.region_id or '*'} {self.month}"

    @property
    def claims_per_1000(self) -> float | None:
        """1000 × claims_submitted / units_sold; empty when nothing was sold."""
        return 1000 * self.claims_submitted / self.units_sold if self.units_sold > 0 else None


class FeedbackKind(models.TextChoices):
    FAILURE_CODE = "failure_code", "Failure code"
    LOSS_REASON = "loss_reason", "Loss reason"
    TICKET_CATEGORY = "ticket_category", "Ticket category"


class ProductFeedbackCount(models.Model):
    """A product's counts by code per month and scope (as `ProductFeedbackMonth`): claims by failure code,
    lost deals by loss reason ("" = not recorded), and tickets by category once tickets are counted.

    `code` is the stable code of the failure code, loss reason or ticket category; only non-zero counts are
    stored."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    region = models.ForeignKey(
        "partners.Region",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField()
    kind = models.CharField(max_length=20, choices=FeedbackKind.choices)
    code = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    objects = ProductFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["product", "kind", "code", "month"]
        indexes = [models.Index(fields=["product", "kind", "month"]), models.Index(fields=["region", "month"])]

    def __str__(self) -> str:
        return f"{self.product_id} {self.kind}:{self.code} {self.month}: {self.count}"


class UnconvertedAmountQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> UnconvertedAmountQuerySet:
        """The rate table's gaps are the channel team's business: managers see them, partners do not."""
        return self if _is_manager(user) else self.none()


class UnconvertedAmount(models.Model):
    """Money the stored figures of a month leave out because its currency had no rate (never converted at 1.0).

    One row per kind, currency and month, written with the figures by the recompute that wrote them and replaced
    with them: `won` = deals won in the month (rate of the close date), `pipeline` = deals open at the month's
    end (rate of its last day), `sellout` = sell-out lines dated in the month (for the sell-out figures that
    convert through `analytics.currency` too). `items` counts the rows, `amount` sums them in their own currency.
    """

    class Kind(models.TextChoices):
        WON = "won", "Won deals"
        PIPELINE = "pipeline", "Open pipeline"
        SELLOUT = "sellout", "Sell-out lines"

    run = models.ForeignKey(
        JobRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="unconverted_amounts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    currency = models.CharField(max_length=3)
    month = models.DateField(help_text="First day of the month the amounts belong to.")
    items = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=18, decimal_places=2, help_text="In `currency`, not converted.")
    computed_at = models.DateTimeField()

    objects = UnconvertedAmountQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "currency", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "currency", "month"], name="unconverted_amount_once"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%B %Y} ({self.kind}): {self.items}, {self.amount}"
