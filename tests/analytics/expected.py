"""DESIGN §3 written again, the slow and obvious way: Python loops over model instances.

Nothing here shares code with the engine; a test compares the two.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from currencies.selectors import RateTable, rate_table
from deals.models import DealLine, DealRegistration
from inventory.models import InventoryReport
from partners.models import Certification
from sellout.models import SellOutLine
from support.models import Ticket
from warranty.models import WarrantyClaim


@dataclass
class Rows:
    deals: list
    lines: list
    stock: list
    claims: list
    certs: list
    sellout: list = field(default_factory=list)
    rates: RateTable | None = None
    tickets: list = field(default_factory=list)

    @classmethod
    def load(cls) -> Rows:
        sellout = list(SellOutLine.objects.select_related("product"))
        days = [line.date for line in sellout] or [date.today()]
        return cls(
            deals=list(DealRegistration.objects.exclude(status="draft")),
            lines=list(DealLine.objects.select_related("product", "deal")),
            stock=list(InventoryReport.objects.select_related("product")),
            claims=list(WarrantyClaim.objects.select_related("product")),
            certs=list(Certification.objects.all()),
            sellout=sellout,
            rates=rate_table(currencies={line.currency for line in sellout}, start=min(days), end=max(days)),
            tickets=list(Ticket.objects.select_related("product")),
        )

    def only(self, partner_ids: set[int]) -> Rows:
        return Rows(
            deals=[d for d in self.deals if d.partner_id in partner_ids],
            lines=[ln for ln in self.lines if ln.deal.partner_id in partner_ids],
            stock=[s for s in self.stock if s.partner_id in partner_ids],
            claims=[c for c in self.claims if c.partner_id in partner_ids],
            certs=[c for c in self.certs if c.partner_id in partner_ids],
            sellout=[s for s in self.sellout if s.reporter_id in partner_ids],
            rates=self.rates,
            tickets=[t for t in self.tickets if t.partner_id in partner_ids],
        )


def midnight(day: date, tz) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz)


def div(a, b):
    return None if not b else a / b


def expected_kpis(rows: Rows, start: datetime, end: datetime, now: datetime, rates=None) -> dict:
    """Every KPI for one scope over [start, end), positions read at min(end, now).

    Money: with `rates` (a `currencies.selectors.RateTable`), each won deal converted at its close date's rate
    (to the cent, then summed) and the open pipeline summed per currency, then converted at the rate of the
    last day before the position (rounded once); amounts with no rate left out. Without, amounts as they are.
    """
    at = min(end, now)

    def inside(t) -> bool:
        return t is not None and start <= t < end

    deals = rows.deals
    registered = [d for d in deals if inside(d.submitted_at)]
    decided = [d for d in deals if inside(d.decided_at)]
    approved = [d for d in decided if d.status != "rejected"]
    rejected = [d for d in decided if d.status == "rejected"]
    won = [d for d in deals if d.status == "won" and inside(d.closed_at)]
    lost = [d for d in deals if d.status == "lost" and inside(d.closed_at)]
    if rates is None:
        won_revenue = sum((d.amount for d in won), Decimal("0"))
    else:
        converted = [rates.convert(d.amount, d.currency, d.closed_at.astimezone(UTC).date()) for d in won]
        won_revenue = sum((c for c in converted if c is not None), Decimal("0.00"))
    open_by_currency: dict[str, Decimal] = {}
    for d in deals:
        if d.decided_at is None or d.status == "rejected" or not d.decided_at < at:
            continue
        if d.closed_at is not None and d.closed_at < at:
            continue
        if d.protection_expires_at is not None and d.protection_expires_at < at:
            continue
        open_by_currency[d.currency] = open_by_currency.get(d.currency, Decimal("0")) + d.amount
    if rates is None:
        pipeline = sum(open_by_currency.values(), Decimal("0"))
    else:
        last_day = (at - timedelta(seconds=1)).astimezone(UTC).date()
        pipeline = Decimal("0")
        for currency, amount in open_by_currency.items():
            rate = rates.rate(currency, last_day)
            if rate is not None:
                pipeline += amount * rate
        pipeline = pipeline.quantize(Decimal("0.01"))
    hours = [(d.decided_at - d.submitted_at).total_seconds() / 3600 for d in decided]
    cycle = [(d.closed_at - d.submitted_at).total_seconds() / 86400 for d in won]

    sold = sum(s.units_sold for s in rows.stock if start.date() <= s.date < end.date())
    latest: dict = {}
    for s in rows.stock:
        if midnight(s.date, start.tzinfo) < at:
            series = (s.partner_id, s.product_id)
            if series not in latest or latest[series].date < s.date:
                latest[series] = s
    on_hand = sum(s.on_hand for s in latest.values()) if latest else None
    stockouts = sum(1 for s in latest.values() if s.on_hand == 0) if latest else None
    days = (at - start).total_seconds() / 86400

    claims_submitted = [c for c in rows.claims if inside(c.submitted_at)]
    # Claims per 1,000 units counts the claims a partner submitted in calendar months (UTC) in which it reported
    # units sold (of the same product line, for a product line's rows: `rows` holds only that line's).
    selling_months = {(s.partner_id, s.date.year, s.date.month) for s in rows.stock if s.units_sold > 0}
    claims_beside_units = [
        c
        for c in claims_submitted
        if (c.partner_id, c.submitted_at.astimezone(UTC).year, c.submitted_at.astimezone(UTC).month) in selling_months
    ]
    claims_decided = [c for c in rows.claims if inside(c.decided_at) and c.status in ("approved", "paid", "rejected")]
    claims_approved = [c for c in claims_decided if c.status in ("approved", "paid")]
    resolution = [(c.decided_at - c.submitted_at).total_seconds() / 86400 for c in claims_decided]
    last_day = (at - timedelta(microseconds=1)).date()
    # Support tickets: opened in P; resolved in P (the latest resolution of a ticket resolved or closed now).
    tickets_opened = [t for t in rows.tickets if inside(t.opened_at)]
    tickets_resolved = [t for t in rows.tickets if t.resolved_at is not None and inside(t.resolved_at)]
    resolve_hours = [(t.resolved_at - t.opened_at).total_seconds() / 3600 for t in tickets_resolved]
    once_reopened = [t for t in tickets_resolved if t.reopen_count > 0]
    missed = [t for t in tickets_resolved if t.first_response_breached or t.resolution_breached]
    certs = [c for c in rows.certs if c.earned_on <= last_day and (c.expires_on is None or c.expires_on > last_day)]

    return {
        "deals_registered": len(registered),
        "deals_approved": len(approved),
        "deals_rejected": len(rejected),
        "approval_rate": div(len(approved), len(approved) + len(rejected)),
        "deals_won": len(won),
        "deals_lost": len(lost),
        "win_rate": div(len(won), len(won) + len(lost)),
        "won_revenue": won_revenue,
        "avg_won_deal": (won_revenue / len(won)).quantize(Decimal("0.01")) if won else None,
        "pipeline_value": pipeline,
        "median_hours_to_decision": statistics.median(hours) if hours else None,
        "sales_cycle_days": statistics.mean(cycle) if cycle else None,
        "conflict_rate": div(sum(1 for d in registered if d.has_conflict), len(registered)),
        "units_sold": sold,
        "on_hand_end": on_hand,
        "sell_through": div(sold, sold + (on_hand or 0)),
        "days_of_cover": (on_hand * days / sold) if sold and on_hand is not None else None,
        "stockouts": stockouts,
        "claims_submitted": len(claims_submitted),
        "claim_approval_rate": div(len(claims_approved), len(claims_decided)),
        "claim_resolution_days": statistics.mean(resolution) if resolution else None,
        "claims_per_1000_units": div(1000 * len(claims_beside_units), sold),
        "active_certifications": len(certs),
        "tickets_opened": len(tickets_opened),
        "ticket_resolution_hours": statistics.mean(resolve_hours) if resolve_hours else None,
        "ticket_resolution_hours_median": statistics.median(resolve_hours) if resolve_hours else None,
        "ticket_reopen_rate": div(len(once_reopened), len(tickets_resolved)),
        "ticket_sla_breach_rate": div(len(missed), len(tickets_resolved)),
    } | expected_sellout(rows, start.date(), end.date())


def end_customer(line: SellOutLine) -> tuple | None:
    """Who a line reached: its matched customer, else its candidate, else no one."""
    if line.customer_id:
        return ("customer", line.customer_id)
    if line.customer_candidate_id:
        return ("candidate", line.customer_candidate_id)
    return None


def expected_sellout(rows: Rows, start: date, end: date) -> dict:
    """The sell-out KPIs of the lines in `rows` dated in [start, end), line by line in Decimal."""
    sign = {"sale": 1, "drop_ship": 1, "return": -1, "transfer": 0}
    inside = [s for s in rows.sellout if start <= s.date < end]
    revenue = Decimal("0")
    for s in inside:
        if sign[s.transaction_type] == 0:
            continue
        converted = rows.rates.convert(s.quantity * s.unit_price, s.currency, s.date) if rows.rates else None
        if converted is not None:
            revenue += sign[s.transaction_type] * converted
    sold = sum(s.quantity for s in inside if s.transaction_type in ("sale", "drop_ship"))
    returned = sum(s.quantity for s in inside if s.transaction_type == "return")
    sales = [s for s in rows.sellout if s.transaction_type in ("sale", "drop_ship") and end_customer(s)]
    first: dict = {}
    for s in sales:
        who = end_customer(s)
        first[who] = min(first.get(who, s.date), s.date)
    return {
        "sellout_units": sum(sign[s.transaction_type] * s.quantity for s in inside),
        "sellout_revenue": revenue,
        "returns_rate": div(returned, sold),
        "end_customers_reached": len({end_customer(s) for s in sales if start <= s.date < end}),
        "new_end_customers": sum(1 for day in first.values() if start <= day < end),
    }


def product_line_rows(rows: Rows, line_id: int) -> Rows:
    """The rows of one product line: each deal once, with the amount of its lines of that line."""
    amounts: dict[int, Decimal] = {}
    for ln in rows.lines:
        if ln.product.product_line_id == line_id:
            amounts[ln.deal_id] = amounts.get(ln.deal_id, Decimal("0")) + ln.quantity * ln.unit_price
    deals = []
    for d in rows.deals:
        if d.pk in amounts:
            copy = DealRegistration(**{f.attname: getattr(d, f.attname) for f in d._meta.concrete_fields})
            copy.amount = amounts[d.pk]
            deals.append(copy)
    return Rows(
        deals=deals,
        lines=[],
        stock=[s for s in rows.stock if s.product.product_line_id == line_id],
        claims=[c for c in rows.claims if c.product.product_line_id == line_id],
        certs=[c for c in rows.certs if c.product_line_id == line_id],
        sellout=[s for s in rows.sellout if s.product.product_line_id == line_id],
        rates=rows.rates,
        tickets=[t for t in rows.tickets if t.product.product_line_id == line_id],
    )


def month_starts(first: date, last: date) -> list[date]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out
