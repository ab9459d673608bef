"""Read ecosystem rows into DataFrames for the pure KPI and health functions.

One narrow SQL query per source, with times as epoch seconds and money as float,
so that a million rows cross the wire as numbers. On PostgreSQL the rows stream
through a binary `COPY … TO STDOUT` decoded by numpy (`pgbinary.copy_query_out`):
every column is fixed-width (NULL becomes a sentinel, a status a small integer),
so no value is ever formatted as text or parsed back. Other databases get a
plain fetch of the same columns. The SQL only interpolates table names and fixed
expressions; every value is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from django.db import connection

from catalog.models import Product
from currencies.selectors import rate_table
from deals.models import DealLine, DealRegistration, DealStatus
from inventory.models import InventoryReport
from partners.models import Certification, Partner
from sellout.models import SellOutLine
from support.models import Ticket
from warranty.models import ClaimStatus, WarrantyClaim

from .currency import Rates, converted
from .pgbinary import copy_query_out

DEALS = DealRegistration._meta.db_table
LINES = DealLine._meta.db_table
PRODUCTS = Product._meta.db_table
INVENTORY = InventoryReport._meta.db_table
CLAIMS = WarrantyClaim._meta.db_table
CERTS = Certification._meta.db_table
TICKETS = Ticket._meta.db_table
PARTNERS = Partner._meta.db_table
SELLOUT = SellOutLine._meta.db_table
# The sign of a sell-out line's quantity by its type, as SQL (`SellOutLine.SIGN`: the one rule).
SELLOUT_SIGN_SQL = (
    "CASE l.transaction_type "
    + " ".join(f"WHEN '{kind}' THEN {sign}" for kind, sign in SellOutLine.SIGN.items())
    + " ELSE 0 END"
)
SALE_TYPES = tuple(kind for kind, sign in SellOutLine.SIGN.items() if sign > 0)
# Currencies and countries are sent as small integers (their index among the codes present); a code that is
# not plain upper-case letters is never written into the SQL and reads as "" (no rate; no country).
_CODE = re.compile(r"^[A-Z]{2,3}$")

INT_NULL = np.iinfo(np.int64).min
PG_EPOCH_MICROS = 946_684_800 * 1_000_000  # 2000-01-01, PostgreSQL's zero, in µs since 1970
PG_EPOCH_DAYS = 10_957


def seconds_to_date(seconds: float) -> date:
    return (datetime(1970, 1, 1) + timedelta(seconds=float(seconds))).date()


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def epoch(column: str) -> str:
    """SQLite SQL for a timestamp column as seconds since 1970 (UTC), NULL kept.

    SQLite keeps "YYYY-MM-DD HH:MM:SS[.ffffff]" (UTC); julianday() would round to milliseconds.
    """
    return f"(CAST(strftime('%%s', {column}) AS REAL) + CAST(substr({column}, 20) AS REAL))"


def date_epoch(column: str) -> str:
    """SQLite SQL for a date column as the seconds of its midnight (UTC)."""
    return f"((julianday({column}) - 2440587.5) * 86400.0)"


@dataclass(frozen=True)
class Col:
    """One column a loader reads: its name in the frame, its SQL, and what it holds.

    Kinds: `int` (NULL → NaN), `float` (NULL → NaN), `time` (timestamp → epoch seconds), `date` (→ epoch
    seconds of its midnight), `money` (two decimals → float), `bool`, `choice` (one of `choices`, sent as
    its index), `code` (a code of up to three ASCII letters such as a currency, sent as one integer).
    """

    name: str
    sql: str
    kind: str
    choices: tuple[str, ...] = ()

    def postgres(self) -> tuple[str, str]:
        """(fixed-width SQL expression with no NULL, numpy format of its binary form)."""
        if self.kind == "int":
            return f"COALESCE(CAST({self.sql} AS bigint), '{INT_NULL}'::bigint)", ">i8"
        if self.kind == "float":
            return f"COALESCE(CAST({self.sql} AS double precision), 'NaN'::float8)", ">f8"
        if self.kind == "time":
            return f"COALESCE(CAST({self.sql} AS timestamptz), '-infinity'::timestamptz)", ">i8"
        if self.kind == "date":
            return f"COALESCE(CAST({self.sql} AS date), '-infinity'::date)", ">i4"
        if self.kind == "money":
            return f"COALESCE(CAST(ROUND(({self.sql}) * 100) AS bigint), '{INT_NULL}'::bigint)", ">i8"
        if self.kind == "bool":
            return f"COALESCE(CAST({self.sql} AS boolean), false)", "u1"
        if self.kind == "choice":
            cases = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(self.choices))
            return f"CAST(CASE {self.sql} {cases} ELSE -1 END AS smallint)", ">i2"
        if self.kind == "code":
            letters = " + ".join(
                f"ascii(substr(COALESCE({self.sql}, ''), {i + 1}, 1)) * {256 ** (2 - i)}" for i in range(3)
            )
            return f"CAST({letters} AS integer)", ">i4"
        raise ValueError(f"unknown column kind {self.kind!r}")

    def portable(self) -> str:
        """The same column for other databases (NULL kept)."""
        if self.kind == "time":
            return epoch(self.sql)
        if self.kind == "date":
            return date_epoch(self.sql)
        if self.kind in ("money", "float"):
            return f"CAST({self.sql} AS REAL)"
        return self.sql

    def decode(self, values: np.ndarray) -> np.ndarray:
        """A decoded binary column as the frame holds it."""
        if self.kind in ("int", "money"):
            missing = values == INT_NULL
            if self.kind == "money":
                return np.where(missing, np.nan, values / 100.0)
            return np.where(missing, np.nan, values) if missing.any() else values
        if self.kind == "time":
            missing = (values == INT_NULL) | (values == np.iinfo(np.int64).max)
            return np.where(missing, np.nan, (values + PG_EPOCH_MICROS) / 1e6)
        if self.kind == "date":
            missing = (values == np.iinfo(np.int32).min) | (values == np.iinfo(np.int32).max)
            return np.where(missing, np.nan, (values.astype("int64") + PG_EPOCH_DAYS) * 86400.0)
        if self.kind == "float":
            return values
        if self.kind == "bool":
            return values.astype(bool)
        if self.kind == "code":
            return decode_codes(values)
        labels = np.array([*self.choices, ""], dtype=object)
        return labels[np.where(values < 0, len(self.choices), values)]


def decode_codes(values: np.ndarray) -> np.ndarray:
    """Three-letter codes sent as integers (`Col` kind `code`) back as strings, decoding each distinct value once."""
    unique, inverse = np.unique(np.asarray(values, dtype="int64"), return_inverse=True)
    text = [bytes(b for b in ((v >> 16) & 255, (v >> 8) & 255, v & 255) if b).decode("ascii") for v in unique.tolist()]
    return np.array(text, dtype=object)[inverse.reshape(-1)]


def select(columns: Sequence[Col]) -> str:
    """The SELECT list that `query_columns` decodes, for the database in use."""
    if _postgres():
        return ", ".join(column.postgres()[0] for column in columns)
    return ", ".join(column.portable() for column in columns)


def query_columns(sql: str, params: Sequence, columns: Sequence[Col]) -> pd.DataFrame:
    """Run a SELECT whose list is `select(columns)` and return its rows as a DataFrame."""
    names = [column.name for column in columns]
    with connection.cursor() as cursor:
        if _postgres():
            raw = cursor.cursor
            statement = raw.mogrify(sql, list(params)).decode()
            arrays = copy_query_out(raw, statement, [column.postgres()[1] for column in columns])
            return pd.DataFrame({c.name: c.decode(a) for c, a in zip(columns, arrays, strict=True)})
        cursor.execute(sql, list(params))
        frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names, coerce_float=True)
    for column in columns:
        if column.kind == "bool":
            frame = _bools(frame, column.name)
        elif column.kind in ("time", "date", "money", "float"):
            frame[column.name] = pd.to_numeric(frame[column.name]).astype("float64")
    return frame


def _in(column: str, ids: Sequence[int] | None, params: list) -> str:
    """`AND column IN (…)` for a chunk of partners, or nothing for every partner."""
    if ids is None:
        return ""
    params.extend(ids)
    return f" AND {column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"


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


def deal_columns() -> list[Col]:
    return [
        Col("id", "d.id", "int"),
        Col("partner_id", "d.partner_id", "int"),
        Col("submitted", "d.submitted_at", "time"),
        Col("decided", "d.decided_at", "time"),
        Col("closed", "d.closed_at", "time"),
        Col("expires", "d.protection_expires_at", "time"),
        Col("status", "d.status", "choice", tuple(DealStatus.values)),
        Col("amount", "d.amount", "money"),
        Col("currency", "d.currency", "code"),
        Col("conflict", "d.has_conflict", "bool"),
    ]


def load_deals(partner_ids: Sequence[int] | None, since: datetime) -> pd.DataFrame:
    """Registrations of the partners (all when None) relevant after `since`; key = partner id."""
    params: list = []
    where = _deal_filter(params, since)
    columns = deal_columns()
    sql = f"SELECT {select(columns)} FROM {DEALS} d WHERE {where}{_in('d.partner_id', partner_ids, params)}"  # noqa: S608
    frame = query_columns(sql, params, columns)
    return frame.assign(key=frame["partner_id"])


def load_line_amounts() -> pd.DataFrame:
    """Every deal line as (deal id, product line, quantity × unit price): a registration's share per line.

    Grouped in pandas rather than SQL: a million-group GROUP BY spills to disk in PostgreSQL's default
    work_mem and is several times slower than fetching the lines.
    """
    columns = [
        Col("deal_id", "l.deal_id", "int"),
        Col("product_line_id", "p.product_line_id", "int"),
        Col("amount", "l.quantity * l.unit_price", "money"),
    ]
    sql = f"SELECT {select(columns)} FROM {LINES} l JOIN {PRODUCTS} p ON p.id = l.product_id"  # noqa: S608
    return query_columns(sql, [], columns)


def load_inventory(
    partner_ids: Sequence[int] | None, since: date, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Stock reports dated on or after `since`, plus each product's last report before it (the opening
    position). Key = partner id, or the product line when `product_line_ids` is given."""
    columns = [
        Col("partner_id", "r.partner_id", "int"),
        Col("product_id", "r.product_id", "int"),
        Col("day", "r.date", "date"),
        Col("on_hand", "r.on_hand", "int"),
        Col("units_sold", "r.units_sold", "int"),
        Col("product_line_id", "p.product_line_id", "int"),
    ]
    params: list = [since]
    recent = f"SELECT {select(columns)} FROM {INVENTORY} r JOIN {PRODUCTS} p ON p.id = r.product_id WHERE r.date >= %s"  # noqa: S608
    recent += _in("r.partner_id", partner_ids, params)
    recent += _in("p.product_line_id", product_line_ids, params)
    params.append(since)
    opening = (
        f"SELECT {select(columns)} FROM {INVENTORY} r JOIN {PRODUCTS} p ON p.id = r.product_id "  # noqa: S608
        f"JOIN (SELECT partner_id, product_id, MAX(date) AS last_date FROM {INVENTORY} WHERE date < %s"
        f"{_in('partner_id', partner_ids, params)} GROUP BY partner_id, product_id) m "
        "ON r.partner_id = m.partner_id AND r.product_id = m.product_id AND r.date = m.last_date WHERE 1 = 1"
    )
    opening += _in("p.product_line_id", product_line_ids, params)
    frame = query_columns(f"{recent} UNION ALL {opening}", params, columns)
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def load_claims(
    partner_ids: Sequence[int] | None, since: datetime, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Warranty claims submitted or decided since `since`; key = partner id (or product line)."""
    columns = [
        Col("partner_id", "c.partner_id", "int"),
        Col("submitted", "c.submitted_at", "time"),
        Col("decided", "c.decided_at", "time"),
        Col("status", "c.status", "choice", tuple(ClaimStatus.values)),
        Col("product_line_id", "p.product_line_id", "int"),
        Col("failure_code_id", "c.failure_code_id", "int"),
    ]
    params: list = [since, since]
    sql = (
        f"SELECT {select(columns)} FROM {CLAIMS} c JOIN {PRODUCTS} p ON p.id = c.product_id "  # noqa: S608
        "WHERE (c.submitted_at >= %s OR c.decided_at >= %s)"
    )
    sql += _in("c.partner_id", partner_ids, params) + _in("p.product_line_id", product_line_ids, params)
    frame = query_columns(sql, params, columns)
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def load_tickets(
    partner_ids: Sequence[int] | None, since: datetime, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Support tickets opened or resolved since `since`; key = partner id (or product line).

    `resolved` is the latest resolution of a ticket that is resolved or closed now (a reopen clears it);
    `reopened` whether it was ever reopened; `breached` whether it missed a first-response or resolution target.
    """
    columns = [
        Col("partner_id", "t.partner_id", "int"),
        Col("opened", "t.opened_at", "time"),
        Col("resolved", "t.resolved_at", "time"),
        Col("reopened", "(t.reopen_count > 0)", "bool"),
        Col("breached", "(t.first_response_breached OR t.resolution_breached)", "bool"),
        Col("product_line_id", "p.product_line_id", "int"),
    ]
    params: list = [since, since]
    sql = (
        f"SELECT {select(columns)} FROM {TICKETS} t JOIN {PRODUCTS} p ON p.id = t.product_id "  # noqa: S608
        "WHERE (t.opened_at >= %s OR t.resolved_at >= %s)"
    )
    sql += _in("t.partner_id", partner_ids, params) + _in("p.product_line_id", product_line_ids, params)
    frame = query_columns(sql, params, columns)
    return frame.assign(key=frame["product_line_id"] if product_line_ids is not None else frame["partner_id"])


def load_certifications(
    partner_ids: Sequence[int] | None, product_line_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Certifications (earned and expiry dates); key = partner id (or product line)."""
    columns = [
        Col("partner_id", "c.partner_id", "int"),
        Col("earned", "c.earned_on", "date"),
        Col("expires", "c.expires_on", "date"),
        Col("product_line_id", "c.product_line_id", "int"),
    ]
    params: list = []
    sql = f"SELECT {select(columns)} FROM {CERTS} c WHERE 1 = 1"  # noqa: S608
    sql += _in("c.partner_id", partner_ids, params) + _in("c.product_line_id", product_line_ids, params)
    frame = query_columns(sql, params, columns)
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


def load_rates(currencies: Sequence[str], start: date, end: date) -> Rates:
    """The rate table for amounts of `currencies` dated in [start, end], read once (one query) for a step."""
    return Rates.from_table(rate_table(currencies=currencies, start=start, end=end))


def _codes(column: str, where: str, params: Sequence) -> tuple[str, ...]:
    """The distinct codes (currencies, countries) of `column` among the sell-out lines `where` selects, after ""
    (none given; also what any other value reads as), so that the list is never empty."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {column} FROM {SELLOUT} l WHERE {where}", list(params))  # noqa: S608
        return ("", *sorted(code for (code,) in cursor.fetchall() if code and _CODE.match(code)))


def load_sellout(partner_ids: Sequence[int] | None, since: date) -> pd.DataFrame:
    """Sell-out lines dated on or after `since` (key = reporter id): partner_id, day, sign, quantity, value
    (quantity × unit price in the line's currency), currency, product_line_id, country, and amount: the value
    in the reporting currency at the rate of the line's date (`analytics.currency`, one rate table for all the
    lines), NaN when there is no rate — left out of the revenue and counted, never converted at 1.0.
    """
    params: list = [since]
    where = "l.date >= %s" + _in("l.reporter_id", partner_ids, params)
    currencies = _codes("l.currency", where, params)
    countries = _codes("l.end_customer_country", where, params)
    columns = [
        Col("partner_id", "l.reporter_id", "int"),
        Col("day", "l.date", "date"),
        Col("sign", SELLOUT_SIGN_SQL, "int"),
        Col("quantity", "l.quantity", "int"),
        Col("value", "l.quantity * l.unit_price", "money"),
        Col("currency", "l.currency", "choice", currencies),
        Col("product_line_id", "p.product_line_id", "int"),
        Col("country", "l.end_customer_country", "choice", countries),
    ]
    sql = f"SELECT {select(columns)} FROM {SELLOUT} l JOIN {PRODUCTS} p ON p.id = l.product_id WHERE {where}"  # noqa: S608
    frame = query_columns(sql, params, columns)
    # Both paths alike: a code outside the plain ones reads as "" (no rate; no country).
    frame["currency"] = frame["currency"].where(frame["currency"].isin(currencies), "")
    frame["country"] = frame["country"].where(frame["country"].isin(countries), "")
    days = frame["day"].dropna()
    until = seconds_to_date(days.max()) if len(days) else since
    table = rate_table(currencies=frame["currency"].unique().tolist(), start=since, end=until)
    amount = converted(frame, "day", Rates.from_table(table), amount="value")
    return frame.assign(key=frame["partner_id"], amount=amount)


def load_sellout_customers(partner_ids: Sequence[int] | None, since: date) -> pd.DataFrame:
    """The end customers of sale and drop-ship lines: each line dated on or after `since`, plus each (reporter,
    customer, product line)'s first line before it (enough to tell a customer new in a period from one already
    reached, without reading the older history line by line). Key = reporter id.

    customer = the matched customer's id, or minus the candidate's id (an unmatched end customer is still one
    customer, never folded into another); lines with neither are left out.
    """
    customer = "COALESCE(l.customer_id, -l.customer_candidate_id)"
    kinds = ", ".join(f"'{kind}'" for kind in SALE_TYPES)
    columns = [
        Col("partner_id", "s.reporter_id", "int"),
        Col("customer", "s.customer", "int"),
        Col("day", "s.day", "date"),
        Col("product_line_id", "s.product_line_id", "int"),
    ]
    base = (
        f"FROM {SELLOUT} l JOIN {PRODUCTS} p ON p.id = l.product_id "
        f"WHERE l.transaction_type IN ({kinds}) AND {customer} IS NOT NULL"
    )
    params: list = [since]
    recent = f"SELECT l.reporter_id, {customer} AS customer, l.date AS day, p.product_line_id {base} AND l.date >= %s"
    recent += _in("l.reporter_id", partner_ids, params)
    params.append(since)
    earlier = (
        f"SELECT l.reporter_id, {customer} AS customer, MIN(l.date) AS day, p.product_line_id {base} "
        f"AND l.date < %s{_in('l.reporter_id', partner_ids, params)} "
        f"GROUP BY l.reporter_id, {customer}, p.product_line_id"
    )
    sql = f"SELECT {select(columns)} FROM ({recent} UNION ALL {earlier}) s"  # noqa: S608
    frame = query_columns(sql, params, columns)
    return frame.assign(key=frame["partner_id"])
