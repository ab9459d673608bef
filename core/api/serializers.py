"""Serializer helpers shared by every app's API: strict input, no-body actions, who is asking."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework import serializers

MAX_INT = 2_147_483_647


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
    """Actions without input accept an empty object or no body."""


def is_manager(context: dict) -> bool:
    """Whether the request in a serializer's context comes from the channel team (manager or superuser)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and (user.is_superuser or user.is_channel_manager))
