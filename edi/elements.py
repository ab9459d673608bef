"""Reading the elements shared by 852 and 867: dates, quantities, prices, LIN product ids, N1 parties, units.

Pure Python over `x12.Segment`; every problem is an `X12Error` at the element concerned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .x12 import Segment, X12Error

UNITS = {"", "EA", "UN", "PC"}  # each, unit, piece: the catalog counts single units
# N1 entity codes that name the reporting location in a header (SU, the supplier, is the vendor itself).
REPORTER_ENTITIES = ("RL", "DS", "BY", "ST", "WH", "SN", "FR", "RE", "WD")
_DECIMAL = re.compile(r"^-?(\d+\.?\d*|\.\d+)$")


@dataclass(frozen=True)
class Party:
    """An N1 (or SDQ) party: entity code, name, id qualifier and id, and where it was read."""

    entity: str
    name: str
    qualifier: str
    code: str
    segment: int
    segment_id: str = "N1"
    element: int = 4
    country: str = ""
    postcode: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.qualifier, self.code)


@dataclass(frozen=True)
class ProductId:
    qualifier: str
    value: str
    element: int  # position of the value in LIN


def parse_date(segment: Segment, element: int, errors: list[X12Error], *, required: bool = True) -> date | None:
    """A CCYYMMDD date element; six-digit dates are refused (4010 and 5010 carry the century)."""
    text = segment.get(element)
    if not text:
        if required:
            errors.append(segment.error(element, "the date is missing"))
        return None
    if not text.isdigit() or len(text) != 8:
        errors.append(segment.error(element, "not a date in the form CCYYMMDD (eight digits)"))
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        errors.append(segment.error(element, "not a calendar date"))
        return None


def parse_quantity(segment: Segment, element: int, errors: list[X12Error], *, signed: bool = False) -> int | None:
    """A whole number of units (X12 decimal, "12" or "12.0"); fractions and, unless `signed`, negatives refused."""
    text = segment.get(element)
    if not _DECIMAL.match(text):
        errors.append(segment.error(element, "not a number" if text else "the quantity is missing"))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(segment.error(element, "not a number"))
        return None
    if value != value.to_integral_value():
        errors.append(segment.error(element, "not a whole number of units"))
        return None
    if value < 0 and not signed:
        errors.append(segment.error(element, "negative quantity; only adjustments (QT) may be negative"))
        return None
    if abs(value) > 2_147_483_647:
        errors.append(segment.error(element, "too large (at most 2,147,483,647)"))
        return None
    return int(value)


def parse_price(segment: Segment, element: int, errors: list[X12Error]) -> Decimal | None:
    text = segment.get(element)
    if not text:
        return None
    if not _DECIMAL.match(text) or text.startswith("-"):
        errors.append(segment.error(element, "not a price: a decimal number, 0 or more"))
        return None
    value = Decimal(text)
    if value.as_tuple().exponent < -4 or value >= Decimal("10000000000"):
        errors.append(segment.error(element, "a unit price has at most 4 decimals and 10 digits before the point"))
        return None
    return value


def product_ids(lin: Segment, errors: list[X12Error]) -> tuple[ProductId, ...]:
    """The (qualifier, id) pairs of a LIN, from LIN02/LIN03 on; a LIN with none is an error."""
    found: list[ProductId] = []
    for position in range(2, len(lin.elements), 2):
        qualifier, value = lin.get(position), lin.get(position + 1)
        if not qualifier and not value:
            continue
        if not value:
            errors.append(lin.error(position + 1, f"qualifier {qualifier} is given without a product id"))
        elif not qualifier:
            errors.append(lin.error(position, f"product id {value!r} is given without a qualifier"))
        else:
            found.append(ProductId(qualifier, value, position + 1))
    if not found and not any(e.segment == lin.number for e in errors):
        errors.append(lin.error(2, "the LIN names no product: give a qualifier and id pair such as VN*SKU or UP*GTIN"))
    return tuple(found)


def party(segment: Segment) -> Party:
    """An N1 segment as a Party."""
    return Party(segment.get(1), segment.get(2), segment.get(3), segment.get(4), segment.number)


def check_unit(segment: Segment, element: int, errors: list[X12Error]) -> bool:
    """Whether the unit at `element` counts single units; an error saying why not."""
    unit = segment.get(element)
    if unit not in UNITS:
        errors.append(segment.error(element, f"unit {unit} cannot be counted in single units; send EA (each)"))
        return False
    return True


def check_ctt(segment: Segment, counted: int, what: str, errors: list[X12Error]) -> None:
    """CTT01, when given, must count what the transaction set holds."""
    stated = segment.get(1)
    if stated and not (stated.isdigit() and int(stated) == counted):
        errors.append(segment.error(1, f"CTT01 says {segment.get(1)}, the transaction set has {counted} {what}"))
