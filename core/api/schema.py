"""OpenAPI additions: the error responses every operation can give, and what request bodies accept.

`add_error_responses` is a drf-spectacular postprocessing hook: each
operation gets the shared `Error` schema for the statuses it can answer
(400/401/403/429 everywhere, 404 for item URLs and lists with filters,
409/413/415/422 for writes; a bulk request's 400 also carries the per-item
results), and request bodies refuse unknown properties, as the API does.

The extensions below register with drf-spectacular when this module is imported (core's AppConfig.ready).
"""

from __future__ import annotations

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error has this shape.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. `invalid`."},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Field name → list of messages (nested for nested data); empty otherwise.",
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": "Invalid input: malformed JSON, wrong types, unknown fields, bad filters or cursor.",
    "401": "No credentials, or an invalid, revoked or expired token.",
    "403": "Authenticated but not allowed (role, read-only token, read-only distributor view).",
    "404": "No such object, or one you cannot see (the two are indistinguishable).",
    "405": "Method not allowed on this URL.",
    "406": "The Accept header asks for a format the API does not produce.",
    "409": "The object's state does not allow this change, or the same Idempotency-Key is still in flight.",
    "413": "Request body or bulk item count above the limit.",
    "415": "Only application/json request bodies are accepted.",
    "422": "A rule refused the request, or an Idempotency-Key was reused for a different request.",
    "429": "Rate limit exceeded; see the Retry-After header.",
}
ALWAYS = ("400", "401", "403", "405", "406", "429")
WRITES = ("404", "409", "413", "415", "422")
WRITE_METHODS = ("post", "put", "patch", "delete")


class NonNegativeDecimalField(OpenApiSerializerFieldExtension):
    """A decimal field that refuses negatives (`min_value` of 0 or more) says so: no minus sign in its pattern.

    drf-spectacular writes decimals as strings with a pattern that always allows one, so the schema
    promised that a negative unit price or amount would be taken.
    """

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        minimum = self.target.min_value
        if minimum is not None and minimum >= 0 and schema.get("pattern", "").startswith("^-?"):
            schema["pattern"] = "^" + schema["pattern"].removeprefix("^-?")
        return schema


class ExclusiveFields(OpenApiSerializerExtension):
    """A request body states the groups of fields it takes exactly one (or at most one) of.

    A StrictFieldsMixin serializer may name groups of optional fields of which a request gives exactly one
    (`exactly_one_of`, e.g. `product` or `sku`) or at most one (`at_most_one_of`); its validate() checks them.
    They become `oneOf` of `required` and `not` `required`, so clients (and generated bodies) know the rule.
    """

    target_class = "core.api.serializers.StrictFieldsMixin"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction != "request":
            return schema
        exactly, at_most = getattr(self.target, "exactly_one_of", ()), getattr(self.target, "at_most_one_of", ())
        rules = [{"oneOf": [{"required": [name]} for name in group]} for group in exactly]
        rules += [{"not": {"required": list(group)}} for group in at_most]
        if rules:
            schema["allOf"] = [*schema.get("allOf", []), *rules]
        return schema


def _list_bounds(field, schema: dict) -> dict:
    """minItems/maxItems from a list's allow_empty, min_length and max_length (drf-spectacular leaves them out)."""
    if schema.get("type") != "array":
        return schema
    least = 1 if getattr(field, "allow_empty", True) is False else 0
    least = max(least, getattr(field, "min_length", None) or 0)
    if least:
        schema["minItems"] = max(schema.get("minItems", 0), least)
    if getattr(field, "max_length", None) is not None:
        schema["maxItems"] = min(schema.get("maxItems", field.max_length), field.max_length)
    return schema


class ListSerializerBounds(OpenApiSerializerFieldExtension):
    """`many=True` lists state the item counts they accept (e.g. a deal's lines: at least one)."""

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return _list_bounds(self.target, auto_schema._map_serializer_field(self.target, direction, True))


class ListFieldBounds(OpenApiSerializerFieldExtension):
    """List fields state the item counts they accept (e.g. a webhook's events: at least one)."""

    target_class = "rest_framework.fields.ListField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return _list_bounds(self.target, auto_schema._map_serializer_field(self.target, direction, True))


def _tighten(schema: dict) -> None:
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)


def add_error_responses(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _tighten(schema)
    bulk_ref = {"$ref": "#/components/schemas/BulkResponse"}
    if "BulkResponse" in schemas:
        schemas["BulkError"] = _bulk_error(schemas["BulkResponse"])
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = list(ALWAYS)
            if "{" in path or method == "get":
                codes.append("404")
            if method in WRITE_METHODS:
                codes.extend(WRITES)
            responses = operation["responses"]
            if _answers(responses.get("200"), bulk_ref):
                responses.setdefault("400", _response("400", "BulkError", BULK_REFUSED))
            for code in codes:
                responses.setdefault(code, _response(code, "Error"))
    return result


BULK_REFUSED = (
    "Some items are invalid and nothing was saved (all_or_nothing): `results` says which and why; "
    "or the request itself is invalid (envelope, mode): the error alone."
)


def _response(code: str, schema: str, description: str = "") -> dict:
    return {
        "description": description or DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _answers(response: dict | None, schema_ref: dict) -> bool:
    return bool(response) and response.get("content", {}).get("application/json", {}).get("schema") == schema_ref


def _bulk_error(bulk: dict) -> dict:
    """The error shape plus, when the items were checked, the bulk answer's fields (so none is required)."""
    return {
        "allOf": [
            {"$ref": "#/components/schemas/Error"},
            {"type": "object", "properties": bulk["properties"]},
        ],
        "description": "A refused bulk request: the error, and the per-item results when the items were checked.",
    }
