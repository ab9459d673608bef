"""Sell-out lines sent through the API, checked item by item and upserted per reporter.

Each item: `reporter` (optional for partner users: their own partner; required for channel managers),
the line's fields as in the CSV template (`sku` or `product` id, or `gtin`),
`serials` as a list or a `;`-separated string. Reporters and products are resolved in one query each;
the row rules are `sellout_validate_rows` (per reporter, so an invoice line may appear once per reporter);
writing is `sellout_lines_upsert`, in one batch per reporter that records the API token and the
`Idempotency-Key` of the request.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction

from catalog.models import Product
from core.api.bulk import ALL_OR_NOTHING
from core.api.serializers import object_id
from ingest.services import import_batch_open
from partners.models import Partner
from sellout.services import sellout_lines_upsert
from sellout.validation import COLUMNS, sellout_validate_rows

FIELDS = {"reporter", "product", *COLUMNS}
UNKNOWN_REPORTER = "Unknown partner, or one you may not report sell-out for."


def _lookups(user: Any, items: list) -> tuple[dict[int, Partner], dict[int, Product]]:
    reporter_ids, product_ids = set(), set()
    for item in items:
        if isinstance(item, dict):
            reporter_ids.add(object_id(item.get("reporter")))
            product_ids.add(object_id(item.get("product")))
    reporter_ids.discard(None)
    product_ids.discard(None)
    reporters = {p.pk: p for p in Partner.objects.editable_by(user).filter(pk__in=reporter_ids)} if reporter_ids else {}
    products = {p.pk: p for p in Product.objects.filter(pk__in=product_ids).only("pk", "sku")} if product_ids else {}
    return reporters, products


def _envelope(item: Any, user: Any, reporters: dict, products: dict) -> tuple[Partner | None, dict, dict]:
    """(reporter, row for the validator, errors) for one item."""
    if not isinstance(item, dict):
        return None, {}, {"non_field_errors": ["Expected an object."]}
    errors: dict[str, list[str]] = {name: ["Unknown field."] for name in sorted(set(item) - FIELDS)}
    reporter = None
    if item.get("reporter") is None:
        if user.is_partner_member:
            reporter = user.partner
        else:
            errors["reporter"] = ["This field is required: say which partner reported the line."]
    else:
        reporter = reporters.get(object_id(item["reporter"]))
        if reporter is None:
            errors["reporter"] = [UNKNOWN_REPORTER]
    row = {key: item.get(key) for key in COLUMNS if key not in ("sku", "gtin")}
    if item.get("product") is not None and (item.get("sku") is not None or item.get("gtin") is not None):
        errors["product"] = ["Give either `product` (id) or `sku`/`gtin`, not both."]
    elif item.get("product") is not None:
        product = products.get(object_id(item["product"]))
        if product is None:
            errors["product"] = ["Unknown product."]
        row["product"] = product
    else:
        row["sku"], row["gtin"] = item.get("sku"), item.get("gtin")
    for key in ("invoice_number", "sold_to_name", "end_customer_name", "end_customer_postcode", "currency"):
        if row.get(key) is not None and not isinstance(row[key], str):
            errors.setdefault(key, []).append("Expected a string.")
    return reporter, row, errors


def sellout_ingest(
    *, user: Any, items: list, mode: str, token: Any = None, reference: str = ""
) -> tuple[list[dict], dict[str, int]]:
    """Check and write sell-out items; returns per-item results and {created, updated, unchanged} totals."""
    reporters, products = _lookups(user, items)
    results: list[dict] = [{} for _ in items]
    groups: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    reporter_by_pk: dict[int, Partner] = {}
    rejected: dict[int, dict] = {}
    for index, item in enumerate(items):
        reporter, row, errors = _envelope(item, user, reporters, products)
        if errors:
            rejected[index] = errors
        # Items with envelope errors are still checked (under key 0) so every field problem is reported at once.
        key = 0 if errors else reporter.pk
        groups[key].append((index, row))
        if not errors:
            reporter_by_pk[reporter.pk] = reporter

    valid: dict[int, list[tuple[int, dict]]] = {}
    for reporter_pk, rows in groups.items():
        check = sellout_validate_rows(
            reporter=reporter_by_pk.get(reporter_pk), rows=[row for _, row in rows], first_row_number=0
        )
        row_errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
        for error in check.errors:
            row_errors[error.row].setdefault(error.column or "non_field_errors", []).append(error.reason)
        for number, (index, _) in enumerate(rows):
            fields = {**row_errors.get(number, {}), **rejected.get(index, {})}
            results[index] = {"index": index, "status": "invalid" if fields else "pending"}
            if fields:
                results[index]["errors"] = fields
        if reporter_pk:
            valid[reporter_pk] = [(rows[r["row"]][0], r) for r in check.valid]

    totals = {"created": 0, "updated": 0, "unchanged": 0}
    if mode == ALL_OR_NOTHING and any(r.get("status") == "invalid" for r in results):
        return results, totals
    with transaction.atomic():
        for reporter_pk, rows in valid.items():
            if not rows:
                continue
            reporter = reporter_by_pk[reporter_pk]
            batch = import_batch_open(
                kind="sellout", channel="api", partner=reporter, user=user, token=token, reference=reference
            )
            counts = sellout_lines_upsert(reporter=reporter, rows=[row for _, row in rows], batch=batch, user=user)
            for name in totals:
                totals[name] += counts[name]
            for index, _ in rows:
                results[index] = {"index": index, "status": "saved"}
    return results, totals
