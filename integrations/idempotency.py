"""`Idempotency-Key` on POST: a retried request gets the first answer and changes nothing.

Rules:
- keys are scoped per user (two users may use the same key);
- the first request with a key records a fingerprint (SHA-256 of method,
  path, query string and body) and, once answered, the status and body;
- a retry with the same fingerprint gets the stored answer back, marked
  `Idempotent-Replayed: true`;
- the same key with a different request answers 422;
- a retry while the first request is still running answers 409;
- server errors (5xx) and throttled requests (429) are not stored, so they may be retried;
- records expire after PRM_IDEMPOTENCY_TTL_HOURS (a scheduled purge deletes them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from core.api.errors import error_json

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
NOT_STORED = (429,)


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode())
        digest.update(b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def ttl() -> timedelta:
    return timedelta(hours=settings.PRM_IDEMPOTENCY_TTL_HOURS)


def idempotency_records_purge(*, now=None) -> int:
    """Delete records older than the TTL; returns how many went."""
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body), status=record.status_code, content_type=record.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _claim(user: Any, key: str, request: HttpRequest, fingerprint: str) -> IdempotencyRecord | HttpResponse:
    """Insert the in-progress record, or answer from (or about) the existing one."""
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user,
                    key=key,
                    request_hash=fingerprint,
                    method=request.method,
                    path=request.path.replace("\x00", "")[:500],
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # deleted between the two statements: try again
            if existing.created_at < timezone.now() - ttl():
                existing.delete()
                continue
            if existing.request_hash != fingerprint:
                return error_json(
                    422,
                    "idempotency_key_reused",
                    f"The {HEADER} {key!r} was already used for a different request; use a new key.",
                )
            if existing.status_code is None:
                return error_json(
                    409,
                    "idempotency_request_in_progress",
                    f"A request with {HEADER} {key!r} is still being processed; retry shortly.",
                    Retry_After="1",
                )
            return _replay(existing)
    return error_json(409, "idempotency_request_in_progress", "Retry shortly.", Retry_After="1")


def idempotent_response(
    request: HttpRequest, *, user: Any, key: str, get_response: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """Answer a keyed POST once; see the module rules."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return error_json(
            400, "invalid_idempotency_key", f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters."
        )
    claimed = _claim(user, key, request, request_fingerprint(request))
    if isinstance(claimed, HttpResponse):
        return claimed
    try:
        response = get_response(request)
    except BaseException:
        claimed.delete()
        raise
    if response.status_code >= 500 or response.status_code in NOT_STORED or response.streaming:
        claimed.delete()
        return response
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    claimed.status_code = response.status_code
    claimed.content_type = response.get("Content-Type", "")[:100]
    claimed.response_body = response.content
    claimed.save(update_fields=["status_code", "content_type", "response_body"])
    return response
