"""Rates sent through the API: checked item by item (the rules of `validation.py`), upserted in one go.

Each item: `currency`, `date`, `granularity` (optional, `day`), `rate` (a number or a decimal string).
Errors are reported by item index and field; all or nothing unless `?mode=partial`.
"""

from __future__ import annotations

from typing import Any

from core.api.bulk import ALL_OR_NOTHING
from core.exceptions import ActionNotPermittedError

from ..models import ExchangeRate, is_rate_keeper
from ..services import exchange_rates_upsert
from ..validation import COLUMNS, rates_validate_rows


def rates_ingest(*, user: Any, items: list, mode: str) -> tuple[list[dict], dict[str, int]]:
    """Check and write rate items; returns per-item results and {created, updated, unchanged} totals."""
    if not is_rate_keeper(user):
        raise ActionNotPermittedError("Only the channel team may change exchange rates.")
    results: list[dict] = [{"index": i, "status": "pending"} for i in range(len(items))]
    rows: list[tuple[int, dict]] = []
    envelope: dict[int, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            envelope[index] = {"non_field_errors": ["Expected an object."]}
            continue
        unknown = sorted(set(item) - set(COLUMNS))
        if unknown:
            envelope[index] = {name: ["Unknown field."] for name in unknown}
        rows.append((index, item))
    check = rates_validate_rows(rows)
    errors: dict[int, dict[str, list[str]]] = {i: dict(e) for i, e in envelope.items()}
    for error in check.errors:
        errors.setdefault(error.row, {}).setdefault(error.column or "non_field_errors", []).append(error.reason)
    for index, fields in errors.items():
        results[index] = {"index": index, "status": "invalid", "errors": fields}
    totals = {"created": 0, "updated": 0, "unchanged": 0}
    valid = [row for row in check.valid if row["row"] not in errors]
    if (mode == ALL_OR_NOTHING and errors) or not valid:
        return results, totals
    totals = exchange_rates_upsert(rows=valid, source=ExchangeRate.Source.API, user=user)
    for row in valid:
        results[row["row"]] = {"index": row["row"], "status": "saved"}
    return results, totals
