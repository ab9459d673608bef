"""GTINs (GS1 trade item numbers: UPC-A, EAN-8, EAN-13, GTIN-14): check digits and one stored form.

A GTIN is stored as 14 digits, zero-padded on the left (a UPC-A 036000291452 is 00036000291452), so that
the same item matches whichever length a partner's file uses.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

GTIN_LENGTHS = (8, 12, 13, 14)


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of `body` (all digits but the last): weights 3 and 1 from the right."""
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def gtin_problem(value: str) -> str | None:
    """Why `value` is not a GTIN, or None when it is one."""
    if not value.isdigit() or not value.isascii():
        return "a GTIN is made of digits only"
    if len(value) not in GTIN_LENGTHS:
        return "a GTIN has 8, 12, 13 or 14 digits"
    if gtin_check_digit(value[:-1]) != int(value[-1]):
        return f"the check digit is wrong: it should be {gtin_check_digit(value[:-1])}"
    return None


def normalise_gtin(value: str) -> str:
    """The stored form (14 digits) of a valid GTIN; ValidationError saying why for anything else."""
    text = value.strip().replace(" ", "").replace("-", "")
    problem = gtin_problem(text)
    if problem:
        raise ValidationError(f"{value!r} is not a GTIN: {problem}.", code="invalid_gtin")
    return text.zfill(14)


def validate_gtin(value: str) -> None:
    """Model field validator: the stored value must already be a valid 14-digit GTIN."""
    normalise_gtin(value)
