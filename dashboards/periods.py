"""Reporting periods for dashboards: whole calendar months, as the analytics tables store them.

A period is a half-open range of months [start, end). Quarters and years are
calendar quarters and years; a custom range runs from its first month to its
last month inclusive. The comparisons every KPI tile shows are the period of
the same length just before, and the same months one year earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from dateutil.relativedelta import relativedelta


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> int:
    """Number of whole months in [start, end), both first days of months."""
    return (end.year - start.year) * 12 + (end.month - start.month)


@dataclass(frozen=True)
class Period:
    """A range of whole months [start, end) and how the user asked for it."""

    kind: str  # "month", "quarter", "year" or "custom"
    start: date
    end: date

    @classmethod
    def month(cls, day: date) -> Period:
        start = month_start(day)
        return cls("month", start, start + relativedelta(months=1))

    @classmethod
    def quarter(cls, day: date) -> Period:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return cls("quarter", start, start + relativedelta(months=3))

    @classmethod
    def year(cls, day: date) -> Period:
        return cls("year", date(day.year, 1, 1), date(day.year + 1, 1, 1))

    @classmethod
    def custom(cls, first_month: date, last_month: date) -> Period:
        first, last = sorted((month_start(first_month), month_start(last_month)))
        return cls("custom", first, last + relativedelta(months=1))

    @classmethod
    def of_kind(cls, kind: str, day: date) -> Period:
        return {"month": cls.month, "quarter": cls.quarter, "year": cls.year}[kind](day)

    @property
    def length(self) -> int:
        """Number of months."""
        return months_between(self.start, self.end)

    @property
    def last_month(self) -> date:
        return self.end - relativedelta(months=1)

    def months(self) -> list[date]:
        """First days of every month in the period, oldest first."""
        return [self.start + relativedelta(months=i) for i in range(self.length)]

    def previous(self) -> Period:
        """The period of the same length that ends where this one starts."""
        return Period(self.kind, self.start - relativedelta(months=self.length), self.start)

    def year_ago(self) -> Period:
        """The same months one year earlier."""
        return Period(self.kind, self.start - relativedelta(months=12), self.end - relativedelta(months=12))

    def shifted(self, months: int) -> Period:
        return Period(self.kind, self.start + relativedelta(months=months), self.end + relativedelta(months=months))

    def trend_months(self, minimum: int = 12, today: date | None = None) -> list[date]:
        """The months a trend chart shows: the period widened back to at least `minimum` months.

        A trend stops at the last complete month (a month still filling up would look like a drop),
        unless the period is the current month itself; months after today are never shown.
        """
        this_month = month_start(today or datetime.now(UTC).date())
        end = (
            min(self.end, this_month)
            if self.start < this_month
            else min(self.end, this_month + relativedelta(months=1))
        )
        length = max(months_between(self.start, end), minimum)
        return [end + relativedelta(months=i - length) for i in range(length)]

    def in_progress(self, today: date | None = None) -> bool:
        """Whether today falls inside the period (its figures are still growing)."""
        day = today or datetime.now(UTC).date()
        return self.start <= day < self.end

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%B %Y")
        if self.kind == "quarter":
            return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"
        if self.kind == "year":
            return str(self.start.year)
        last = self.last_month
        if last == self.start:
            return self.start.strftime("%B %Y")
        return f"{self.start.strftime('%b %Y')} – {last.strftime('%b %Y')}"

    @property
    def short_label(self) -> str:
        if self.kind in ("quarter", "year"):
            return self.label
        last = self.last_month
        if last == self.start:
            return self.start.strftime("%b %Y")
        return f"{self.start.strftime('%b %Y')}–{last.strftime('%b %Y')}"


def default_period(today: date) -> Period:
    """The last complete month: the current month is still filling up."""
    return Period.month(month_start(today) - relativedelta(months=1))
