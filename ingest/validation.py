"""What every row check of a delivery reports: problems by row and column, and the rows that passed.

Shared by the inventory and sell-out validators (and the CSV uploads that run them): each kind checks
its own columns in a subclass of `RowValidatorBase`, whose helpers parse raw values (CSV text or API
JSON) and record a specific reason for each problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

MAX_COUNT = 2_147_483_647
_INT = re.compile(r"^[+-]?\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the row number as the user sees it (None for the whole file)."""

    row: int | None
    column: str
    reason: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        where = f"Row {self.row}" if self.row is not None else "File"
        return f"{where}, {self.column or 'all columns'}: {self.reason}"


@dataclass
class RowValidation:
    """The outcome of checking a batch: clean rows ready for the kind's write service, and the problems."""

    valid: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    total: int = 0
    file_error: bool = False

    @property
    def invalid_rows(self) -> int:
        return self.total - len(self.valid)

    @property
    def ok(self) -> bool:
        return not self.file_error and self.error_count == 0


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


class RowValidatorBase:
    """Error bookkeeping and value parsers; subclasses define `check(row, values)` and `finish()`.

    `COLUMNS` orders the errors of a row as the template orders its columns.
    """

    COLUMNS: tuple[str, ...] = ()

    def __init__(self, *, today: date | None = None, max_errors: int | None = None):
        self.today = today or timezone.now().date()
        self.max_errors = max_errors
        self._bad_rows: set[int] = set()
        self.result = RowValidation()

    # --- errors ------------------------------------------------------------
    def _add_error(self, error: RowError) -> None:
        self.result.error_count += 1
        if error.row is not None:
            self._bad_rows.add(error.row)
        if self.max_errors is None or len(self.result.errors) < self.max_errors:
            self.result.errors.append(error)

    def error(self, row: int, column: str, reason: str, value: Any = "") -> None:
        self._add_error(RowError(row, column, reason, text_of(value)))

    def record_error(self, row: int, column: str, reason: str, value: str = "") -> None:
        """A problem found outside the column checks (e.g. a CSV row with too many values)."""
        self._add_error(RowError(row, column, reason, value))

    def file_error(self, column: str, reason: str) -> None:
        """The file as a whole cannot be used (not CSV, not UTF-8, a missing column)."""
        self.result.file_error = True
        self._add_error(RowError(None, column, reason))

    def row_is_bad(self, row: int) -> bool:
        return row in self._bad_rows

    def sort_errors(self) -> None:
        order = {name: i for i, name in enumerate(self.COLUMNS)}
        self.result.errors.sort(key=lambda e: (e.row or 0, order.get(e.column, len(order))))

    # --- values ------------------------------------------------------------
    def parse_int(
        self,
        row: int,
        column: str,
        raw: Any,
        *,
        blank_default: int | None = None,
        minimum: int = 0,
        maximum: int = MAX_COUNT,
        below_minimum: str = "",
    ) -> int | None:
        """A whole number in [minimum, maximum]; blank gives `blank_default` or a "missing value" error."""
        if isinstance(raw, bool):
            self.error(row, column, "not a whole number", raw)
            return None
        if isinstance(raw, int):
            number = raw
        else:
            text = text_of(raw)
            if not text:
                if blank_default is not None:
                    return blank_default
                self.error(row, column, "missing value")
                return None
            if not _INT.match(text):
                self.error(row, column, "not a whole number", text)
                return None
            number = int(text)
        if number < minimum:
            self.error(row, column, below_minimum or f"must be {minimum} or more", number)
            return None
        if number > maximum:
            self.error(row, column, f"too large (at most {maximum:,})", number)
            return None
        return number

    def parse_date(self, row: int, column: str, raw: Any) -> date | None:
        """A YYYY-MM-DD date, not after today (UTC)."""
        if isinstance(raw, date) and not hasattr(raw, "hour"):
            day = raw
        else:
            text = text_of(raw)
            if not text:
                self.error(row, column, "missing value")
                return None
            try:
                if not _ISO_DATE.match(text):
                    raise ValueError
                day = date.fromisoformat(text)
            except ValueError:
                self.error(row, column, "not a date in the form YYYY-MM-DD", text)
                return None
        if day > self.today:
            self.error(row, column, f"in the future (today is {self.today.isoformat()})", day.isoformat())
            return None
        return day

    def parse_decimal(
        self, row: int, column: str, raw: Any, *, places: int = 2, max_digits: int = 14, minimum: Decimal = Decimal(0)
    ) -> Decimal | None:
        """A decimal amount written with a point (no thousands separators), at most `places` decimals."""
        if isinstance(raw, bool):
            self.error(row, column, "not a number", raw)
            return None
        if isinstance(raw, float):
            # A JSON number: read as its shortest decimal form (12.5, not 12.4999…), then checked as text.
            raw = repr(raw)
        if isinstance(raw, Decimal):
            amount = raw
        elif isinstance(raw, int):
            amount = Decimal(raw)
        else:
            text = text_of(raw)
            if not text:
                self.error(row, column, "missing value")
                return None
            if not _DECIMAL.match(text):
                self.error(row, column, "not a number (use a point for decimals, no thousands separators)", text)
                return None
            try:
                amount = Decimal(text)
            except InvalidOperation:
                self.error(row, column, "not a number", text)
                return None
        if not amount.is_finite():
            self.error(row, column, "not a number", raw)
            return None
        if amount != round(amount, places):
            self.error(row, column, f"at most {places} decimals", raw)
            return None
        if amount < minimum:
            self.error(row, column, f"must be {minimum} or more", raw)
            return None
        amount = amount.quantize(Decimal(1).scaleb(-places))
        if len(amount.as_tuple().digits) > max_digits:
            self.error(row, column, "too large", raw)
            return None
        return amount
