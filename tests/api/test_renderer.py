"""The API's orjson renderer writes what DRF's JSONRenderer writes (the same JSON values)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import FastJSONRenderer

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
    fast, drf = FastJSONRenderer().render(DATA), JSONRenderer().render(DATA)
    assert json.loads(fast) == json.loads(drf)
    assert fast.replace(b"1e-7,", b"1e-07,") == drf  # the one float whose notation differs (same value)


def test_integers_beyond_64_bits_and_indented_output_fall_back_to_drf():
    huge = {"n": 2**70}
    assert FastJSONRenderer().render(huge) == JSONRenderer().render(huge) == b'{"n":1180591620717411303424}'
    context = {"indent": 2}
    assert FastJSONRenderer().render(DATA, "application/json; indent=2", context) == JSONRenderer().render(
        DATA, "application/json; indent=2", context
    )


def test_no_body_renders_as_empty_bytes():
    assert FastJSONRenderer().render(None) == b""


def test_api_responses_are_rendered_by_it(client):
    response = client.get("/api/v1/")
    assert response.status_code == 401
    assert json.loads(response.content)["error"]["code"]
