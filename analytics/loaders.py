"""Read ecosystem rows into DataFrames for the pure KPI and health functions.

One narrow SQL query per source, with times converted to epoch seconds and money
to float inside the database, so that a million rows cross the wire as numbers.
On PostgreSQL the result streams through `COPY … TO STDOUT` into pandas' CSV
reader (several times faster than building Python tuples); on SQLite it is a
plain fetch. The SQL only interpolates table names and fixed expressions; every
value is a parameter.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

import pandas as pd
from django.db import connection

from catalog.models import Product
from deals.models import DealLine, DealRegistration
from inventory.models import InventoryReport
from partners.models import Certification, Partner
from warranty.models import WarrantyClaim

DEALS = DealRegistration._meta.db_table
LINES = DealLine._meta.db_table
PRODUCTS = Product._meta.db_table
INVENTORY = InventoryReport._meta.db_table
CLAIMS = WarrantyClaim._meta.db_table
CERTS = Certification._meta.db_table
PARTNERS = Partner._meta.db_table

DEAL_COLUMNS = ["id", "partner_id", "submitted", "decided", "closed", "expires", "status", "amount", "conflict"]
INVENTORY_COLUMNS = ["partner_id", "product_id", "day", "on_hand", "units_sold"]
CLAIM_COLUMNS = ["partner_id", "submitted", "decided", "status"]
CERT_COLUMNS = ["partner_id", "earned", "expires"]


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def epoch(column: str) -> str:
    """SQL for a timestamp column as seconds since 1970 (UTC), NULL kept."""
    if _postgres():
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS double precision)"
    # SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC); julianday() would round to milliseconds.
    return f"(CAST(strftime('%%s', {column}) AS REAL) + CAST(substr({column}, 20) AS REAL))"


def date_epoch(column: str) -> str:
    """SQL for a date column as the seconds of its midnight (UTC)."""
    if _postgres():
        return f"(CAST({column} - DATE '1970-01-01' AS double precision) * 86400.0)"
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


def real(column: str) -> str:
    return f"CAST({column} AS double precision)" if _postgres() else f"CAST({column} AS REAL)"


def _in(column: str, ids: Sequence[int] | None, params: list) -> str:
    """`AND column IN (…)` for a chunk of partners, or nothing for every partner."""
    if ids is None:
        return ""
    params.extend(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"


def query_frame(sql: str, params: Sequence, columns: list[str]) -> pd.DataFrame:
    """Run a SELECT and return its rows as a DataFrame with `columns` (NULL → NaN)."""
    with connection.cursor() as cursor:
        if _postgres():
            raw = cursor.cursor
            statement = raw.mogrify(sql, list(params)).decode()
            buffer = io.BytesIO()
            raw.copy_expert(f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)", buffer)
            buffer.seek(0)
            if not buffer.getbuffer().nbytes:
                return pd.DataFrame({name: pd.Series(dtype="float64") for name in columns})
            return pd.read_csv(buffer, names=columns, header=None, keep_default_na=False, na_values=[""])
        cursor.execute(sql, list(params))
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns, coerce_float=True)


def _bools(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    values = frame[column]
    frame[column] = values.isin([True, 1, "t", "true", "True"]) if len(values) else values.astype(bool)
    return frame


def _deal_filter(params: list, since: datetime) -> str:
    # Every registration that can affect a period or window after `since`: anything that happened
    # since, and every deal never closed (it may still be in the pipeline).
    params.extend([since, since, since])
    return (
        "d.status <> 'draft' AND (d.submitted_at >= %s OR d.decided_at >= %s OR d.closed_at >= %s"
        " OR d.closed_at IS NULL)"
    )


def load_deals(partner_ids: Sequence[int] | None, since: datetime) -> pd.DataFrame:
    """Registrations of the partners (all when None) relevant after `since`; key = partner id."""
    params: list = []
    where = _deal_filter(params, since)
    sql = (
        f"SELECT d.id, d.partner_id, {epoch('d.submitted_at')}, {epoch('d.decided_at')}, {epoch('d.closed_at')}, "  # noqa: S608
        f"{epoch('d.protection_expires_at')}, d.status, {real('d.amount')}, d.has_conflict "
        f"FROM {DEALS} d WHERE {where}{_in('d.partner_id', partner_ids, params)}"
    )
    frame = _bools(query_frame(sql, params, DEAL_COLUMNS), "conflict")
    return frame.assign(key=frame["partner_id"])


def load_line_amounts() -> pd.DataFrame:
    """Every deal line as (deal id, product line, quantity × unit price): a registration's share per line.

    Grouped in pandas rather than SQL: a million-group GROUP BY spills to disk in PostgreSQL's default
    work_mem and is several times slower than fetching the lines.
    """
    sql = (
        f"SELECT l.deal_id, p.product_line_id, {real('l.quantity * l.unit_price')} "  # noqa: S608
        f"FROM {LINES} l JOIN {PRODUCTS} p ON p.id = l.product_id"
    )
    return query_frame(sql, [], ["deal_id", "product_line_id", "amount"])


def load_inventory(
    partner_ids: Sequence[int] | None, since: date, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Stock reports dated on or after `since`, plus each product's last report before it (the opening
    position). Key = partner id, or the product line when `product_line_ids` is given."""
    select = f"r.partner_id, r.product_id, {date_epoch('r.date')}, r.on_hand, r.units_sold, p.product_line_id"
    params: list = [since]
    recent = f"SELECT {select} FROM {INVENTORY} r JOIN {PRODUCTS} p ON p.id = r.product_id WHERE r.date >= %s"  # noqa: S608
    recent += _in("r.partner_id", partner_ids, params)
    recent += _in("p.product_line_id", product_line_ids, params)
    params.append(since)
    opening = (
        f"SELECT {select} FROM {INVENTORY} r JOIN {PRODUCTS} p ON p.id = r.product_id "  # noqa: S608
        f"JOIN (SELECT partner_id, product_id, MAX(date) AS last_date FROM {INVENTORY} WHERE date < %s"
        f"{_in('partner_id', partner_ids, params)} GROUP BY partner_id, product_id) m "
        "ON r.partner_id = m.partner_id AND r.product_id = m.product_id AND r.date = m.last_date WHERE 1 = 1"
    )
    opening += _in("p.product_line_id", product_line_ids, params)
    frame = query_frame(f"{recent} UNION ALL {opening}", params, [*INVENTORY_COLUMNS, "product_line_id"])
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def load_claims(
    partner_ids: Sequence[int] | None, since: datetime, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Warranty claims submitted or decided since `since`; key = partner id (or product line)."""
    params: list = [since, since]
    sql = (
        f"SELECT c.partner_id, {epoch('c.submitted_at')}, {epoch('c.decided_at')}, c.status, p.product_line_id "  # noqa: S608
        f"FROM {CLAIMS} c JOIN {PRODUCTS} p ON p.id = c.product_id WHERE (c.submitted_at >= %s OR c.decided_at >= %s)"
    )
    sql += _in("c.partner_id", partner_ids, params) + _in("p.product_line_id", product_line_ids, params)
    frame = query_frame(sql, params, [*CLAIM_COLUMNS, "product_line_id"])
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def load_certifications(
    partner_ids: Sequence[int] | None, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Certifications (earned and expiry dates); key = partner id (or product line)."""
    params: list = []
    sql = (
        f"SELECT c.partner_id, {date_epoch('c.earned_on')}, {date_epoch('c.expires_on')}, c.product_line_id "  # noqa: S608
        f"FROM {CERTS} c WHERE 1 = 1"
    )
    sql += _in("c.partner_id", partner_ids, params) + _in("c.product_line_id", product_line_ids, params)
    frame = query_frame(sql, params, [*CERT_COLUMNS, "product_line_id"])
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def product_line_ids() -> list[int]:
    from catalog.models import ProductLine

    return list(ProductLine.objects.order_by("pk").values_list("pk", flat=True))


def load_partners(partner_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Partner attributes that place a partner in groups: tier, type, region, status."""
    queryset = Partner.objects.order_by("pk")
    if partner_ids is not None:
        queryset = queryset.filter(pk__in=list(partner_ids))
    rows = list(queryset.values_list("pk", "tier_id", "partner_type", "region_id", "status"))
    frame = pd.DataFrame.from_records(rows, columns=["partner_id", "tier_id", "partner_type", "region_id", "status"])
    return frame.astype({"partner_id": "int64"})
