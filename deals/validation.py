"""Checking what a partner sends for a registration."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from catalog.models import Product
from customers.models import Customer

from .models import DealLine, DealRegistration

MAX_LINES = 100
MAX_QUANTITY = 1_000_000
MAX_UNIT_PRICE = Decimal("9999999999.99")  # DealLine.unit_price: 12 digits, 2 decimals
MAX_AMOUNT = Decimal("999999999999.99")  # DealRegistration.amount: 14 digits, 2 decimals
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _line_error(number: int, field: str, message: str, **params) -> ValidationError:
    """A problem with one line; `params` tell an interface which line and field to show it on."""
    return ValidationError(f"Line %(line)s: {message}", code="line", params={"line": number, "field": field, **params})


def _line_errors(number: int, line: dict) -> tuple[list[ValidationError], dict | None]:
    product = line.get("product")
    if isinstance(product, int | str) and str(product).isdigit():
        product = Product.objects.filter(pk=int(product)).first()
    if not isinstance(product, Product):
        return [_line_error(number, "product", "choose a product from the catalog.")], None
    if not product.is_active:
        return [
            _line_error(number, "product", "%(sku)s is no longer sold; choose another product.", sku=product.sku)
        ], None
    errors = []
    raw = line.get("quantity")
    whole = isinstance(raw, int) or (isinstance(raw, str) and raw.strip().lstrip("-").isdigit())
    if isinstance(raw, bool) or not whole:
        return [_line_error(number, "quantity", "the quantity must be a whole number.")], None
    quantity = int(raw)
    if quantity < 1 or quantity > MAX_QUANTITY:
        errors.append(
            _line_error(number, "quantity", "the quantity must be between 1 and %(max)s.", max=f"{MAX_QUANTITY:,}")
        )
    price = line.get("unit_price")
    if price is None or price == "":
        price = product.list_price
    try:
        price = Decimal(str(price))
    except (InvalidOperation, ValueError):
        return [_line_error(number, "unit_price", "the unit price must be a number.")], None
    if not price.is_finite() or price < 0 or price > MAX_UNIT_PRICE or price != price.quantize(Decimal("0.01")):
        errors.append(
            _line_error(
                number,
                "unit_price",
                "the unit price must be between 0 and %(max)s with at most 2 decimals.",
                max=f"{MAX_UNIT_PRICE:,}",
            )
        )
    if errors:
        return errors, None
    return [], {"product": product, "quantity": quantity, "unit_price": price.quantize(Decimal("0.01"))}


def clean_deal_fields(
    *, customer, lines: list[dict], expected_close_date, deal_type: str, currency: str, notes: str, source: str
) -> tuple[dict, list[dict]]:
    """Validate a registration; raises ValidationError naming every bad field, else returns model fields and lines.

    The amount is the sum of quantity × unit price; a line without a unit price
    takes the product's list price. An error about one line carries its number
    and field in `params` ("line", "field"), so a form can show it on that line.
    """
    errors: dict[str, list] = {}
    if not isinstance(customer, Customer) or customer.pk is None:
        errors["customer"] = ["Choose the end customer."]
    clean_lines: list[dict] = []
    line_errors: list = []
    if not lines:
        line_errors.append("Add at least one product line.")
    elif len(lines) > MAX_LINES:
        line_errors.append(f"A registration has at most {MAX_LINES} lines.")
    else:
        for number, line in enumerate(lines, start=1):
            problems, clean = _line_errors(number, line if isinstance(line, dict) else {})
            line_errors.extend(problems)
            if clean:
                clean_lines.append(clean)
    if line_errors:
        errors["lines"] = line_errors
    amount = sum((line["quantity"] * line["unit_price"] for line in clean_lines), Decimal("0"))
    if amount > MAX_AMOUNT:
        errors.setdefault("lines", []).append(f"The total ({amount:,}) is larger than a registration may hold.")
    if isinstance(expected_close_date, datetime):
        expected_close_date = expected_close_date.date()
    if not isinstance(expected_close_date, date):
        errors["expected_close_date"] = ["Enter the expected close date (YYYY-MM-DD)."]
    elif expected_close_date < timezone.localdate():
        errors["expected_close_date"] = ["The expected close date cannot be in the past."]
    if deal_type not in DealRegistration.DealType.values:
        errors["deal_type"] = [f"Choose one of: {', '.join(DealRegistration.DealType.values)}."]
    currency = (currency or "").strip().upper()
    if not _CURRENCY.match(currency):
        errors["currency"] = ["Enter a three-letter ISO 4217 currency code, e.g. USD."]
    if source not in DealRegistration.Source.values:
        errors["source"] = [f"Choose one of: {', '.join(DealRegistration.Source.values)}."]
    if errors:
        raise ValidationError(errors)
    fields = {
        "customer": customer,
        "deal_type": deal_type,
        "currency": currency,
        "expected_close_date": expected_close_date,
        "notes": (notes or "").strip(),
        "source": source,
        "amount": amount,
    }
    return fields, clean_lines


def replace_lines(deal: DealRegistration, lines: list[dict]) -> None:
    DealLine.objects.filter(deal=deal).delete()
    DealLine.objects.bulk_create([DealLine(deal=deal, **line) for line in lines])
