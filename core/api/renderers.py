"""JSON responses of the API, encoded by drf-orjson-renderer (orjson, in C).

The output is what DRF's JSONRenderer writes (compact UTF-8, the same values): anything orjson does
not write natively in DRF's form — dates and times (DRF writes UTC as `Z`), time spans, lazy
translations, raw decimals (a number, as DRF writes them; serializer fields write strings) — goes
through DRF's own encoder. On a page of 100 deals the standard
encoder took a tenth of the request. An `indent` in the Accept header is not honoured (always compact).
"""

from __future__ import annotations

import orjson
from drf_orjson_renderer.renderers import ORJSONRenderer
from rest_framework.utils.encoders import JSONEncoder


class ApiJSONRenderer(ORJSONRenderer):
    """drf-orjson-renderer with DRF's encoder for every type orjson does not write as DRF does."""

    options = ORJSONRenderer.options | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
    default = staticmethod(JSONEncoder().default)
