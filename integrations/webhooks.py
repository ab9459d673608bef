"""Webhooks: endpoints, who receives which event, signing and one delivery attempt.

Routing rule: an event for partner P goes to every active endpoint that
subscribes to its type and is either scoped to P, or is an ecosystem
endpoint (no partner) whose owner, a channel manager, may see P. Events
without a partner go to ecosystem endpoints of managers with no region limit.
Endpoints of inactive owners receive nothing.

Each delivery is POSTed as JSON `{id, type, created_at, partner_id, data}`
with `X-PRM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>",
keyed with the endpoint secret>` (the timestamp is signed, so a captured
delivery cannot be replayed later: `verify` accepts five minutes of skew),
`X-PRM-Event`, `X-PRM-Delivery` and `X-PRM-Timestamp` (the same `t`).
A 2xx answer is success; anything else, a timeout or a network error is a
failure that the task retries with exponential backoff and jitter.

Server-side request forgery: a URL may name only a host whose every address is
public (see `address_refusal`), checked when the endpoint is registered or
changed and again at every attempt, and the attempt connects to the address
that was checked, never looking the name up a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
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
from .outbound import RefusedAddressError, UnresolvedHostError, post_to_checked_address, resolve_target

logger = logging.getLogger(__name__)
SIGNATURE_HEADER = "X-PRM-Signature"
MAX_ENDPOINTS_PER_OWNER = 20
RESPONSE_EXCERPT = 2000
SIGNATURE_TOLERANCE_SECONDS = 300
# A delivery left this long past its due time has lost its queue message (see webhook_deliveries_requeue_stalled).
STALLED_AFTER = timedelta(minutes=15)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    """The signature header value: `t=<timestamp>,v1=<hex HMAC-SHA256 of b"<timestamp>." + body>`.

    Signing the timestamp with the body is what makes it trustworthy: a receiver that
    refuses old timestamps cannot be fed a delivery captured earlier (replay).
    """
    return f"t={int(timestamp)},v1={_digest(secret, body, int(timestamp))}"


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: parse `t` and `v1`, refuse a timestamp more than `tolerance`
    seconds away from now, recompute the HMAC and compare in constant time."""
    fields: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = _digest(secret, body, timestamp)
    # Any v1 may match: a sender may one day sign with two secrets while one is rotated out.
    return any(hmac.compare_digest(expected, candidate) for candidate in fields.get("v1", []))


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


def may_read_reply_bodies(user: Any) -> bool:
    """Channel managers and superusers read the start of a receiver's reply; partner users see only its
    status code and timing (a reply body carries whatever the receiving service chose to say)."""
    return bool(getattr(user, "is_superuser", False) or getattr(user, "is_channel_manager", False))


def _url_error(url: str) -> str:
    """Why a webhook URL cannot be registered ('' when it can): scheme, length, port, then its addresses."""
    try:
        parsed = urllib.parse.urlsplit(url)
        parsed.port  # noqa: B018 - a port out of range raises here
    except ValueError:
        return "Enter a valid URL, e.g. https://erp.example.com/prm-hook."
    allowed = ("https", "http") if settings.PRM_WEBHOOK_ALLOW_HTTP else ("https",)
    if parsed.scheme not in allowed or not parsed.hostname:
        return f"Enter a full {' or '.join(allowed)} URL, e.g. https://erp.example.com/prm-hook."
    if len(url) > 500:
        return "The URL is too long (500 characters at most)."
    if parsed.username or parsed.password:
        return "Leave credentials out of the URL; deliveries are authenticated by their signature."
    if settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return ""  # every address is allowed: nothing to check (deliveries look the name up when sending)
    try:
        resolve_target(url, allow_private=False)
    except RefusedAddressError as exc:
        return f"This URL cannot receive webhooks: {exc}."
    return ""


def _clean_endpoint(*, url: str, events: Any, description: str) -> dict:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    url_error = _url_error(url)
    if url_error:
        errors["url"] = [url_error]
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


def may_change_endpoint(*, endpoint: WebhookEndpoint, user: Any) -> bool:
    """Whether `user` may change this endpoint (`WebhookEndpoint.objects.editable_by`: the side that registered it)."""
    return may_manage_webhooks(user) and WebhookEndpoint.objects.editable_by(user).filter(pk=endpoint.pk).exists()


def require_endpoint_change(*, endpoint: WebhookEndpoint, user: Any) -> None:
    """Refuse, saying who manages the endpoint, unless `user` may change it."""
    if not may_manage_webhooks(user):
        raise ActionNotPermittedError("Only channel managers and partner admins change webhooks.")
    if may_change_endpoint(endpoint=endpoint, user=user):
        return
    if endpoint.owner.partner_id is None:
        raise ActionNotPermittedError(
            "This endpoint was registered by the channel team; only the channel team can change it."
        )
    raise ActionNotPermittedError(
        "This endpoint was registered by the partner; only the partner's admins can change it."
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
    require_endpoint_change(endpoint=endpoint, user=user)
    fields = _clean_endpoint(url=url, events=events, description=description)
    for name, value in fields.items():
        setattr(endpoint, name, value)
    endpoint.is_active = is_active
    endpoint.save()
    return endpoint


def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, user: Any) -> WebhookEndpoint:
    require_endpoint_change(endpoint=endpoint, user=user)
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, user: Any) -> None:
    """Delete the endpoint and its delivery log."""
    require_endpoint_change(endpoint=endpoint, user=user)
    endpoint.delete()


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

    Returns "delivered", "failed" (that was the last of PRM_WEBHOOK_MAX_ATTEMPTS attempts), "refused" (the
    host resolves to an address deliveries may not reach), "endpoint inactive", or "skipped" (gone, finished,
    or being sent by another worker right now: the row is locked during the attempt, so a duplicate message
    never sends it twice at once). Raises WebhookAttemptFailedError when the attempt failed and another is due.
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
        if delivery.status == WebhookDelivery.Status.FAILED:  # a refused address: final, see webhook_attempt
            return "refused"
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
    require_endpoint_change(endpoint=delivery.endpoint, user=user)
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


def webhook_attempt(delivery: WebhookDelivery) -> bool:
    """POST the delivery once and record the outcome on the row; True on a 2xx answer.

    A URL whose host resolves to a non-public address is not called: the delivery
    fails at once with the reason (retrying would not make the address public).
    """
    endpoint = delivery.endpoint
    body = delivery.payload.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "prm-webhooks/1.0",
        "X-PRM-Event": delivery.event_type,
        "X-PRM-Delivery": str(delivery.uuid),
        "X-PRM-Timestamp": str(timestamp),
        SIGNATURE_HEADER: sign(endpoint.secret, body, timestamp),
    }
    code: int | None = None
    excerpt = error = ""
    refused = False
    started = time.monotonic()
    try:
        target = resolve_target(endpoint.url, allow_private=settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES)
    except RefusedAddressError as exc:
        error = f"Not sent: {exc}."
        # A name that does not resolve may resolve later; a non-public address is refused for good.
        refused = not isinstance(exc, UnresolvedHostError)
    else:
        try:
            answer = post_to_checked_address(
                target,
                body,
                headers,
                timeout=settings.PRM_WEBHOOK_TIMEOUT_SECONDS,
                excerpt_bytes=RESPONSE_EXCERPT,
            )
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            code, excerpt = answer.status, answer.excerpt
            if not 200 <= code < 300:
                error = f"HTTP {code} {answer.reason}".strip()
    ok = code is not None and 200 <= code < 300
    if ok:
        status = WebhookDelivery.Status.SUCCEEDED
    elif refused:
        status = WebhookDelivery.Status.FAILED
    else:
        status = WebhookDelivery.Status.RETRYING
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1,
        response_code=code,
        response_body=excerpt,
        last_error="" if ok else error or f"HTTP {code}",
        duration_ms=int((time.monotonic() - started) * 1000),
        last_attempt_at=now,
        delivered_at=now if ok else None,
        status=status,
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
