"""Calendar periods and as-of points as numbers (pure: numpy only, no Django).

Times inside the engine are seconds since 1970-01-01 UTC (float; NaN for "not
set"); dates are the seconds of their midnight. A period is [start, end). For a
period that has not ended yet, positions "at the end of P" are taken now and the
length of P is the part that has elapsed, so a month in progress never reports
stock or pipeline that will only exist later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property

import numpy as np
from dateutil.relativedelta import relativedelta

from .definitions import KIND_MONTHS, TO_DATE

DAY = 86_400.0


def to_seconds(value: date | datetime) -> float:
    """Epoch seconds of a datetime (UTC) or of a date's midnight (UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class Periods:
    """Consecutive periods of one granularity, oldest first."""

    granularity: str
    starts: tuple[date, ...]
    ends: tuple[date, ...]
    now: float

    def __len__(self) -> int:
        return len(self.starts)

    @cached_property
    def start_s(self) -> np.ndarray:
        return np.array([to_seconds(d) for d in self.starts], dtype="float64")

    @cached_property
    def end_s(self) -> np.ndarray:
        return np.array([to_seconds(d) for d in self.ends], dtype="float64")

    @cached_property
    def effective_end_s(self) -> np.ndarray:
        """Where positions are read: the end of P, or now for a period still running."""
        return np.minimum(self.end_s, self.now)

    @cached_property
    def days(self) -> np.ndarray:
        """Days in P (elapsed days for the period in progress)."""
        return np.maximum(self.effective_end_s - self.start_s, 0.0) / DAY

    @cached_property
    def complete(self) -> np.ndarray:
        return self.end_s <= self.now

    def index_of(self, t: np.ndarray) -> np.ndarray:
        """The period each time falls in, or -1 outside every period."""
        t = np.asarray(t, dtype="float64")
        if not len(self):
            return np.full(t.shape, -1, dtype="int64")
        starts, ends = self.start_s, self.end_s
        idx = np.searchsorted(starts, t, side="right") - 1
        ok = (idx >= 0) & ~np.isnan(t)
        safe = np.where(ok, idx, 0)
        ok &= t < ends[safe]
        return np.where(ok, idx, -1)

    @classmethod
    def months(cls, first: date, last: date, now: float) -> Periods:
        """Every calendar month from the month of `first` to the month of `last`, inclusive."""
        starts = []
        day = first.replace(day=1)
        while day <= last:
            starts.append(day)
            day += relativedelta(months=1)
        return cls("month", tuple(starts), tuple(d + relativedelta(months=1) for d in starts), now)

    def roll_up(self, granularity: str) -> tuple[Periods, np.ndarray]:
        """The quarters or years made entirely of these months, and each month's index in them (-1: none)."""
        assert self.granularity == "month"
        size = {"quarter": 3, "year": 12}[granularity]
        first_of = quarter_start if granularity == "quarter" else (lambda d: date(d.year, 1, 1))
        groups: dict[date, list[int]] = {}
        for i, start in enumerate(self.starts):
            groups.setdefault(first_of(start), []).append(i)
        starts = tuple(s for s in groups if s >= self.starts[0])
        mapping = np.full(len(self), -1, dtype="int64")
        for j, start in enumerate(starts):
            mapping[groups[start]] = j
        ends = tuple(s + relativedelta(months=size) for s in starts)
        return Periods(granularity, starts, ends, self.now), mapping


def period_start(kind: str, day: date) -> date:
    """The first day of the calendar month, quarter or year containing `day`."""
    return {"month": day.replace(day=1), "quarter": quarter_start(day), "year": date(day.year, 1, 1)}[kind]


def to_date_periods(now: datetime, earliest: date | None = None) -> dict[str, Periods]:
    """Like-for-like comparisons for the month, quarter and year in progress at `now` (UTC), by to-date
    granularity (mtd, qtd, ytd): the previous period and the same period a year earlier, each cut after as
    many days as have begun in the period in progress (today counts as a day: on 29 November, Q4 compares with
    the first 60 days of Q3 and of Q4 a year earlier), never beyond its own end (31 March compares with all of
    February). Ranges starting before `earliest` are left out.

    A period in progress set beside a whole previous period reads as a drop however well it goes.
    """
    today = now.astimezone(UTC).date() if now.tzinfo else now.date()
    out = {}
    for kind, granularity in TO_DATE.items():
        start = period_start(kind, today)
        days = (today - start).days + 1
        size = KIND_MONTHS[kind]
        starts = sorted({start - relativedelta(months=size), start - relativedelta(months=12)})
        starts = [s for s in starts if earliest is None or s >= earliest]
        if not starts:
            continue
        ends = [min(s + timedelta(days=days), s + relativedelta(months=size)) for s in starts]
        out[granularity] = Periods(granularity, tuple(starts), tuple(ends), now.timestamp())
    return out


@dataclass(frozen=True)
class Window:
    """What one computation covers: months (and their quarters and years) and health as-of points.

    `data_start` is how far back rows are read: the first month less the longest
    trailing health window, so that the first as-of point sees a full window.
    """

    months: Periods
    points_s: tuple[float, ...]
    points_date: tuple[date, ...]
    points_current: tuple[bool, ...]
    now: float

    @property
    def data_start(self) -> float:
        first = min([self.months.start_s[0], *self.points_s]) if self.points_s else self.months.start_s[0]
        return first - 181 * DAY

    @property
    def points(self) -> np.ndarray:
        return np.array(self.points_s, dtype="float64")

    def granularities(self) -> dict[str, tuple[Periods, np.ndarray | None]]:
        """Months, and the quarters and years made of them (left out when the window holds none)."""
        quarters, q_map = self.months.roll_up("quarter")
        years, y_map = self.months.roll_up("year")
        out = {"month": (self.months, None), "quarter": (quarters, q_map), "year": (years, y_map)}
        return {name: value for name, value in out.items() if len(value[0])}

    @classmethod
    def full(cls, now: datetime, history_months: int = 24) -> Window:
        """The current month and the `history_months` before it; health at each month start and now."""
        this_month = now.date().replace(day=1)
        months = Periods.months(this_month - relativedelta(months=history_months), this_month, now.timestamp())
        boundaries = [d for d in months.starts[1:] if to_seconds(d) <= now.timestamp()]
        return cls._with_points(months, boundaries, now)

    @classmethod
    def current(cls, now: datetime) -> Window:
        """The hourly refresh: this year's months (and last month in January), health at this month's start and now."""
        this_month = now.date().replace(day=1)
        first = min(date(this_month.year, 1, 1), this_month - relativedelta(months=1))
        months = Periods.months(first, this_month, now.timestamp())
        return cls._with_points(months, [this_month], now)

    @classmethod
    def today(cls, now: datetime, history_months: int = 24) -> Window:
        """One partner's refresh: every month of the history, health as of now only."""
        full = cls.full(now, history_months)
        return cls._with_points(full.months, [], now)

    @classmethod
    def _with_points(cls, months: Periods, boundaries: list[date], now: datetime) -> Window:
        points = [to_seconds(d) for d in boundaries] + [now.timestamp()]
        dates = [*boundaries, now.date()]
        current = [False] * len(boundaries) + [True]
        return cls(months, tuple(points), tuple(dates), tuple(current), now.timestamp())


def seconds_to_datetime(value: float) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=float(value))
