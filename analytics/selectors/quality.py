"""Data-quality scores for pages and the API (docs/data-quality.md), read from `DataQualityScore`.

Every reader applies the scores' visibility rule (a partner its own rows, a manager its partners'; a
distributor not its resellers'), and reads a bounded number of stored rows: nothing here recounts reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import QuerySet

from partners.models import Partner

from ..definitions import QUALITY_COMPONENTS, QUALITY_STREAMS
from ..models import DataQualityScore


def data_quality_list(*, user: Any) -> QuerySet[DataQualityScore]:
    """The stored scores `user` may read, with their partner (for lists and exports)."""
    return DataQualityScore.objects.visible_to(user).select_related("partner", "partner__tier", "partner__region")


def partner_data_quality(*, user: Any, partner: Partner | int, months: int = 12) -> list[DataQualityScore]:
    """A partner's last `months` monthly scores, newest first (empty when not visible or never scored)."""
    return list(DataQualityScore.objects.visible_to(user).filter(partner_id=getattr(partner, "pk", partner))[:months])


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class FixItem:
    """One thing to fix, as a sentence and the dates or products behind it."""

    kind: str
    count: int
    text: str
    details: list[str] = field(default_factory=list)


@dataclass
class QualitySummary:
    """What a partner should fix over a period, added up from its stored monthly findings."""

    since: date
    months: list[DataQualityScore]
    items: list[FixItem]

    @property
    def latest(self) -> DataQualityScore | None:
        complete = [m for m in self.months if m.is_complete]
        return complete[0] if complete else (self.months[0] if self.months else None)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def quality_to_fix(*, scores: list[DataQualityScore], since: date, period: str = "this quarter") -> list[FixItem]:
    """Concrete items from the findings of the months starting on or after `since`, e.g. "3 stock reports late
    this quarter: 2026-10-05, …" (the dates are the days the reports arrived, with the due date)."""
    rows = [s for s in scores if s.month >= since]
    items: list[FixItem] = []
    for stream, label in QUALITY_STREAMS.items():
        late = [x for r in rows for x in r.findings.get("late", []) if x["stream"] == stream]
        if late:
            late.sort(key=lambda x: x["period_start"])
            items.append(
                FixItem(
                    f"late_{stream}",
                    len(late),
                    f"{_plural(len(late), label)} late {period}",
                    [f"{x['received']} (due {x['due']}, {_plural(x['lag_days'], 'day')} late)" for x in late],
                )
            )
        missing = [x for r in rows for x in r.findings.get("missing", []) if x["stream"] == stream]
        if missing:
            missing.sort(key=lambda x: x["period_start"])
            items.append(
                FixItem(
                    f"missing_{stream}",
                    len(missing),
                    f"{_plural(len(missing), label)} missing {period}",
                    [f"{x['period_start']} to {x['period_end']} (due {x['due']})" for x in missing],
                )
            )
    slots = sum(r.field_slots for r in rows)
    empty = slots - sum(r.fields_filled for r in rows)
    if empty:
        items.append(
            FixItem(
                "fields",
                empty,
                f"{_plural(empty, 'optional sell-out field')} left empty {period} (of {slots:,})",
                ["end customer name and country on sales to end customers; every serial on serialised products"],
            )
        )
    bad = [(r.month, x) for r in rows for x in r.findings.get("inconsistent", [])]
    if bad:
        items.append(
            FixItem(
                "inconsistent",
                len(bad),
                f"{_plural(len(bad), 'product-month')} where sell-out and stock reports disagree {period}",
                [
                    f"{x['sku']} {month:%Y-%m}: sell-out {x['sellout_units']:,} units, stock reports "
                    f"{x['stock_units']:,} sold"
                    for month, x in bad
                ],
            )
        )
    balance = [(r.month, x) for r in rows for x in r.findings.get("balance", [])]
    if balance:
        items.append(
            FixItem(
                "balance",
                len(balance),
                f"{_plural(len(balance), '852 stock balance')} that {'does' if len(balance) == 1 else 'do'} not add up "
                f"{period}",
                [f"{x['sku']} period ending {x['period_end']}: off by {x['difference']:+,} units" for _, x in balance],
            )
        )
    for kind, noun in (
        ("corrections", "sell-out correction"),
        ("stock_resends", "stock row sent again"),
        ("duplicate_claims", "duplicate warranty claim"),
    ):
        n = sum(getattr(r, kind) for r in rows)
        if n:
            items.append(FixItem(kind, n, f"{_plural(n, noun)} {period}"))
    return items


def partner_quality_summary(*, user: Any, partner: Partner | int, today: date) -> QualitySummary:
    """A partner's last 12 monthly scores and what to fix this quarter (the months of the quarter so far)."""
    scores = partner_data_quality(user=user, partner=partner, months=12)
    since = quarter_start(today)
    if not any(s.month >= since for s in scores):
        # Early in a quarter nothing may be due yet: speak of the last quarter instead.
        since = quarter_start(since - relativedelta(days=1))
        return QualitySummary(since, scores, quality_to_fix(scores=scores, since=since, period="last quarter"))
    return QualitySummary(since, scores, quality_to_fix(scores=scores, since=since))


def component_labels() -> dict[str, str]:
    return {name: label for name, (label, _) in QUALITY_COMPONENTS.items()}
