"""OpenAPI additions: the error responses every operation can give.

`add_error_responses` is a drf-spectacular postprocessing hook: each
operation gets the shared `Error` schema for the statuses it can answer
(400/401/403/429 everywhere, 404 for item URLs and lists with filters,
409/413/415/422 for writes), and request bodies refuse unknown properties,
as the API does.
"""

from __future__ import annotations

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


def _tighten(schema: dict) -> None:
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)


def add_error_responses(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _tighten(schema)
    error_ref = {"$ref": "#/components/schemas/Error"}
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
            for code in codes:
                responses.setdefault(
                    code, {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": error_ref}}}
                )
    return result
