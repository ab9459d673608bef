"""Checking activation and usage items from raw values (API JSON), with errors by item and field.

Products are named by `sku` or `product` (id); a unit by `serial` or `subscription` (exactly one). The checks
need two queries for a whole delivery (products; for usage, the activations it names), never one per item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models.functions import Upper

from catalog.models import Product
from core.api.serializers import MAX_INT, object_id

from .models import Activation

ACTIVATION_FIELDS = {"product", "sku", "serial", "subscription", "activated_on", "units", "status", "deactivated_on"}
USAGE_FIELDS = {"product", "sku", "serial", "subscription", "month", "active_units", "usage", "usage_unit"}
MAX_IDENTIFIER = 64
MAX_USAGE = Decimal("999999999999.99")

Errors = dict[str, list[str]]


@dataclass
class Checked:
    """Per item: the clean row, or its errors by field (index = position in the delivery)."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    errors: dict[int, Errors] = field(default_factory=dict)

    def add(self, index: int, name: str, message: str) -> None:
        self.errors.setdefault(index, {}).setdefault(name, []).append(message)


def _products(items: list[Any]) -> tuple[dict[str, Product], dict[int, Product]]:
    """Products the items name, by SKU (any case) and by id: two queries for the whole delivery."""
    skus = {str(i.get("sku")).strip().upper() for i in items if isinstance(i, dict) and isinstance(i.get("sku"), str)}
    ids = {object_id(i.get("product")) for i in items if isinstance(i, dict)} - {None}
    fields = ("pk", "sku", "product_line_id")
    found = Product.objects.annotate(sku_upper=Upper("sku")).filter(sku_upper__in=skus).only(*fields) if skus else []
    by_sku = {p.sku.upper(): p for p in found}
    by_id = {p.pk: p for p in Product.objects.filter(pk__in=ids).only(*fields)} if ids else {}
    return by_sku, by_id


def _date(value: Any, name: str, today: date, problems: Errors, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            problems.setdefault(name, []).append("This field is required (YYYY-MM-DD).")
        return None
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.setdefault(name, []).append(f"{value!r} is not a date in the form YYYY-MM-DD.")
        return None
    if day > today:
        problems.setdefault(name, []).append(f"{day.isoformat()} is in the future.")
        return None
    return day


def _whole(value: Any, name: str, problems: Errors, *, minimum: int, default: int | None = None) -> int | None:
    if value is None and default is not None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= MAX_INT:
        problems.setdefault(name, []).append(f"A whole number from {minimum} to {MAX_INT:,} is required.")
        return None
    return value


def _unit(item: dict, by_sku: dict, by_id: dict, problems: Errors) -> tuple[Product | None, str, str]:
    """(product, kind, identifier) of an item; problems say which field is wrong."""
    product = None
    if item.get("product") is not None and item.get("sku") is not None:
        problems["product"] = ["Give either `product` (id) or `sku`, not both."]
    elif item.get("product") is not None:
        product = by_id.get(object_id(item["product"]))
        if product is None:
            problems["product"] = ["Unknown product id."]
    elif isinstance(item.get("sku"), str) and item["sku"].strip():
        product = by_sku.get(item["sku"].strip().upper())
        if product is None:
            problems["sku"] = [f"No product has the SKU {item['sku'].strip()!r}."]
    elif item.get("sku") is not None:
        problems["sku"] = ["The SKU must be text."]
    else:
        problems["sku"] = ["This field is required: the product's SKU (or `product`, its id)."]
    serial, subscription = item.get("serial"), item.get("subscription")
    if (serial is None) == (subscription is None):
        problems["serial"] = ["Give exactly one of `serial` (a unit) or `subscription` (a subscription id)."]
        return product, "", ""
    name, value = ("serial", serial) if serial is not None else ("subscription", subscription)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_IDENTIFIER:
        problems[name] = [f"Text of 1 to {MAX_IDENTIFIER} characters is required."]
        return product, "", ""
    kind = Activation.Kind.SERIAL if name == "serial" else Activation.Kind.SUBSCRIPTION
    return product, kind, value.strip()


def _unknown(item: dict, allowed: set[str], problems: Errors) -> None:
    for name in sorted(set(item) - allowed):
        problems[name] = ["Unknown field."]


def activation_items_check(items: list[Any], *, today: date) -> Checked:
    """Each item becomes {product, kind, identifier, activated_on, units, status, deactivated_on} or errors.

    Rules: the date of activation is given and not in the future; a deactivated unit has a deactivation date
    on or after its activation, an active one none (`status` defaults from it); units are 1 or more
    (default 1); the same unit appears once per delivery.
    """
    checked = Checked()
    by_sku, by_id = _products(items)
    seen: dict[tuple[int, str, str], int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            checked.errors[index] = {"non_field_errors": ["Expected an object."]}
            continue
        problems: Errors = {}
        _unknown(item, ACTIVATION_FIELDS, problems)
        product, kind, identifier = _unit(item, by_sku, by_id, problems)
        activated_on = _date(item.get("activated_on"), "activated_on", today, problems)
        deactivated_on = _date(item.get("deactivated_on"), "deactivated_on", today, problems, required=False)
        units = _whole(item.get("units"), "units", problems, minimum=1, default=1)
        status = item.get("status")
        if status is None:
            status = Activation.Status.DEACTIVATED if deactivated_on else Activation.Status.ACTIVE
        if status not in Activation.Status.values:
            problems["status"] = ["Use `active` or `deactivated`."]
        elif status == Activation.Status.DEACTIVATED and item.get("deactivated_on") in (None, ""):
            problems["deactivated_on"] = ["A deactivated unit needs the date it was deactivated."]
        elif status == Activation.Status.ACTIVE and item.get("deactivated_on") not in (None, ""):
            problems["status"] = ["An active unit has no deactivation date; send `deactivated` or leave the date out."]
        if activated_on and deactivated_on and deactivated_on < activated_on:
            problems["deactivated_on"] = [
                f"{deactivated_on.isoformat()} is before the activation on {activated_on.isoformat()}."
            ]
        if product is not None and identifier:
            key = (product.pk, kind, identifier)
            if key in seen:
                problems.setdefault(kind, []).append(
                    f"{product.sku} {identifier} is already item {seen[key]} of this delivery."
                )
            seen.setdefault(key, index)
        if problems:
            checked.errors[index] = problems
            continue
        checked.rows[index] = {
            "product": product,
            "kind": kind,
            "identifier": identifier,
            "activated_on": activated_on,
            "units": units,
            "status": status,
            "deactivated_on": deactivated_on,
        }
    return checked


def _month(value: Any, problems: Errors, today: date) -> date | None:
    text = value if isinstance(value, str) else ""
    try:
        day = date.fromisoformat(text + "-01" if len(text) == 7 else text) if len(text) in (7, 10) else None
    except ValueError:
        day = None
    if day is None or day.day != 1:
        problems["month"] = [f"{value!r} is not a month: send YYYY-MM (or the first day, YYYY-MM-01)."]
        return None
    if day > today:
        problems["month"] = [f"{day:%Y-%m} has not started yet."]
        return None
    return day


def usage_items_check(items: list[Any], *, today: date) -> Checked:
    """Each item becomes {activation, month, active_units, usage, usage_unit} or errors.

    Rules: the unit is an activation already reported (send activations first); the month has started and
    is not before the activation's month; active units 0 or more; usage an amount of 0 or more with at most
    2 decimals (default 0); one item per activation and month in a delivery.
    """
    checked = Checked()
    by_sku, by_id = _products(items)
    units: dict[int, tuple[Product, str, str]] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            checked.errors[index] = {"non_field_errors": ["Expected an object."]}
            continue
        problems: Errors = {}
        _unknown(item, USAGE_FIELDS, problems)
        product, kind, identifier = _unit(item, by_sku, by_id, problems)
        month = _month(item.get("month"), problems, today)
        active = _whole(item.get("active_units"), "active_units", problems, minimum=0)
        usage = Decimal(0)
        raw = item.get("usage")
        if raw is not None:
            try:
                usage = Decimal(str(raw)) if isinstance(raw, int | float | str) and not isinstance(raw, bool) else None
            except InvalidOperation:
                usage = None
            if usage is None or not usage.is_finite() or usage < 0 or usage != round(usage, 2) or usage > MAX_USAGE:
                problems["usage"] = ["An amount of 0 or more with at most 2 decimals is required."]
        unit_name = item.get("usage_unit", "")
        if not isinstance(unit_name, str) or len(unit_name) > 20:
            problems["usage_unit"] = ["Text of at most 20 characters (hours, events …)."]
        if problems:
            checked.errors[index] = problems
        else:
            checked.rows[index] = {"month": month, "active_units": active, "usage": usage, "usage_unit": unit_name}
        if product is not None and identifier:
            units[index] = (product, kind, identifier)
    activations = _activations(units.values())
    seen: dict[tuple[int, date], int] = {}
    for index, (product, kind, identifier) in units.items():
        activation = activations.get((product.pk, kind, identifier))
        field_name = "serial" if kind == Activation.Kind.SERIAL else "subscription"
        if activation is None:
            checked.add(index, field_name, f"No activation of {product.sku} {identifier} has been reported.")
            checked.rows.pop(index, None)
            continue
        row = checked.rows.get(index)
        if row is None:
            continue
        if row["month"] < activation.activated_on.replace(day=1):
            checked.add(index, "month", f"{row['month']:%Y-%m} is before the activation on {activation.activated_on}.")
            checked.rows.pop(index)
            continue
        key = (activation.pk, row["month"])
        if key in seen:
            checked.add(index, "month", f"{row['month']:%Y-%m} of this unit is already item {seen[key]}.")
            checked.rows.pop(index)
            continue
        seen[key] = index
        row["activation"] = activation
    return checked


def _activations(units) -> dict[tuple[int, str, str], Activation]:
    wanted = list(units)
    if not wanted:
        return {}
    found = Activation.objects.filter(
        product_id__in={p.pk for p, _, _ in wanted}, identifier__in={i for _, _, i in wanted}
    ).only("pk", "product_id", "kind", "identifier", "activated_on", "partner_id")
    return {(a.product_id, a.kind, a.identifier): a for a in found}
