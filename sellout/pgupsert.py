"""The PostgreSQL path of `sellout_lines_upsert`: a few set-based statements over a COPY-filled staging table.

A bulk request carries up to 10,000 lines; building a model instance per line, comparing it in Python and
writing it back costs several times what the database needs. Here the checked rows are COPYed into a
session-local staging table, and the same rule as the portable path (`sellout.services`) runs as SQL:

1. lines that exist with other values (any of `LINE_FIELDS`, or the set of serials) are found in one
   statement, and a `SellOutCorrection` is written for each with the replaced values as JSON, in the same
   form the portable path writes;
2. those lines are updated, their serials replaced;
3. the rest are inserted, with their serials.

tests/sellout/test_pgupsert.py runs both paths over the same deliveries (new, unchanged, corrected, serials
added and removed, end customers matched and not) and compares every table they write.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.db import connection

from .models import SellOutCorrection, SellOutLine, SellOutSerial

# (staging column, SQL type, line column) in COPY order; the line's own key columns first.
STAGING = (
    ("invoice_number", "varchar(50)", "invoice_number"),
    ("invoice_line", "integer", "invoice_line"),
    ("date", "date", "date"),
    ("transaction_type", "varchar(10)", "transaction_type"),
    ("product_id", "bigint", "product_id"),
    ("quantity", "integer", "quantity"),
    ("unit_price", "numeric(14,2)", "unit_price"),
    ("currency", "varchar(3)", "currency"),
    ("sold_to_partner_id", "bigint", "sold_to_partner_id"),
    ("sold_to_name", "varchar(200)", "sold_to_name"),
    ("end_customer_name", "varchar(200)", "end_customer_name"),
    ("end_customer_country", "varchar(2)", "end_customer_country"),
    ("end_customer_postcode", "varchar(20)", "end_customer_postcode"),
    ("end_customer_domain", "varchar(253)", "end_customer_domain"),
    ("customer_id", "bigint", "customer_id"),
    ("customer_candidate_id", "bigint", "customer_candidate_id"),
    ("customer_match", "varchar(10)", "customer_match"),
    ("serials", "text[]", None),
)
# The values compared, in `sellout.services.LINE_FIELDS` order, with how each is written into `previous`.
COMPARED = (
    ("date", "to_jsonb(l.date)"),
    ("transaction_type", "to_jsonb(l.transaction_type)"),
    ("product_id", "to_jsonb(l.product_id)"),
    ("quantity", "to_jsonb(l.quantity)"),
    ("unit_price", "to_jsonb(l.unit_price::text)"),
    ("currency", "to_jsonb(l.currency)"),
    ("sold_to_partner_id", "to_jsonb(l.sold_to_partner_id)"),
    ("sold_to_name", "to_jsonb(l.sold_to_name)"),
    ("end_customer_name", "to_jsonb(l.end_customer_name)"),
    ("end_customer_country", "to_jsonb(l.end_customer_country)"),
    ("end_customer_postcode", "to_jsonb(l.end_customer_postcode)"),
    ("end_customer_domain", "to_jsonb(l.end_customer_domain)"),
)
CUSTOMER_COLUMNS = ("customer_id", "customer_candidate_id", "customer_match")


def _text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, list):
        items = ",".join('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        value = "{" + items + "}"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def upsert_postgres(
    *, reporter_id: int, rows: list[dict[str, Any]], batch_id: int, source: str, user_id: int | None, now: datetime
) -> dict[str, int]:
    """Write checked rows (with their customer fields) for one reporter; returns created/updated/unchanged."""
    lines = connection.ops.quote_name(SellOutLine._meta.db_table)
    serials = connection.ops.quote_name(SellOutSerial._meta.db_table)
    corrections = connection.ops.quote_name(SellOutCorrection._meta.db_table)
    buffer = io.StringIO()
    names = [name for name, _, _ in STAGING]
    buffer.writelines("\t".join(_text(row[name]) for name in names) + "\n" for row in rows)
    buffer.seek(0)
    values = ", ".join(f"{name} {kind}" for name, kind, _ in STAGING)
    changed_names = ", ".join(
        f"CASE WHEN l.{field} IS DISTINCT FROM s.{field} THEN '{field}' END" for field, _ in COMPARED
    )
    previous = ", ".join(f"'{field}', {expression}" for field, expression in COMPARED)
    line_columns = [column for _, _, column in STAGING if column]
    keys = ("invoice_number", "invoice_line")
    assignments = ", ".join(f"{column} = s.{column}" for column in line_columns if column not in keys)
    with connection.cursor() as cursor:
        # One writer per reporter at a time: two deliveries of the same invoice line never race.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [20_361, reporter_id])
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS sellout_upsert_rows ({values}) ON COMMIT DROP")
        cursor.execute("TRUNCATE sellout_upsert_rows")
        cursor.cursor.copy_expert(f"COPY sellout_upsert_rows ({', '.join(names)}) FROM STDIN", buffer)
        cursor.execute("ANALYZE sellout_upsert_rows")
        # Existing lines with their serials, and whether anything differs.
        cursor.execute(
            "CREATE TEMP TABLE sellout_upsert_changed ON COMMIT DROP AS"  # noqa: S608 - names are the models'
            f" SELECT l.id, l.revision, l.batch_id, l.source, l.reported_by_id, old.serials AS old_serials,"
            f" s.serials AS new_serials, jsonb_build_object({previous}) AS previous,"
            f" array_remove(ARRAY[{changed_names}, CASE WHEN old.serials IS DISTINCT FROM s.serials"
            f" THEN 'serials' END], NULL) AS changed_fields"
            f" FROM sellout_upsert_rows s JOIN {lines} l ON l.reporter_id = %s"
            f" AND l.invoice_number = s.invoice_number AND l.invoice_line = s.invoice_line"
            # Serials in code-point order, as Python's sorted() puts the delivered ones.
            f' CROSS JOIN LATERAL (SELECT COALESCE(array_agg(serial::text ORDER BY serial COLLATE "C"),'
            f" '{{}}'::text[]) AS serials"
            f" FROM {serials} WHERE line_id = l.id) old",
            [reporter_id],
        )
        cursor.execute("DELETE FROM sellout_upsert_changed WHERE cardinality(changed_fields) = 0")
        unchanged = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {corrections} (line_id, revision, batch_id, changed_by_id, changed_at, previous,"  # noqa: S608
            " changed_fields)"
            " SELECT id, revision + 1, %s, %s, %s, previous || jsonb_build_object('serials', to_jsonb(old_serials),"
            " 'batch_id', batch_id, 'source', source, 'reported_by_id', reported_by_id), to_jsonb(changed_fields)"
            " FROM sellout_upsert_changed",
            [batch_id, user_id, now],
        )
        updated = cursor.rowcount
        cursor.execute(
            f"UPDATE {lines} l SET {assignments}, source = %s, batch_id = %s, reported_by_id = %s,"  # noqa: S608
            " updated_at = %s, revision = l.revision + 1"
            " FROM sellout_upsert_rows s, sellout_upsert_changed c"
            " WHERE l.id = c.id AND l.reporter_id = %s AND l.invoice_number = s.invoice_number"
            " AND l.invoice_line = s.invoice_line",
            [source, batch_id, user_id, now, reporter_id],
        )
        cursor.execute(
            f"DELETE FROM {serials} WHERE line_id IN (SELECT id FROM sellout_upsert_changed)"  # noqa: S608
        )
        cursor.execute(
            f"INSERT INTO {serials} (line_id, product_id, serial)"  # noqa: S608
            f" SELECT c.id, l.product_id, unnest(c.new_serials) FROM sellout_upsert_changed c"
            f" JOIN {lines} l ON l.id = c.id"
        )
        new_columns = ", ".join("s." + column for column in line_columns)
        cursor.execute(
            f"WITH inserted AS (INSERT INTO {lines} (created_at, updated_at, reporter_id,"  # noqa: S608
            f" {', '.join(line_columns)}, source, batch_id, reported_by_id, revision)"
            f" SELECT %s, %s, %s, {new_columns}, %s, %s, %s, 1 FROM sellout_upsert_rows s"
            f" WHERE NOT EXISTS (SELECT 1 FROM {lines} l WHERE l.reporter_id = %s"
            " AND l.invoice_number = s.invoice_number AND l.invoice_line = s.invoice_line)"
            " RETURNING id, product_id, invoice_number, invoice_line),"
            f" serials AS (INSERT INTO {serials} (line_id, product_id, serial)"
            " SELECT i.id, i.product_id, unnest(s.serials) FROM inserted i JOIN sellout_upsert_rows s"
            " ON s.invoice_number = i.invoice_number AND s.invoice_line = i.invoice_line)"
            " SELECT COUNT(*) FROM inserted",
            [now, now, reporter_id, source, batch_id, user_id, reporter_id],
        )
        (created,) = cursor.fetchone()
        cursor.execute("DROP TABLE sellout_upsert_rows, sellout_upsert_changed")
    return {"created": int(created), "updated": updated, "unchanged": unchanged}
