"""The partner list's columns, sorting and export rows: partners with their current health and the KPIs of one
period (annotated by `analytics.selectors.partners_with_kpis`), sortable on any column."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, QuerySet

from analytics.definitions import KPIS
from partners.models import Partner

from ..charts import Column
from .tiles import PARTNER_LIST_KPIS


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    kind: str
    order: str  # field or annotation to order by

    @property
    def column(self) -> Column:
        return Column(self.label, self.kind)


COLUMNS: tuple[ListColumn, ...] = (
    ListColumn("name", "Partner", "text", "name"),
    ListColumn("tier", "Tier", "text", "tier__rank"),
    ListColumn("type", "Type", "text", "partner_type"),
    ListColumn("region", "Region", "text", "region__name"),
    ListColumn("status", "Status", "text", "status"),
    ListColumn("health_score", "Health", "score", "health_score"),
    *(
        ListColumn(
            k,
            KPIS[k].label + (f" ({settings.PRM_REPORTING_CURRENCY})" if KPIS[k].unit == "money" else ""),
            KPIS[k].unit,
            k,
        )
        for k in PARTNER_LIST_KPIS
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
KPI_COLUMNS = tuple(c for c in COLUMNS if c.key in PARTNER_LIST_KPIS)
DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> tuple[ListColumn, bool]:
    """`?sort=won_revenue` ascending, `?sort=-won_revenue` descending; unknown columns sort by name."""
    value = (value or "").strip()
    descending = value.startswith("-")
    column = BY_KEY.get(value.lstrip("-"))
    if column is None:
        return BY_KEY[DEFAULT_SORT], False
    return column, descending


def sorted_partners(partners: QuerySet[Partner], column: ListColumn, descending: bool) -> QuerySet[Partner]:
    """Empty values last in either direction; name and id break ties so pages never overlap."""
    expression = F(column.order).desc(nulls_last=True) if descending else F(column.order).asc(nulls_last=True)
    return partners.order_by(expression, "name", "pk")


def export_rows(partners: QuerySet[Partner]):
    """Rows for CSV/XLSX, in the list's order, streamed from the database in chunks."""
    types = dict(Partner.Type.choices)
    statuses = dict(Partner.Status.choices)
    fields = (
        "name",
        "tier__name",
        "partner_type",
        "region__name",
        "status",
        "country",
        "health_score",
        "health_band",
        *PARTNER_LIST_KPIS,
    )
    for row in partners.values_list(*fields).iterator(chunk_size=2000):
        name, tier, ptype, region, status, country, score, band, *kpis = row
        yield [
            name,
            tier,
            types.get(ptype, ptype),
            region,
            statuses.get(status, status),
            country,
            score,
            band.replace("_", " ") if band else None,
            *kpis,
        ]


EXPORT_COLUMNS = [
    Column("Partner"),
    Column("Tier"),
    Column("Type"),
    Column("Region"),
    Column("Status"),
    Column("Country"),
    Column("Health score", "score"),
    Column("Health band"),
    *(c.column for c in KPI_COLUMNS),
]
