"""What an 852 (product activity data) says, read from its segments (pure Python; matching is `mapping.py`).

    XQ (reporting period: XQ02 start, XQ03 end, CCYYMMDD) · header N1 loops (the reporting location) ·
    LIN loops: LIN (product id pairs) · ZA (activity code, quantity, unit) · SDQ (the same quantity split by
    location) · CTT (number of LIN, checked when present).

ZA activity codes are grouped into what the product stores (`ZA_CATEGORIES`); within a group the first
code listed that the LIN carries is used (QE before OH before QA for the stock on hand). Other activity codes
(QO, QI, QH, QC, …) are read and left aside.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from .elements import (
    REPORTER_ENTITIES,
    Party,
    ProductId,
    check_ctt,
    check_unit,
    parse_date,
    parse_quantity,
    party,
    product_ids,
)
from .envelope import TransactionSet
from .x12 import Segment, X12Error

# What the product stores → the ZA01 codes that carry it, in order of preference.
ZA_CATEGORIES: dict[str, tuple[str, ...]] = {
    "on_hand": ("QE", "OH", "QA"),
    "beginning": ("QB",),
    "sold": ("QS", "TS"),
    "received": ("QR",),
    "returned": ("QU", "RQ", "Q2"),
    "adjustment": ("QT",),
    "on_order": ("QP",),
}
CODE_CATEGORY = {code: category for category, codes in ZA_CATEGORIES.items() for code in codes}
SIGNED_CATEGORIES = ("adjustment",)  # the only quantity that may be negative


@dataclass
class ActivityLine:
    """One product's activity in one 852, at one location (None: the transaction set's reporting location)."""

    lin: Segment
    product_ids: tuple[ProductId, ...]
    location: Party | None
    quantities: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # category → the ZA01 code used


@dataclass
class ActivityReport:
    """An 852: the period and who reports it, and a line per product and location."""

    transaction: TransactionSet
    start: date | None = None
    end: date | None = None
    reporter: Party | None = None
    lines: list[ActivityLine] = field(default_factory=list)
    products: list[tuple[Segment, tuple[ProductId, ...]]] = field(default_factory=list)  # every LIN


def _za_quantities(za: Segment, sdq: list[Segment], errors: list[X12Error]) -> Iterator[tuple[Party | None, int]]:
    """(location, quantity) of one ZA: its own quantity at the reporting location, or its SDQ split."""
    code = za.get(1)
    signed = CODE_CATEGORY.get(code) in SIGNED_CATEGORIES
    if za.get(3):
        check_unit(za, 3, errors)
    if not sdq:
        quantity = parse_quantity(za, 2, errors, signed=signed)
        if quantity is not None:
            yield None, quantity
        return
    total = 0
    split: list[tuple[Party, int]] = []
    for segment in sdq:
        check_unit(segment, 1, errors)
        qualifier = segment.get(2)
        for position in range(3, len(segment.elements), 2):
            where, _ = segment.get(position), segment.get(position + 1)
            if not where:
                continue
            quantity = parse_quantity(segment, position + 1, errors, signed=signed)
            if quantity is None:
                continue
            total += quantity
            split.append((Party("SDQ", "", qualifier, where, segment.number, "SDQ", position), quantity))
    if za.get(2):
        stated = parse_quantity(za, 2, errors, signed=signed)
        if stated is not None and stated != total:
            errors.append(za.error(2, f"ZA02 says {stated}, its SDQ locations add up to {total}"))
    yield from split


def parse_852(transaction: TransactionSet) -> tuple[ActivityReport, list[X12Error]]:
    """Read an 852 into an ActivityReport; located errors for anything that cannot be read."""
    errors: list[X12Error] = []
    report = ActivityReport(transaction)
    body = transaction.body
    line_by_key: dict[tuple[int, tuple[str, str] | None], ActivityLine] = {}
    current: tuple[Segment, tuple[ProductId, ...]] | None = None
    lin_count = 0
    xq: Segment | None = None
    index = -1
    while index + 1 < len(body):
        index += 1
        segment = body[index]
        sid = segment.id
        if sid == "XQ":
            xq = segment
            report.start = parse_date(segment, 2, errors)
            report.end = parse_date(segment, 3, errors, required=False) or report.start
            if report.start and report.end and report.end < report.start:
                errors.append(segment.error(3, "the period ends before it starts (XQ02)"))
        elif sid == "N1" and current is None:
            found = party(segment)
            if found.entity in REPORTER_ENTITIES and report.reporter is None and found.code:
                report.reporter = found
        elif sid == "LIN":
            lin_count += 1
            current = (segment, product_ids(segment, errors))
            report.products.append(current)
        elif sid == "ZA":
            sdq: list[Segment] = []
            while index + 1 < len(body) and body[index + 1].id == "SDQ":
                index += 1
                sdq.append(body[index])
            if current is None:
                errors.append(segment.error(0, "ZA before any LIN: a quantity must follow the product it counts"))
                continue
            lin, ids = current
            code = segment.get(1)
            category = CODE_CATEGORY.get(code)
            if len(code) != 2:
                errors.append(segment.error(1, "the activity code (ZA01) must be two characters"))
                continue
            for location, quantity in _za_quantities(segment, sdq, errors):
                if category is None:
                    continue
                key = (lin.number, location.key if location else None)
                line = line_by_key.get(key)
                if line is None:
                    line = line_by_key[key] = ActivityLine(lin, ids, location)
                    report.lines.append(line)
                used = line.codes.get(category)
                if used == code:
                    errors.append(segment.error(1, f"{code} is reported twice for this product and location"))
                elif used is None or ZA_CATEGORIES[category].index(code) < ZA_CATEGORIES[category].index(used):
                    line.codes[category] = code
                    line.quantities[category] = quantity
        elif sid == "CTT":
            check_ctt(segment, lin_count, "LIN segments", errors)
    if xq is None:
        errors.append(transaction.st.error(0, "the 852 has no XQ segment: its reporting period is unknown"))
    return report, errors
