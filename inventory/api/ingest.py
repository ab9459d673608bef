"""Inventory rows sent through the API, checked item by item and upserted in bulk.

Each item: `sku` (or `product` id), `date`, `on_hand`, `units_sold`, `on_order`
(optional, 0) and `partner` (optional for partner users: their own partner;
required for channel managers). Partners and products are resolved in one
query each; the row rules are `inventory_validate_rows` (per partner, so the
same product and date may appear once per partner); writing is
`inventory_upsert` (one INSERT … ON CONFLICT per chunk), so 10,000 rows cost a
handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from catalog.models import Product
from core.api.bulk import ALL_OR_NOTHING
from core.api.serializers import object_id
from inventory.models import InventoryReport
from inventory.services import inventory_upsert, inventory_validate_rows
from partners.models import Partner

FIELDS = {"partner", "product", "sku", "date", "on_hand", "units_sold", "on_order"}
UNKNOWN_PARTNER = "Unknown partner, or one you may not report inventory for."


def _lookups(user: Any, items: list) -> tuple[dict[int, Partner], dict[int, Product]]:
    partner_ids, product_ids = set(), set()
    for item in items:
        if isinstance(item, dict):
            partner_ids.add(object_id(item.get("partner")))
            product_ids.add(object_id(item.get("product")))
    partner_ids.discard(None)
    product_ids.discard(None)
    partners = {p.pk: p for p in Partner.objects.editable_by(user).filter(pk__in=partner_ids)} if partner_ids else {}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids).only("pk", "sku")} if product_ids else {}
    return partners, products


def _envelope(item: Any, user: Any, partners: dict, products: dict) -> tuple[Partner | None, dict, dict]:
    """(partner, row for the validator, errors) for one item."""
    if not isinstance(item, dict):
        return None, {}, {"non_field_errors": ["Expected an object."]}
    errors: dict[str, list[str]] = {name: ["Unknown field."] for name in sorted(set(item) - FIELDS)}
    partner = None
    if item.get("partner") is None:
        if user.is_partner_member:
            partner = user.partner
        else:
            errors["partner"] = ["This field is required: say which partner the row is for."]
    else:
        partner = partners.get(object_id(item["partner"]))
        if partner is None:
            errors["partner"] = [UNKNOWN_PARTNER]
    row = {key: item.get(key) for key in ("date", "on_hand", "units_sold", "on_order")}
    if item.get("product") is not None and item.get("sku") is not None:
        errors["product"] = ["Give either `product` (id) or `sku`, not both."]
    elif item.get("product") is not None:
        product = products.get(object_id(item["product"]))
        if product is None:
            errors["product"] = ["Unknown product."]
        row["product"] = product
    else:
        row["sku"] = item.get("sku")
    return partner, row, errors


def inventory_ingest(*, user: Any, items: list, mode: str) -> tuple[list[dict], dict[str, int]]:
    """Check and write inventory items; returns per-item results and {created, updated} totals."""
    partners, products = _lookups(user, items)
    results: list[dict] = [{} for _ in items]
    groups: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    partner_by_pk: dict[int, Partner] = {}
    rejected: dict[int, dict] = {}
    for index, item in enumerate(items):
        partner, row, errors = _envelope(item, user, partners, products)
        if errors:
            rejected[index] = errors
        # Items with envelope errors are still checked (under key 0) so every field problem is reported at once.
        groups[0 if errors else partner.pk].append((index, row))
        if not errors:
            partner_by_pk[partner.pk] = partner

    valid: dict[int, list[tuple[int, dict]]] = {}
    for partner_pk, rows in groups.items():
        check = inventory_validate_rows(rows=[row for _, row in rows], first_row_number=0)
        row_errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
        for error in check.errors:
            row_errors[error.row].setdefault(error.column or "non_field_errors", []).append(error.reason)
        for number, (index, _) in enumerate(rows):
            fields = {**row_errors.get(number, {}), **rejected.get(index, {})}
            results[index] = {"index": index, "status": "invalid" if fields else "pending"}
            if fields:
                results[index]["errors"] = fields
        if partner_pk:
            valid[partner_pk] = [(rows[r["row"]][0], r) for r in check.valid]

    totals = {"created": 0, "updated": 0}
    if mode == ALL_OR_NOTHING and any(r.get("status") == "invalid" for r in results):
        return results, totals
    with transaction.atomic():
        for partner_pk, rows in valid.items():
            if not rows:
                continue
            counts = inventory_upsert(
                partner=partner_by_pk[partner_pk], user=user, rows=[row for _, row in rows], source="api"
            )
            totals["created"] += counts["created"]
            totals["updated"] += counts["updated"]
            for index, _ in rows:
                results[index] = {"index": index, "status": "saved"}
    return results, totals


def saved_row(*, user: Any, item: dict) -> InventoryReport | None:
    """The row a single-item request wrote (for the API's answer)."""
    partner = user.partner if item.get("partner") is None else Partner.objects.filter(pk=item["partner"]).first()
    if item.get("product") is not None:
        lookup = {"product_id": item["product"]}
    else:
        lookup = {"product__sku__iexact": item["sku"]}
    return (
        InventoryReport.objects.select_related("product", "partner")
        .filter(partner=partner, date=item["date"], **lookup)
        .first()
    )
