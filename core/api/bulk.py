"""Bulk requests: up to PRM_API_BULK_MAX_ITEMS items, validated one by one, saved all or nothing (default)
or keeping the valid ones (`?mode=partial`).

Request: `{"items": [ … ]}`. Answer (200): `{"mode", "total", "succeeded", "failed", "results": [{"index",
"status", "id"?, "errors"?}]}`; item statuses are `created`, `saved`, `invalid` and, when an
all-or-nothing request is refused, `not_saved`. A refused all-or-nothing request answers 400 with the
same body plus the usual `error` object.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.exceptions import ActionNotPermittedError, ServiceError

from .errors import PayloadTooLarge, django_validation_fields, error_body

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
MODES = (ALL_OR_NOTHING, PARTIAL)


class _RollbackError(Exception):
    pass


def bulk_request(request: Request) -> tuple[list, str]:
    """The items and mode of a bulk request; 400 for a bad envelope or mode, 413 above the item limit."""
    mode = request.query_params.get("mode", ALL_OR_NOTHING)
    if mode not in MODES:
        raise serializers.ValidationError({"mode": [f"Use {ALL_OR_NOTHING} (the default) or {PARTIAL}."]})
    data = request.data
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": ['Send an object: {"items": [ … ]}.']})
    unknown = sorted(set(data) - {"items"})
    if unknown:
        raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
    items = data.get("items")
    if not isinstance(items, list):
        raise serializers.ValidationError({"items": ["Expected a list of items."]})
    if not items:
        raise serializers.ValidationError({"items": ["Send at least one item."]})
    limit = settings.PRM_API_BULK_MAX_ITEMS
    if len(items) > limit:
        raise PayloadTooLarge(
            f"A bulk request takes at most {limit:,} items; this one has {len(items):,}. "
            "Split it into several requests.",
            code="too_many_items",
        )
    return items, mode


def item_errors(exc: Exception) -> dict:
    """Field errors of one item, from a serializer, a Django ValidationError or a service refusal."""
    if isinstance(exc, serializers.ValidationError):
        return exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    if isinstance(exc, DjangoValidationError):
        return django_validation_fields(exc)
    if isinstance(exc, ServiceError):
        return {"non_field_errors": [exc.message]}
    raise exc


def bulk_answer(mode: str, results: list[dict], **totals: Any) -> Response:
    failed = sum(1 for r in results if r["status"] == "invalid")
    refused = mode == ALL_OR_NOTHING and failed > 0
    if refused:
        for result in results:
            if result["status"] != "invalid":
                result["status"] = "not_saved"
                result.pop("id", None)
    body: dict[str, Any] = {
        "mode": mode,
        "total": len(results),
        "succeeded": 0 if refused else len(results) - failed,
        "failed": failed,
        **(dict.fromkeys(totals, 0) if refused else totals),
        "results": results,
    }
    if refused:
        body.update(
            error_body(
                "invalid_items",
                f"{failed:,} of {len(results):,} items are invalid; nothing was saved "
                f"(send ?mode={PARTIAL} to keep the valid ones).",
            )
        )
        return Response(body, status=400)
    return Response(body, status=200)


def run_each(
    items: Sequence[Any],
    mode: str,
    *,
    validate: Callable[[Any], Any],
    save: Callable[[Any], Any],
) -> list[dict]:
    """Validate every item, then save the valid ones one by one, each in a savepoint.

    `validate(item)` returns clean data or raises; `save(clean)` returns the saved
    object (with `pk`) or raises a ValidationError/ServiceError for that item. In
    all-or-nothing mode nothing is saved when any item fails, before or during saving.
    A refusal that concerns the caller rather than an item (ActionNotPermittedError) stops everything.
    """
    results: list[dict] = [{} for _ in items]
    clean: list[tuple[int, Any]] = []
    for index, item in enumerate(items):
        try:
            clean.append((index, validate(item)))
            results[index] = {"index": index, "status": "pending"}
        except (serializers.ValidationError, DjangoValidationError, ServiceError) as exc:
            if isinstance(exc, ActionNotPermittedError):
                raise
            results[index] = {"index": index, "status": "invalid", "errors": item_errors(exc)}
    if mode == ALL_OR_NOTHING and len(clean) < len(items):
        return results
    try:
        with transaction.atomic():
            for index, data in clean:
                try:
                    with transaction.atomic():
                        saved = save(data)
                    results[index] = {"index": index, "status": "created", "id": saved.pk}
                except (DjangoValidationError, ServiceError) as exc:
                    if isinstance(exc, ActionNotPermittedError):
                        raise
                    results[index] = {"index": index, "status": "invalid", "errors": item_errors(exc)}
                    if mode == ALL_OR_NOTHING:
                        raise _RollbackError from exc
    except _RollbackError:
        pass
    return results


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in `items`, from 0.")
    status = serializers.ChoiceField(choices=["created", "saved", "invalid", "not_saved"])
    id = serializers.IntegerField(required=False, help_text="The saved object's id.")
    errors = serializers.DictField(required=False, help_text="Field → messages, for an invalid item.")


class BulkResponseSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=MODES)
    total = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    created = serializers.IntegerField(required=False, help_text="Inventory: rows that did not exist.")
    updated = serializers.IntegerField(required=False, help_text="Inventory: rows replaced.")
    unchanged = serializers.IntegerField(required=False, help_text="Rows sent again with the same values.")
    batch = serializers.IntegerField(required=False, help_text="The delivery (ingest ImportBatch) that wrote the rows.")
    results = BulkItemResultSerializer(many=True)
