"""Row-level checks for inventory reports, shared by the CSV import, the report form and the API.

A row is a mapping with the template's columns: `sku`, `date`, `on_hand`,
`units_sold`, `on_order` (optional, blank means 0). Values may be text (CSV)
or already typed (int, date; a `product` object may stand in for `sku`).
Every problem is reported as (row, column, reason) and a row with any problem
is left out; nothing here writes.

Rules:
- `sku` must name a product of the catalog (exact, or ignoring case);
- `date` must be YYYY-MM-DD and not after today (UTC);
- counts must be whole numbers, not negative, at most 2,147,483,647;
- the same product and date twice in one batch is ambiguous: every occurrence
  is reported and none is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from catalog.models import Product
from ingest.validation import MAX_COUNT, RowError, RowValidation, RowValidatorBase, text_of

__all__ = ["COLUMNS", "MAX_COUNT", "REQUIRED_COLUMNS", "InventoryRowValidator", "RowError", "RowValidation"]

COLUMNS = ("sku", "date", "on_hand", "units_sold", "on_order")
REQUIRED_COLUMNS = ("sku", "date", "on_hand", "units_sold")
COUNT_COLUMNS = ("on_hand", "units_sold", "on_order")
_text = text_of


class InventoryRowValidator(RowValidatorBase):
    """Checks rows one at a time; call `finish()` once to settle repeated rows.

    The catalog is read once (one query), so checking 100,000 rows costs no
    further queries.
    """

    COLUMNS = COLUMNS

    def __init__(self, *, today: date | None = None, max_errors: int | None = None):
        super().__init__(today=today, max_errors=max_errors)
        self._products: dict[str, Product] | None = None
        self._products_ci: dict[str, Product] = {}
        self._rows: dict[tuple[int, date], list[int]] = {}
        self._labels: dict[tuple[int, date], str] = {}
        self._clean: list[dict] = []

    # --- lookups -----------------------------------------------------------
    def _product_for(self, sku: str) -> Product | None:
        if self._products is None:
            products = Product.objects.only("pk", "sku", "name")
            self._products = {p.sku: p for p in products}
            self._products_ci = {sku.lower(): p for sku, p in self._products.items()}
        return self._products.get(sku) or self._products_ci.get(sku.lower())

    # --- per value ---------------------------------------------------------
    def _count(self, row: int, column: str, raw: Any, *, blank_default: int | None = None) -> int | None:
        return self.parse_int(
            row, column, raw, blank_default=blank_default, below_minimum="negative number; counts must be 0 or more"
        )

    def _date(self, row: int, raw: Any) -> date | None:
        return self.parse_date(row, "date", raw)

    def _product(self, row: int, values: Mapping[str, Any]) -> Product | None:
        given = values.get("product")
        if isinstance(given, Product):
            return given
        sku = _text(values.get("sku", given))
        if not sku:
            self._add_error(RowError(row, "sku", "missing value"))
            return None
        product = self._product_for(sku)
        if product is None:
            self._add_error(RowError(row, "sku", "unknown SKU: no product in the catalog has it", sku))
        return product

    # --- per row -----------------------------------------------------------
    def check(self, row: int, values: Mapping[str, Any]) -> None:
        """Check one row; `row` is the number reported back to the user."""
        self.result.total += 1
        product = self._product(row, values)
        day = self._date(row, values.get("date"))
        counts = {column: self._count(row, column, values.get(column)) for column in ("on_hand", "units_sold")}
        counts["on_order"] = self._count(row, "on_order", values.get("on_order"), blank_default=0)
        if product is not None and day is not None:
            key = (product.pk, day)
            self._rows.setdefault(key, []).append(row)
            self._labels.setdefault(key, f"{product.sku} {day.isoformat()}")
        if product is None or day is None or any(v is None for v in counts.values()) or row in self._bad_rows:
            return
        self._clean.append({"row": row, "product": product, "date": day, **counts})

    def finish(self) -> RowValidation:
        """Report repeated (product, date) pairs and return the result; rows come back in file order."""
        repeated: set[int] = set()
        for key, rows in self._rows.items():
            if len(rows) < 2:
                continue
            for number in rows:
                others = ", ".join(str(r) for r in rows if r != number)
                repeated.add(number)
                self._add_error(
                    RowError(
                        number, "sku", f"repeated in the file: same SKU and date as row {others}", self._labels[key]
                    )
                )
        if self.result.file_error:
            self.result.valid = []
        else:
            self.result.valid = [r for r in self._clean if r["row"] not in repeated]
        self.sort_errors()
        return self.result


def inventory_validate_rows(
    *,
    rows: Iterable[Mapping[str, Any]],
    first_row_number: int = 1,
    today: date | None = None,
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> RowValidation:
    """Check a batch of rows (API, form); numbering starts at `first_row_number`.

    Returns a `RowValidation` whose `valid` rows (dicts with product, date,
    on_hand, units_sold, on_order, row) can go straight to `inventory_upsert`.
    """
    validator = InventoryRowValidator(today=today, max_errors=max_errors)
    for index, values in enumerate(rows):
        validator.check(first_row_number + index, values)
        if progress and (index + 1) % progress_every == 0:
            progress(index + 1)
    return validator.finish()
