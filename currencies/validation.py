"""Row rules for rates, shared by the CSV upload and the API: errors by row and column, nothing written here.

A row has `currency`, `date`, `granularity` and `rate`; values may be text (CSV) or typed (API JSON).
- currency: an ISO 4217 code, three letters (any case), not the reporting currency (its rate is always 1);
- granularity: `day` or `month` (`daily`, `monthly` accepted), blank means `day`;
- date: YYYY-MM-DD (a monthly rate may also be written YYYY-MM); a monthly rate is dated the 1st of its
  month; no date after today (UTC) — a rate says what a currency was worth, not what it may be;
- rate: a decimal number above 0 with at most 10 decimals and 10 digits before the point: units of the
  reporting currency for one unit of `currency`;
- the same currency, granularity and date twice in one batch is ambiguous: every occurrence is reported
  and none is kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from .models import ExchangeRate
from .selectors import reporting_currency

COLUMNS = ("currency", "date", "granularity", "rate")
REQUIRED_COLUMNS = ("currency", "date", "rate")
_CODE = re.compile(r"^[A-Za-z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
GRANULARITIES = {"day": "day", "daily": "day", "month": "month", "monthly": "month"}
MAX_DECIMALS = 10
MAX_WHOLE_DIGITS = 10


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as the user counts it (a CSV line, or an API item's index); None for the whole file."""

    row: int | None
    column: str
    reason: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class RateValidation:
    """Clean rows ready for `exchange_rates_upsert` (each with its `row`), and the problems found."""

    valid: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0
    file_error: bool = False

    @property
    def error_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.row is not None}


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _date(raw: Any, granularity: str | None) -> tuple[date | None, str]:
    if isinstance(raw, date):
        return raw, ""
    text = _text(raw)
    if not text:
        return None, "required"
    if granularity == "month" and _ISO_MONTH.match(text):
        text += "-01"
    if not _ISO_DATE.match(text):
        return None, "not a date: write it as YYYY-MM-DD" + (" or YYYY-MM" if granularity == "month" else "")
    try:
        return date.fromisoformat(text), ""
    except ValueError:
        return None, "no such day in the calendar"


def _rate(raw: Any) -> tuple[Decimal | None, str]:
    text = _text(raw)
    if not text:
        return None, "required"
    if isinstance(raw, float):
        text = repr(raw)
    try:
        value = Decimal(text.replace(" ", ""))
    except InvalidOperation:
        return None, "not a number: use a point for decimals, e.g. 1.0842"
    if not value.is_finite():
        return None, "not a number"
    if value <= 0:
        return None, "must be above 0 (units of the reporting currency for one unit of this currency)"
    sign, digits, exponent = value.as_tuple()
    decimals = max(0, -int(exponent))
    if decimals > MAX_DECIMALS:
        return None, f"at most {MAX_DECIMALS} decimals"
    if len(digits) - decimals > MAX_WHOLE_DIGITS:
        return None, f"too large: at most {MAX_WHOLE_DIGITS} digits before the point"
    return value, ""


def rates_validate_rows(rows: list[tuple[int, dict]], *, today: date | None = None) -> RateValidation:
    """Check (row number, values) pairs; see the module docstring for the rules."""
    today = today or timezone.now().date()
    reporting = reporting_currency()
    result = RateValidation(total=len(rows))
    candidates: list[dict] = []
    for number, values in rows:
        errors: list[RowError] = []

        def fail(column: str, reason: str, raw: Any, number: int = number, errors: list = errors) -> None:
            errors.append(RowError(number, column, reason, _text(raw)[:100]))

        code = _text(values.get("currency")).upper()
        if not code:
            fail("currency", "required", "")
        elif not _CODE.match(code):
            fail("currency", "not an ISO 4217 code: three letters, e.g. EUR", values.get("currency"))
        elif code == reporting:
            fail("currency", f"{reporting} is the reporting currency: its rate is always 1", values.get("currency"))
        granularity_raw = _text(values.get("granularity")).lower()
        granularity = GRANULARITIES.get(granularity_raw or "day")
        if granularity is None:
            fail("granularity", "use day or month", values.get("granularity"))
        day, reason = _date(values.get("date"), granularity)
        if reason:
            fail("date", reason, values.get("date"))
        elif granularity == "month" and day.day != 1:
            fail("date", f"a monthly rate is dated the first of its month ({day.replace(day=1)})", values.get("date"))
        elif day > today:
            fail("date", f"after today ({today}): rates are recorded once known", values.get("date"))
        rate, reason = _rate(values.get("rate"))
        if reason:
            fail("rate", reason, values.get("rate"))
        if errors:
            result.errors.extend(errors)
            continue
        candidates.append({"row": number, "currency": code, "date": day, "granularity": granularity, "rate": rate})
    seen: dict[tuple, list[dict]] = defaultdict(list)
    for row in candidates:
        seen[(row["currency"], row["granularity"], row["date"])].append(row)
    for (code, granularity, day), same in seen.items():
        if len(same) > 1:
            rows_text = ", ".join(str(r["row"]) for r in same)
            for row in same:
                reason = f"{code} {granularity} rate of {day} is given more than once (rows {rows_text})"
                result.errors.append(RowError(row["row"], "date", reason, str(day)))
        else:
            result.valid.append(same[0])
    result.errors.sort(key=lambda e: (e.row if e.row is not None else -1, COLUMNS.index(e.column)))
    return result


def granularity_label(value: str) -> str:
    return ExchangeRate.Granularity(value).label
