"""From what an interchange says to the product's rows: products, reporting partners, activity, stock.

Products match by SKU (LIN qualifiers VN, VP, BP, IN, MG, SK; exact, then ignoring case) or by GTIN (UP, UK,
EN, N4, UA, UI; any length, compared as 14 digits). The pairs of a LIN are tried in order; pairs that name two
different products, or none that matches, are errors at the LIN element.

A transaction set's reporting partner is, in this order: the header N1 location (N103/N104) registered as a
`ReportingLocation`; the interchange sender (`ISA` qualifier: ISA06, then GS02); for a partner's own user or
token, that partner. The user must be able to edit the partner (`Partner.objects.editable_by`): a partner
reports only for itself (a distributor for its own locations), a channel manager for the partners in scope.
An error about another partner's location never names that partner.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from catalog.gtin import gtin_problem
from catalog.models import Product
from partners.models import Partner

from .elements import Party, ProductId
from .envelope import Envelope
from .models import ProductActivity, ReportingLocation
from .x12 import Segment, X12Error
from .x852 import ActivityReport

SKU_QUALIFIERS = ("VN", "VP", "BP", "IN", "MG", "SK")
GTIN_QUALIFIERS = ("UP", "UK", "EN", "N4", "UA", "UI")


class ProductMatcher:
    """The catalog by SKU and by GTIN, read in one query for the whole interchange."""

    def __init__(self) -> None:
        self.by_sku: dict[str, int] = {}
        self.by_sku_ci: dict[str, int] = {}
        self.by_gtin: dict[str, int] = {}
        self.sku_of: dict[int, str] = {}
        for pk, sku, gtin in Product.objects.values_list("pk", "sku", "gtin"):
            self.by_sku[sku] = pk
            self.by_sku_ci.setdefault(sku.lower(), pk)
            self.sku_of[pk] = sku
            if gtin:
                self.by_gtin[gtin] = pk

    def _one(self, ref: ProductId, lin: Segment, errors: list[X12Error]) -> int | None:
        if ref.qualifier in SKU_QUALIFIERS:
            return self.by_sku.get(ref.value) or self.by_sku_ci.get(ref.value.lower())
        if ref.qualifier in GTIN_QUALIFIERS:
            digits = ref.value.replace("-", "").replace(" ", "")
            problem = gtin_problem(digits)
            if problem:
                errors.append(lin.error(ref.element, f"{ref.qualifier} {ref.value} is not a GTIN: {problem}"))
                return None
            return self.by_gtin.get(digits.zfill(14))
        return None

    def match(self, ids: tuple[ProductId, ...], lin: Segment, errors: list[X12Error]) -> int | None:
        """The product a LIN names, or None with an error saying why."""
        if not ids:
            return None
        before = len(errors)
        found: dict[int, ProductId] = {}
        usable = [ref for ref in ids if ref.qualifier in SKU_QUALIFIERS + GTIN_QUALIFIERS]
        if not usable:
            qualifiers = ", ".join(sorted({ref.qualifier for ref in ids}))
            errors.append(
                lin.error(
                    ids[0].element - 1,
                    f"no product id this catalog can match (qualifiers {qualifiers}); use VN, VP, BP or IN for the "
                    "SKU, or UP, EN, UK or N4 for the GTIN",
                )
            )
            return None
        for ref in usable:
            pk = self._one(ref, lin, errors)
            if pk is not None:
                found.setdefault(pk, ref)
        if len(found) > 1:
            named = "; ".join(f"{ref.qualifier} {ref.value} is {self.sku_of[pk]}" for pk, ref in found.items())
            errors.append(lin.error(usable[0].element, f"the ids name different products: {named}"))
            return None
        if not found:
            if len(errors) == before:
                tried = ", ".join(f"{ref.qualifier} {ref.value}" for ref in usable)
                errors.append(lin.error(usable[0].element, f"unknown product: no product in the catalog has {tried}"))
            return None
        return next(iter(found))


@dataclass(frozen=True)
class Reporter:
    partner_id: int
    site_name: str


class PartnerResolver:
    """Reporting locations and the partners the user may report for, each read once."""

    def __init__(self, *, user: Any, envelope: Envelope) -> None:
        self.user = user
        self.envelope = envelope
        self.locations: dict[tuple[str, str], tuple[int, str]] = {
            (q, c): (p, s)
            for q, c, p, s in ReportingLocation.objects.filter(is_active=True).values_list(
                "qualifier", "code", "partner_id", "site_name"
            )
        }
        self._editable: dict[int, bool] = {}

    def may_report_for(self, partner_id: int) -> bool:
        if partner_id not in self._editable:
            self._editable[partner_id] = Partner.objects.editable_by(self.user).filter(pk=partner_id).exists()
        return self._editable[partner_id]

    def location(self, place: Party, segment: Segment, element: int, errors: list[X12Error]) -> Reporter | None:
        """The partner (and site) of an N1 or SDQ location code, or None with an error."""
        found = self.locations.get(place.key)
        if found is None:
            errors.append(
                segment.error(
                    element,
                    f"reporting location {place.qualifier} {place.code} is not registered; ask the channel team "
                    "to add it to the reporting locations",
                    place.code,
                )
            )
            return None
        if not self.may_report_for(found[0]):
            errors.append(
                segment.error(
                    element, f"location {place.qualifier} {place.code} is not one you may report for", place.code
                )
            )
            return None
        return Reporter(*found)

    def reporter(self, header: Party | None, st: Segment, isa: Segment, errors: list[X12Error]) -> Reporter | None:
        """The reporting partner of a transaction set (see the module docstring for the order)."""
        if header is not None:
            return self.location(header, _segment_of(header, st), 4, errors)
        for code in (self.envelope.sender_id, *self.envelope.group_senders):
            found = self.locations.get((ReportingLocation.Qualifier.SENDER, code))
            if found is not None:
                if not self.may_report_for(found[0]):
                    errors.append(isa.error(6, f"sender {code} is not one you may report for", code))
                    return None
                return Reporter(*found)
        partner_id = getattr(self.user, "partner_id", None)
        if partner_id and self.may_report_for(partner_id):
            return Reporter(partner_id, "")
        errors.append(
            st.error(
                0,
                f"the reporting partner is unknown: no N1 reporting location, and the sender {self.envelope.sender_id} "
                "is not registered; add an N1 (e.g. N1*RL*name*92*code) or ask the channel team to register the sender",
            )
        )
        return None


def _segment_of(place: Party, fallback: Segment) -> Segment:
    """A stand-in segment to locate an error at an N1 already read (only its number and id are used)."""
    return Segment(place.segment, (place.segment_id, "", "", place.qualifier, place.code))


# --- 852 -> activity rows -----------------------------------------------------------------------------------


@dataclass
class ActivityRow:
    partner_id: int
    site_name: str
    product_id: int
    period_start: date
    period_end: date
    lin: int  # segment number, for errors
    quantities: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, int, date, date]:
        return (self.partner_id, self.site_name, self.product_id, self.period_start, self.period_end)


def activity_rows(
    report: ActivityReport,
    *,
    products: ProductMatcher,
    partners: PartnerResolver,
    isa: Segment,
    today: date,
    seen: dict[tuple, int],
    errors: list[X12Error],
) -> list[ActivityRow]:
    """The rows of one 852, matched; `seen` (key → LIN segment) spans the interchange to catch repeats."""
    st = report.transaction.st
    if report.end is not None and report.end > today:
        xq = next(s for s in report.transaction.body if s.id == "XQ")
        errors.append(xq.error(3 if xq.get(3) else 2, f"the period ends in the future (today is {today.isoformat()})"))
    last = report.transaction.segments[-1].number
    if not report.lines and not any(e.segment and st.number <= e.segment <= last for e in errors):
        errors.append(st.error(0, "this 852 reports no product activity (no LIN with a ZA quantity)"))
    reporter = partners.reporter(report.reporter, st, isa, errors)
    matched = {lin.number: products.match(ids, lin, errors) for lin, ids in report.products}
    rows: list[ActivityRow] = []
    for line in report.lines:
        product_id = matched.get(line.lin.number)
        where = reporter
        if line.location is not None:
            sdq = Segment(line.location.segment, ("SDQ",))
            where = partners.location(line.location, sdq, line.location.element, errors)
        if product_id is None or where is None or report.start is None or report.end is None:
            continue
        row = ActivityRow(where.partner_id, where.site_name, product_id, report.start, report.end, line.lin.number)
        row.quantities = dict(line.quantities)
        if row.key in seen:
            errors.append(
                line.lin.error(
                    0,
                    f"{products.sku_of[product_id]} is reported twice for the same location and period "
                    f"(first at segment {seen[row.key]:,})",
                )
            )
            continue
        # The stock row of a period end sums the partner's sites; two periods ending that day would be summed too.
        ending = ("ending", row.partner_id, row.product_id, row.period_end)
        other_start = seen.setdefault(ending, row.period_start)
        if other_start != row.period_start:
            errors.append(
                line.lin.error(
                    0,
                    f"{products.sku_of[product_id]} has two periods ending {row.period_end.isoformat()} for the same "
                    f"partner (starting {other_start.isoformat()} and {row.period_start.isoformat()})",
                )
            )
            continue
        seen[row.key] = line.lin.number
        rows.append(row)
    return rows


def settle_balances(rows: list[ActivityRow]) -> list[ProductActivity]:
    """ProductActivity objects with their balance (see `ProductActivity`): beginning + received + returned −
    sold + adjustment = expected ending; difference = reported ending − expected.

    A missing beginning (no QB) is the on hand of the same partner, site and product in the latest earlier
    period, whether stored or earlier in this interchange. Reads one query per partner.
    """
    by_partner: dict[int, list[ActivityRow]] = defaultdict(list)
    for row in rows:
        by_partner[row.partner_id].append(row)
    history: dict[tuple[int, str, int], list[tuple[date, int]]] = defaultdict(list)
    for partner_id, partner_rows in by_partner.items():
        latest_start = max(r.period_start for r in partner_rows)
        earlier = ProductActivity.objects.filter(
            partner_id=partner_id,
            product_id__in={r.product_id for r in partner_rows},
            period_end__lt=latest_start,
            on_hand__isnull=False,
        ).values_list("site_name", "product_id", "period_end", "on_hand")
        for site, product_id, end, on_hand in earlier:
            history[(partner_id, site, product_id)].append((end, on_hand))
    for row in rows:
        if row.quantities.get("on_hand") is not None:
            history[(row.partner_id, row.site_name, row.product_id)].append((row.period_end, row.quantities["on_hand"]))
    for points in history.values():
        points.sort()
    out: list[ProductActivity] = []
    for row in rows:
        q = row.quantities
        beginning, reported = q.get("beginning"), "beginning" in q
        if beginning is None:
            points = history.get((row.partner_id, row.site_name, row.product_id), [])
            index = bisect_left(points, (row.period_start,)) - 1
            beginning = points[index][1] if index >= 0 else None
        expected = difference = None
        if beginning is not None:
            expected = (
                beginning + q.get("received", 0) + q.get("returned", 0) - q.get("sold", 0) + q.get("adjustment", 0)
            )
            if q.get("on_hand") is not None:
                difference = q["on_hand"] - expected
        out.append(
            ProductActivity(
                partner_id=row.partner_id,
                site_name=row.site_name,
                product_id=row.product_id,
                period_start=row.period_start,
                period_end=row.period_end,
                beginning=beginning,
                beginning_reported=reported,
                on_hand=q.get("on_hand"),
                sold=q.get("sold", 0),
                received=q.get("received", 0),
                returned=q.get("returned", 0),
                adjustment=q.get("adjustment", 0),
                on_order=q.get("on_order"),
                expected_on_hand=expected,
                balance_difference=difference,
            )
        )
    return out


def inventory_rows(activities: list[ProductActivity]) -> dict[int, list[dict]]:
    """Stock rows per partner for `inventory_upsert`: one per product and period end, summed over the
    partner's sites; a product no site reported an on hand for has no stock row (its activity is kept)."""
    sums: dict[tuple[int, int, date], dict[str, int]] = {}
    for activity in activities:
        if activity.on_hand is None:
            continue
        key = (activity.partner_id, activity.product_id, activity.period_end)
        total = sums.setdefault(key, {"on_hand": 0, "units_sold": 0, "on_order": 0})
        total["on_hand"] += activity.on_hand
        total["units_sold"] += activity.sold
        total["on_order"] += activity.on_order or 0
    rows: dict[int, list[dict]] = defaultdict(list)
    for (partner_id, product_id, day), total in sums.items():
        rows[partner_id].append({"product": product_id, "date": day, **total})
    return rows
