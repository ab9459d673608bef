"""Request handling every /api/ URL shares, before and after DRF.

- bodies above PRM_API_MAX_BODY_BYTES answer 413 before anything reads them;
- requests without valid credentials are rate-limited per client address here, before DRF checks
  permissions (which would answer 401 first and never count them);
- POST with an `Idempotency-Key` goes through `idempotency.idempotent_response`;
- Django's own 404 pages and unhandled errors under /api/ answer in the JSON error shape.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.api.errors import error_json
from core.api.throttles import anonymous_wait

from .authentication import authenticate_request
from .idempotency import HEADER, idempotent_response
from .tokens import TokenError

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def _request_user(request: HttpRequest):
    """The user behind a token or a session; None when anonymous (DRF then answers 401)."""
    try:
        result = authenticate_request(request)
    except TokenError:
        return None
    if result is not None:
        return result[0]
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_json(400, "invalid_content_length", "The Content-Length header is not a number.")
        limit = settings.PRM_API_MAX_BODY_BYTES
        if length > limit:
            return error_json(
                413,
                "payload_too_large",
                f"The request body is {length:,} bytes; the limit is {limit:,}. Send fewer items per request.",
            )
        user = _request_user(request)
        if user is None:
            wait = anonymous_wait(request)
            if wait is not None:
                return error_json(
                    429, "throttled", f"Too many requests; retry in {wait} seconds.", Retry_After=str(wait)
                )
        key = request.headers.get(HEADER)
        if request.method == "POST" and key is not None and user is not None:
            response = idempotent_response(request, user=user, key=key.strip(), get_response=self.get_response)
            return self._as_json(response)
        return self._as_json(self.get_response(request))

    def _as_json(self, response: HttpResponse) -> HttpResponse:
        if response.status_code == 404 and not response.get("Content-Type", "").startswith("application/json"):
            return error_json(404, "not_found", "No such API URL or object.")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        logger.exception("unhandled API error on %s %s", request.method, request.path)
        return error_json(500, "server_error", "Something went wrong on our side; the error was logged.")
