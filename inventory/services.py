"""Writing inventory reports. Pages, the CSV import and the API all come through here."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from catalog.models import Product
from core.events import emit
from core.exceptions import ActionNotPermittedError
from partners.models import Partner

from .models import InventoryReport
from .validation import MAX_COUNT, RowValidation, inventory_validate_rows

__all__ = ["RowValidation", "inventory_upsert", "inventory_validate_rows"]

UPSERT_CHUNK = 2000
_UPDATED_FIELDS = ["on_hand", "units_sold", "on_order", "source", "reported_by", "updated_at"]


def _check_rows(rows: Sequence[dict[str, Any]], today: date) -> list[tuple[int, date, int, int, int]]:
    """Last line of defence for callers that skipped `inventory_validate_rows`: refuse what the DB would."""
    problems: list[str] = []
    seen: set[tuple[int, date]] = set()
    clean: list[tuple[int, date, int, int, int]] = []
    for index, row in enumerate(rows, start=1):
        label = f"row {row.get('row', index)}"
        product = row.get("product")
        product_id = product.pk if isinstance(product, Product) else product
        day = row.get("date")
        counts = [row.get("on_hand"), row.get("units_sold"), row.get("on_order", 0)]
        if not isinstance(product_id, int) or isinstance(product_id, bool):
            problems.append(f"{label}: product is required")
            continue
        if not isinstance(day, date) or hasattr(day, "hour"):
            problems.append(f"{label}: date is required")
            continue
        if day > today:
            problems.append(f"{label}: date {day.isoformat()} is in the future")
        if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 or c > MAX_COUNT for c in counts):
            problems.append(f"{label}: on hand, units sold and on order must be whole numbers, 0 or more")
        if (product_id, day) in seen:
            problems.append(f"{label}: the same product and date appear twice")
        seen.add((product_id, day))
        clean.append((product_id, day, *counts))
    if problems:
        raise ValidationError({"rows": problems[:50]})
    return clean


@transaction.atomic
def inventory_upsert(*, partner: Partner, user: Any, rows: Sequence[dict[str, Any]], source: str) -> dict[str, int]:
    """Write stock positions for one partner: one row per (partner, product, date); re-sending replaces it.

    `rows` are dicts of product (object or id), date, on_hand, units_sold and
    on_order (default 0). The user must be able to edit the partner (a
    distributor cannot write for its resellers). Rows are upserted with
    INSERT … ON CONFLICT DO UPDATE (on PostgreSQL one statement over a staging
    table filled by COPY); `created` counts new rows, `updated` replaced ones. One `inventory.reported` event per call.
    """
    if source not in InventoryReport.Source.values:
        raise ValidationError({"source": f"unknown source {source!r}"})
    if not Partner.objects.editable_by(user).filter(pk=partner.pk).exists():
        raise ActionNotPermittedError(f"You may not report inventory for {partner.name}.")
    clean = _check_rows(rows, timezone.now().date())
    if not clean:
        return {"created": 0, "updated": 0}

    reported_by = user if getattr(user, "pk", None) else None
    if connection.vendor == "postgresql":
        created, updated = _upsert_postgres(partner, reported_by, source, clean)
    else:
        created, updated = _upsert_portable(partner, reported_by, source, clean)
    days = [day for _, day, *_ in clean]
    emit(
        "inventory.reported",
        partner_id=partner.pk,
        data={
            "created": created,
            "updated": updated,
            "rows": len(clean),
            "source": source,
            "first_date": min(days).isoformat(),
            "last_date": max(days).isoformat(),
        },
    )
    return {"created": created, "updated": updated}


def _upsert_portable(
    partner: Partner, reported_by: Any, source: str, clean: list[tuple[int, date, int, int, int]]
) -> tuple[int, int]:
    """bulk_create(update_conflicts=True) in chunks, counting the keys that existed beforehand."""
    created = updated = 0
    for start in range(0, len(clean), UPSERT_CHUNK):
        chunk = clean[start : start + UPSERT_CHUNK]
        keys = {(product_id, day) for product_id, day, *_ in chunk}
        existing = set(
            InventoryReport.objects.filter(
                partner=partner,
                product_id__in={k[0] for k in keys},
                date__in={k[1] for k in keys},
            ).values_list("product_id", "date")
        )
        already = len(keys & existing)
        updated += already
        created += len(chunk) - already
        InventoryReport.objects.bulk_create(
            [
                InventoryReport(
                    partner=partner,
                    product_id=product_id,
                    date=day,
                    on_hand=on_hand,
                    units_sold=units_sold,
                    on_order=on_order,
                    source=source,
                    reported_by=reported_by,
                )
                for product_id, day, on_hand, units_sold, on_order in chunk
            ],
            update_conflicts=True,
            unique_fields=["partner", "product", "date"],
            update_fields=_UPDATED_FIELDS,
        )
    return created, updated


def _upsert_postgres(
    partner: Partner, reported_by: Any, source: str, clean: list[tuple[int, date, int, int, int]]
) -> tuple[int, int]:
    """COPY the rows into a session-local staging table, then one INSERT … SELECT … ON CONFLICT DO UPDATE.

    Building a model instance per row and sending 2,000-row INSERT statements cost several times what
    the database needs for the same rows; a bulk API request is 10,000 of them. `xmax = 0` on a row the
    INSERT returns means it was inserted rather than updated (PostgreSQL sets xmax on the old version of
    an updated row), which counts created against updated in the same statement.
    """
    table = connection.ops.quote_name(InventoryReport._meta.db_table)
    buffer = io.StringIO()
    buffer.writelines(f"{p}\t{d.isoformat()}\t{h}\t{s}\t{o}\n" for p, d, h, s, o in clean)
    buffer.seek(0)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS inventory_upsert_rows (product_id integer, date date, "
            "on_hand integer, units_sold integer, on_order integer) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE inventory_upsert_rows")
        cursor.cursor.copy_expert("COPY inventory_upsert_rows FROM STDIN", buffer)
        cursor.execute(
            f"WITH written AS ("  # noqa: S608 - the table name is the model's; every value is a parameter
            f" INSERT INTO {table} (created_at, updated_at, partner_id, product_id, date, on_hand, units_sold,"
            " on_order, source, reported_by_id)"
            " SELECT %s, %s, %s, product_id, date, on_hand, units_sold, on_order, %s, %s FROM inventory_upsert_rows"
            " ON CONFLICT (partner_id, product_id, date) DO UPDATE SET on_hand = EXCLUDED.on_hand,"
            " units_sold = EXCLUDED.units_sold, on_order = EXCLUDED.on_order, source = EXCLUDED.source,"
            " reported_by_id = EXCLUDED.reported_by_id, updated_at = EXCLUDED.updated_at"
            " RETURNING xmax = 0 AS inserted)"
            " SELECT COUNT(*) FILTER (WHERE inserted), COUNT(*) FILTER (WHERE NOT inserted) FROM written",
            [now, now, partner.pk, source, getattr(reported_by, "pk", None)],
        )
        created, updated = cursor.fetchone()
    return int(created), int(updated)
