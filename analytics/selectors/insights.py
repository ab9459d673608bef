"""Inventory and warranty insights: stock cover and claim rates by partner and product line, claims by failure code.

Partner lists rank the partner rows of one month, quarter or year (a page that shows
a custom range picks the month to list); product lines read the ecosystem's product
line rows; claims by failure code read `FailureCodeCount`, the engine's counts per
group of partners, product line and failure code.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from catalog.models import ProductLine
from partners.models import Partner

from ..definitions import COVER_TARGET_DAYS, KPI_COLUMNS
from ..models import Dimension, FailureCodeCount, KpiSnapshot
from .kpis import PeriodLike, Scope, partner_period_rows, period_months

COVER_LOW, COVER_HIGH = COVER_TARGET_DAYS
# What a partner list row says of the partner (name → lookup).
PARTNER_FIELDS = {
    "partner_id": "partner_id",
    "name": "partner__name",
    "tier": "partner__tier__name",
    "region": "partner__region__name",
}


def _stored(period: PeriodLike) -> None:
    if period.kind == "custom":
        raise ValueError("partner lists read one stored row per partner: pass a month, quarter or year")


def _listed(rows: QuerySet[KpiSnapshot], columns: Sequence[str], limit: int) -> list[dict[str, Any]]:
    unknown = set(columns) - set(KPI_COLUMNS)
    if unknown:
        raise ValueError(f"not KPI columns: {sorted(unknown)}")
    fetched = rows.values(*PARTNER_FIELDS.values(), *columns)[:limit]
    return [
        {name: row[field] for name, field in PARTNER_FIELDS.items()} | {c: row[c] for c in columns} for row in fetched
    ]


def cover_distribution(partners: QuerySet[Partner], period: PeriodLike) -> dict[str, int]:
    """Partners by days of cover in the period: under the target (`low`), inside it (`target`), over it
    (`high`), stock but no sales (`no_sales`), and with at least one stockout (`stockouts`)."""
    _stored(period)
    return partner_period_rows(partners, period).aggregate(
        low=Count("pk", filter=Q(days_of_cover__lt=COVER_LOW)),
        target=Count("pk", filter=Q(days_of_cover__gte=COVER_LOW, days_of_cover__lte=COVER_HIGH)),
        high=Count("pk", filter=Q(days_of_cover__gt=COVER_HIGH)),
        no_sales=Count("pk", filter=Q(days_of_cover__isnull=True, on_hand_end__isnull=False)),
        stockouts=Count("pk", filter=Q(stockouts__gt=0)),
    )


def overstocked_partners(
    partners: QuerySet[Partner], period: PeriodLike, *, columns: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """Partners holding more than the target's days of cover, most first: {partner_id, name, tier, region,
    *columns}."""
    _stored(period)
    rows = partner_period_rows(partners, period).filter(days_of_cover__gt=COVER_HIGH)
    return _listed(rows.order_by("-days_of_cover", "partner__name"), columns, limit)


def understocked_partners(
    partners: QuerySet[Partner], period: PeriodLike, *, columns: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """Partners holding less than the target's days of cover, fewest first."""
    _stored(period)
    rows = partner_period_rows(partners, period).filter(days_of_cover__lt=COVER_LOW)
    return _listed(rows.order_by("days_of_cover", "partner__name"), columns, limit)


def stockout_partners(
    partners: QuerySet[Partner], period: PeriodLike, *, columns: Sequence[str], limit: int
) -> list[dict[str, Any]]:
    """Partners with products out of stock at the end of the period, most stockouts first."""
    _stored(period)
    rows = partner_period_rows(partners, period).filter(stockouts__gt=0)
    return _listed(rows.order_by("-stockouts", "partner__name"), columns, limit)


def unusual_claim_partners(
    partners: QuerySet[Partner],
    period: PeriodLike,
    *,
    rate_above: float,
    min_claims: int,
    columns: Sequence[str],
    limit: int,
) -> list[dict[str, Any]]:
    """Partners filing more than `rate_above` claims per 1,000 units with at least `min_claims` of the claims
    that rate counts (`claims_with_units`), highest rate first."""
    _stored(period)
    rows = partner_period_rows(partners, period).filter(
        claims_per_1000_units__gt=rate_above, claims_with_units__gte=min_claims
    )
    return _listed(rows.order_by("-claims_per_1000_units", "partner__name"), columns, limit)


def _line_names() -> dict[str, str]:
    return {str(pk): name for pk, name in ProductLine.objects.values_list("pk", "name")}


def product_line_rows(
    *, user: Any, period: PeriodLike, product_line_id: int | None, columns: Sequence[str]
) -> list[dict]:
    """The ecosystem's product line rows of one month, quarter or year, by line name: {name, *columns}."""
    _stored(period)
    rows = KpiSnapshot.objects.visible_to(user).filter(
        dimension=Dimension.PRODUCT_LINE, granularity=period.kind, period_start=period.start
    )
    if product_line_id:
        rows = rows.filter(key=str(product_line_id))
    names = _line_names()
    out = []
    for row in rows.values("key", *columns):
        key = row.pop("key")
        out.append({"name": names.get(key, key)} | row)
    return sorted(out, key=lambda row: row["name"])


def product_line_months(
    *, user: Any, months: Sequence[date], product_line_id: int | None, columns: Sequence[str]
) -> dict[str, dict[date, dict[str, Any]]]:
    """{product line name: {month: {column: value}}} from the ecosystem's monthly product line rows, by name."""
    rows = KpiSnapshot.objects.visible_to(user).filter(
        dimension=Dimension.PRODUCT_LINE, granularity="month", period_start__in=list(months)
    )
    if product_line_id:
        rows = rows.filter(key=str(product_line_id))
    names = _line_names()
    grid: dict[str, dict[date, dict[str, Any]]] = {}
    for row in rows.values("key", "period_start", *columns):
        key, start = row.pop("key"), row.pop("period_start")
        grid.setdefault(names.get(key, key), {})[start] = row
    return dict(sorted(grid.items()))


def claims_by_failure_code(*, user: Any, scope: Scope, period: PeriodLike) -> list[dict[str, Any]]:
    """Claims submitted in the period per failure code, most first: {code, description, claims, approved}.

    `approved` counts those claims approved or paid when the figures were computed. Covers the partners the
    user may see, narrowed by the scope's partner filters and product line.
    """
    rows = FailureCodeCount.objects.visible_to(user).filter(**scope.partner_filters)
    if period.kind == "custom":
        rows = rows.filter(granularity="month", period_start__in=period_months(period.start, period.end))
    else:
        rows = rows.filter(granularity=period.kind, period_start=period.start)
    if scope.product_line_id:
        rows = rows.filter(product_line_id=scope.product_line_id)
    grouped = (
        rows.values("failure_code__code", "failure_code__description")
        .order_by()
        .annotate(claims=Sum("claims_submitted"), approved=Sum("claims_approved"))
        .filter(claims__gt=0)
        .order_by("-claims", "failure_code__code")
    )
    return [
        {
            "code": row["failure_code__code"],
            "description": row["failure_code__description"],
            "claims": row["claims"],
            "approved": row["approved"],
        }
        for row in grouped
    ]
