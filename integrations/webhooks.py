"""Webhooks: endpoints, who receives which event, signing and one delivery attempt.

Routing rule: an event for partner P goes to every active endpoint that
subscribes to its type and is either scoped to P, or is an ecosystem
endpoint (no partner) whose owner, a channel manager, may see P. Events
without a partner go to ecosystem endpoints of managers with no region limit.
Endpoints of inactive owners receive nothing.

Each delivery is POSTed as JSON `{id, type, created_at, partner_id, data}`
with `X-PRM-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with
the endpoint secret>`, `X-PRM-Event`, `X-PRM-Delivery` and `X-PRM-Timestamp`.
A 2xx answer is success; anything else, a timeout or a network error is a
failure that the task retries with exponential backoff and jitter.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.events import EVENT_TYPES, Event
from core.exceptions import ActionNotPermittedError
from core.tasks import enqueue_on_commit
from partners.models import Partner

from .models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-PRM-Signature"
MAX_ENDPOINTS_PER_OWNER = 20
RESPONSE_EXCERPT = 2000
# A delivery left this long past its due time has lost its queue message (see webhook_deliveries_requeue_stalled).
STALLED_AFTER = timedelta(minutes=15)


def sign(secret: str, body: bytes) -> str:
    """The signature header value: `sha256=` + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header or "")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


# --- endpoints ---------------------------------------------------------------------------------


def may_manage_webhooks(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_channel_manager or user.is_partner_admin)
    )


def _clean_endpoint(*, url: str, events: Any, description: str) -> dict:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    parsed = urllib.parse.urlsplit(url)
    allowed = ("https", "http") if settings.PRM_WEBHOOK_ALLOW_HTTP else ("https",)
    if parsed.scheme not in allowed or not parsed.hostname:
        errors["url"] = [f"Enter a full {' or '.join(allowed)} URL, e.g. https://erp.example.com/prm-hook."]
    elif len(url) > 500:
        errors["url"] = ["The URL is too long (500 characters at most)."]
    if not isinstance(events, list | tuple) or not events:
        errors["events"] = ["Choose at least one event type."]
    else:
        unknown = sorted({str(e) for e in events} - set(EVENT_TYPES))
        if unknown:
            errors["events"] = [f"Unknown event types: {', '.join(unknown)}."]
    if len(description or "") > 200:
        errors["description"] = ["The description is too long (200 characters at most)."]
    if errors:
        raise ValidationError(errors)
    return {"url": url, "events": sorted(set(events)), "description": (description or "").strip()}


@transaction.atomic
def webhook_endpoint_create(
    *,
    user: Any,
    url: str,
    events: list[str],
    partner: Partner | None = None,
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    """Register an endpoint with a fresh secret (returned on the object; show it once).

    Partner admins register endpoints for their own partner; channel managers
    for a partner they can see, or (partner=None) for every partner they can see.
    """
    if not may_manage_webhooks(user):
        raise ActionNotPermittedError("Only channel managers and partner admins register webhooks.")
    fields = _clean_endpoint(url=url, events=events, description=description)
    if user.is_partner_member:
        if partner is not None and partner.pk != user.partner_id:
            raise ValidationError({"partner": ["You can register webhooks only for your own partner."]})
        partner = user.partner
    elif partner is not None and not Partner.objects.visible_to(user).filter(pk=partner.pk).exists():
        raise ValidationError({"partner": ["Unknown partner."]})
    if WebhookEndpoint.objects.filter(owner=user).count() >= MAX_ENDPOINTS_PER_OWNER:
        raise ValidationError({"url": [f"You already have {MAX_ENDPOINTS_PER_OWNER} endpoints; delete unused ones."]})
    return WebhookEndpoint.objects.create(
        owner=user, partner=partner, secret=new_secret(), is_active=is_active, **fields
    )


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    user: Any,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    """Change the URL, events, description or active flag; the scope and secret stay."""
    if not may_manage_webhooks(user):
        raise ActionNotPermittedError("Only channel managers and partner admins change webhooks.")
    fields = _clean_endpoint(url=url, events=events, description=description)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.is_active = is_active
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, user: Any) -> WebhookEndpoint:
    if not may_manage_webhooks(user):
        raise ActionNotPermittedError("Only channel managers and partner admins change webhooks.")
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


# --- routing -----------------------------------------------------------------------------------


def _receives(endpoint: WebhookEndpoint, event: Event) -> bool:
    if event.name not in endpoint.events or not endpoint.owner.is_active:
        return False
    if endpoint.partner_id is not None:
        return endpoint.partner_id == event.partner_id
    owner = endpoint.owner
    if not (owner.is_superuser or owner.is_channel_manager):
        return False
    if event.partner_id is None:
        return owner.is_superuser or not owner.region_ids
    return Partner.objects.visible_to(owner).filter(pk=event.partner_id).exists()


def event_body(event: Event) -> str:
    return json.dumps(
        {
            "id": event.id,
            "type": event.name,
            "created_at": event.occurred_at.isoformat(),
            "partner_id": event.partner_id,
            "data": event.data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )


def webhook_deliveries_for_event(event: Event) -> list[WebhookDelivery]:
    """Create one pending delivery per endpoint that receives `event` (see the routing rule)."""
    candidates = WebhookEndpoint.objects.filter(is_active=True).select_related("owner")
    if event.partner_id is None:
        candidates = candidates.filter(partner__isnull=True)
    else:
        candidates = candidates.filter(Q(partner_id=event.partner_id) | Q(partner__isnull=True))
    endpoints = [e for e in candidates if _receives(e, event)]
    if not endpoints:
        return []
    body = event_body(event)
    return WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=e, event_id=event.id, event_type=event.name, partner_id=event.partner_id, payload=body
            )
            for e in endpoints
        ]
    )


def enqueue_event_deliveries(event: Event) -> None:
    """core.events in-transaction subscriber: the outbox.

    The deliveries are written in the transaction that emits the event, so they commit with the change
    (or not at all); each is queued once that transaction commits. If the process stops in between, the
    rows wait as pending and `webhook_deliveries_requeue_stalled` queues them.
    """
    for delivery in webhook_deliveries_for_event(event):
        enqueue_on_commit("integrations.tasks.deliver_webhook", delivery.pk)


class WebhookAttemptFailedError(Exception):
    """An attempt failed and the delivery has attempts left: the delivery task retries with backoff."""


def webhook_delivery_send(*, delivery_id: int) -> str:
    """One attempt of a pending or retrying delivery, for the delivery task.

    Returns "delivered", "failed" (that was the last of PRM_WEBHOOK_MAX_ATTEMPTS attempts), "endpoint
    inactive", or "skipped" (gone, finished, or being sent by another worker right now: the row is locked
    during the attempt, so a duplicate message never sends it twice at once). Raises WebhookAttemptFailedError
    when the attempt failed and another is due.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status__in=(WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING))
            .first()
        )
        if delivery is None:
            return "skipped"
        if not delivery.endpoint.is_active:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.FAILED, last_error="Endpoint deactivated; not sent.", next_attempt_at=None
            )
            return "endpoint inactive"
        if webhook_attempt(delivery):
            return "delivered"
        if delivery.attempts >= settings.PRM_WEBHOOK_MAX_ATTEMPTS:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
            return "failed"
    raise WebhookAttemptFailedError(f"attempt {delivery.attempts} of delivery {delivery.uuid}: {delivery.last_error}")


def webhook_delivery_retry_at(*, delivery_id: int, at: datetime) -> None:
    """Record when the next attempt of a failed delivery is scheduled (the API shows `next_attempt_at`)."""
    WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.RETRYING, next_attempt_at__isnull=True
    ).update(next_attempt_at=at)


def webhook_deliveries_requeue_stalled(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue again the deliveries whose message was lost; returns how many (the beat runs it).

    A pending or retrying delivery that nothing has touched for STALLED_AFTER past its due time (its next
    attempt, else its last attempt, else its creation) lost its message: the process stopped between the
    commit and the queueing, or the broker lost it. It is marked due now, so that the next sweep waits
    again before queueing it once more, and queued.
    """
    now = now or timezone.now()
    cutoff = now - STALLED_AFTER
    waiting = WebhookDelivery.objects.filter(
        status__in=(WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING)
    ).alias(due=Coalesce("next_attempt_at", "last_attempt_at", "created_at"))
    stalled = waiting.filter(due__lt=cutoff)
    count = 0
    for delivery_id in stalled.order_by("pk").values_list("pk", flat=True)[:limit]:
        if stalled.filter(pk=delivery_id).update(next_attempt_at=now):
            enqueue_on_commit("integrations.tasks.deliver_webhook", delivery_id)
            count += 1
    if count:
        logger.warning("webhooks: %s stalled deliveries queued again", count)
    return count


def webhook_redeliver(*, delivery: WebhookDelivery, user: Any) -> WebhookDelivery:
    """Send the same body (same event id) again as a new delivery, after the caller's transaction commits."""
    if not may_manage_webhooks(user):
        raise ActionNotPermittedError("Only channel managers and partner admins redeliver webhooks.")
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        partner_id=delivery.partner_id,
        payload=delivery.payload,
        redelivery_of=delivery,
    )
    enqueue_on_commit("integrations.tasks.deliver_webhook", copy.pk)
    return copy


# --- sending -----------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not something to follow: the body must reach the registered URL."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _address_refused(url: str) -> str:
    """Why the URL's host may not be called (private/loopback address), or '' when it may."""
    if settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"{host} resolves to a non-public address ({address})"
    return ""


def webhook_attempt(delivery: WebhookDelivery) -> bool:
    """POST the delivery once and record the outcome on the row; True on a 2xx answer."""
    endpoint = delivery.endpoint
    body = delivery.payload.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "prm-webhooks/1.0",
        "X-PRM-Event": delivery.event_type,
        "X-PRM-Delivery": str(delivery.uuid),
        "X-PRM-Timestamp": str(int(time.time())),
        SIGNATURE_HEADER: sign(endpoint.secret, body),
    }
    code: int | None = None
    excerpt = error = ""
    started = time.monotonic()
    refused = _address_refused(endpoint.url)
    if refused:
        error = f"Not sent: {refused}."
    else:
        request = urllib.request.Request(endpoint.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with _OPENER.open(request, timeout=settings.PRM_WEBHOOK_TIMEOUT_SECONDS) as answer:
                code = answer.status
                excerpt = answer.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            code = exc.code
            excerpt = (exc.read(RESPONSE_EXCERPT) or b"").decode("utf-8", "replace")
            error = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            error = f"{type(reason).__name__}: {reason}"
    ok = code is not None and 200 <= code < 300
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        response_code=code,
        response_body=excerpt,
        last_error="" if ok else error or f"HTTP {code}",
        duration_ms=int((time.monotonic() - started) * 1000),
        last_attempt_at=now,
        delivered_at=now if ok else None,
        status=WebhookDelivery.Status.SUCCEEDED if ok else WebhookDelivery.Status.RETRYING,
        next_attempt_at=None,
    )
    delivery.refresh_from_db()
    logger.info(
        "webhook %s %s → %s: %s (attempt %s)",
        delivery.event_type,
        delivery.uuid,
        endpoint.url,
        code or error,
        delivery.attempts,
    )
    return ok
