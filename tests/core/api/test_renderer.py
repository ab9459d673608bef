"""The API's renderer (drf-orjson-renderer) writes what DRF's JSONRenderer writes (the same JSON values)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import ApiJSONRenderer

DATA = {
    "text": "Ünïcode — “quotes” \\ and \n newlines",
    "lazy": gettext_lazy("This field is required."),
    "numbers": [0, -1, 2**63 - 1, 0.1, 1e-7, 1.5e300],
    "decimal": Decimal("12.50"),
    "moment": datetime(2026, 3, 31, 23, 59, 59, 123456, tzinfo=UTC),
    "naive": datetime(2026, 1, 1, 8, 30),
    "day": date(2024, 2, 29),
    "clock": time(7, 5, 3, 250000),
    "span": timedelta(days=2, seconds=5),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": ReturnDict({"list": ReturnList([{"a": None, "b": True}], serializer=None)}, serializer=None),
    "tuple": (1, "two"),
    "set_like": frozenset({"only"}),
    7: "an integer key",
}


def test_the_output_is_drfs_and_byte_for_byte_so_when_no_float_needs_an_exponent():
    fast, drf = ApiJSONRenderer().render(DATA), JSONRenderer().render(DATA)
    assert json.loads(fast) == json.loads(drf)
    assert fast.replace(b"1e-7,", b"1e-07,") == drf  # the one float whose notation differs (same value)


def test_decimals_uuids_and_times_take_drfs_forms():
    rendered = json.loads(ApiJSONRenderer().render(DATA))
    assert rendered["decimal"] == 12.5  # DRF's encoder writes a raw Decimal as a number (fields write strings)
    assert rendered["id"] == "12345678-1234-5678-1234-567812345678"
    assert rendered["moment"] == "2026-03-31T23:59:59.123456Z"  # UTC as Z
    assert rendered["clock"] == "07:05:03.250000" and rendered["span"] == "172805.0"


def test_no_body_renders_as_empty_bytes():
    assert ApiJSONRenderer().render(None) == b""


def test_api_responses_are_rendered_by_it(client):
    from rest_framework.settings import api_settings

    assert api_settings.DEFAULT_RENDERER_CLASSES[0] is ApiJSONRenderer
    response = client.get("/api/v1/")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"]
