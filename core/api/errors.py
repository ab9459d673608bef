"""One JSON shape for every API error.

    {"error": {"code": "invalid", "message": "Some fields are invalid.", "fields": {"quantity": ["…"]}}}

`code` is a stable machine word, `message` a sentence for people, `fields`
maps each bad field to its messages (nested objects/lists for nested data;
empty when the error is not about fields). Service errors map to statuses:
TransitionNotAllowedError → 409, ActionNotPermittedError → 403, other
ServiceError → 422, Django ValidationError → 400.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ActionNotPermittedError, ServiceError, TransitionNotAllowedError

STATUS_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
    500: "server_error",
}


def error_body(code: str, message: str, fields: dict | None = None, **extra: Any) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}


def error_json(status_code: int, code: str, message: str, fields: dict | None = None, **headers: str) -> JsonResponse:
    """An error answered outside DRF (middleware): same shape, same content type."""
    response = JsonResponse(error_body(code, message, fields), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class ServiceConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "transition_not_allowed"


class ServiceRefused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def django_validation_fields(exc: DjangoValidationError) -> dict:
    """Field → messages; errors not tied to a field go under `non_field_errors` (DRF's name)."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): messages for name, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def _translate(exc: Exception) -> Exception:
    """Turn service and Django errors into DRF exceptions carrying the right status."""
    if isinstance(exc, TransitionNotAllowedError):
        return ServiceConflict(exc.message, code=exc.code)
    if isinstance(exc, ActionNotPermittedError):
        return exceptions.PermissionDenied(exc.message, code=exc.code)
    if isinstance(exc, ServiceError):
        return ServiceRefused(exc.message, code=exc.code)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(django_validation_fields(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound("Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _first_code(codes: Any, default: str) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict):
        for value in codes.values():
            return _first_code(value, default)
    if isinstance(codes, list) and codes:
        return _first_code(codes[0], default)
    return default


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF EXCEPTION_HANDLER: every handled error leaves in the documented shape."""
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    default_code = STATUS_CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = detail
        message = _validation_message(detail)
        code = "invalid"
    else:
        code = _first_code(exc.get_codes(), default_code) if isinstance(exc, exceptions.APIException) else default_code
        if code in ("error", "invalid") and default_code not in ("error", "invalid"):
            code = default_code
        message = str(getattr(exc, "detail", "")) or default_code.replace("_", " ").capitalize() + "."
        fields = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        message = f"Too many requests; retry in {exc.wait} seconds."  # DRF rounds the throttle's wait up
    response.data = error_body(code, message, fields)
    return response


def _validation_message(detail: dict) -> str:
    names = [name for name in detail if name != "non_field_errors"]
    if not names:
        first = detail.get("non_field_errors") or ["The request is invalid."]
        return str(first[0]) if isinstance(first, list) and first else "The request is invalid."
    return "Invalid " + ("field" if len(names) == 1 else "fields") + ": " + ", ".join(names) + "."
