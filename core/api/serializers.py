"""Serializer helpers shared by every app's API: strict input, no-body actions, who is asking, and the
ids a request refers to.

Look-ups for a whole request are built from the raw request data, before validation, so anything may
stand where an id belongs (an object, a list, a float, a string). Only values a field could accept are
looked up (`object_id`); the rest are left for the serializer's field to refuse with its own message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rest_framework import serializers

MAX_INT = 2_147_483_647
MAX_ID = 2**63 - 1


class StrictFieldsMixin:
    """Unknown input fields are an error listing them (DRF would silently drop them)."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {name: ["Unknown field."] for name in sorted(set(data) - writable)}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**unknown, **exc.detail})
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    pass


class NoBodySerializer(StrictSerializer):
    """Actions without input accept an empty object or no body; any field is unknown."""


def no_body(request: Any) -> None:
    """Refuse a body with fields on an action that takes none (400 listing them), like every other write."""
    NoBodySerializer(data=request.data if request.data is not None else {}).is_valid(raise_exception=True)


def object_id(value: Any) -> int | None:
    """`value` if it can name a row (a JSON integer from 1 to the largest bigint), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def referenced_ids(items: Iterable[Any], key: str) -> set[int]:
    """The ids under `key` of the items that are objects, leaving out whatever cannot be an id."""
    found = {object_id(item.get(key)) for item in items if isinstance(item, Mapping)}
    found.discard(None)
    return found


def is_manager(context: dict) -> bool:
    """Whether the request in a serializer's context comes from the channel team (manager or superuser)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.is_channel_manager))
