"""Personal API tokens: create, revoke, and check a presented token.

A token is `prm_<prefix>_<secret>`: 8 hex characters of public prefix (shown
in lists, used to find the row) and 43 characters of random secret. Only the
SHA-256 digest of the whole token is stored. A plain (fast) digest is enough
because the secret carries 256 bits of randomness: there is nothing to
guess, unlike a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from core.exceptions import ActionNotPermittedError

from .models import ApiToken

TOKEN_PREFIX = "prm_"  # noqa: S105 (a public marker, not a secret)
# last_used_at is written at most this often per token, so a busy integration costs no write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKENS_PER_USER = 50
PREFIX_LENGTH = 8


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """The saved row and the token text, which exists only here: it is never stored or shown again."""

    token: ApiToken
    plaintext: str


def may_use_api(user: Any) -> bool:
    """Only people with a role (a channel manager or a partner member) get API tokens."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.is_channel_manager or user.is_partner_member)
    )


@transaction.atomic
def api_token_create(*, user: Any, name: str, read_only: bool = False, expires_at: datetime | None = None) -> NewToken:
    """Create a token for `user`; the returned plaintext must be shown to them once."""
    if not may_use_api(user):
        raise ActionNotPermittedError("Only channel managers and partner users may create API tokens.")
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Name the token after what will use it, e.g. 'ERP sync'."]
    elif len(name) > 100:
        errors["name"] = ["The name is too long (100 characters at most)."]
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = ["The expiry must be in the future."]
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        errors["name"] = [f"You already have {MAX_TOKENS_PER_USER} tokens; revoke unused ones first."]
    if errors:
        raise ValidationError(errors)
    for _ in range(5):
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    user=user,
                    name=name,
                    prefix=prefix,
                    token_hash=token_digest(plaintext),
                    read_only=read_only,
                    expires_at=expires_at,
                )
            return NewToken(token=token, plaintext=plaintext)
        except IntegrityError:  # prefix collision: 1 in 4 billion, draw again
            continue
    raise RuntimeError("could not draw a unique token prefix")


def api_token_revoke(*, token: ApiToken, user: Any) -> ApiToken:
    """Revoke one of the user's own tokens; it stops working at once."""
    if token.user_id != getattr(user, "pk", None):
        raise ActionNotPermittedError("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


class TokenError(Exception):
    """The presented token cannot be used; the message says why (safe to show)."""


def parse_authorization(header: str) -> str | None:
    """The token from `Authorization: Bearer prm_…` (or `Token prm_…`); None when no such header."""
    parts = (header or "").split()
    if len(parts) == 0 or parts[0].lower() not in ("bearer", "token"):
        return None
    if len(parts) != 2:
        raise TokenError("Malformed Authorization header: expected 'Bearer <token>'.")
    return parts[1]


# Built once: every API request runs it. The prefix is unique. Whether the user is limited to regions
# comes in the same query: most tokens' users are not (partner users, managers of the whole ecosystem),
# and the visibility rule asks.
_TOKEN_LOOKUP = (
    ApiToken.objects.select_related("user")
    .annotate(user_has_regions=Exists(User.regions.through.objects.filter(user_id=OuterRef("user_id"))))
    .order_by()
)


def api_token_check(token_text: str) -> ApiToken:
    """Find the usable token for `token_text` (one query) and note its use at most once a minute."""
    if not token_text.startswith(TOKEN_PREFIX) or token_text.count("_") < 2:
        raise TokenError("Invalid token.")
    prefix = token_text[len(TOKEN_PREFIX) :].split("_", 1)[0]
    if len(prefix) != PREFIX_LENGTH or any(c not in "0123456789abcdef" for c in prefix):
        raise TokenError("Invalid token.")
    try:
        token = _TOKEN_LOOKUP.get(prefix=prefix)
    except ApiToken.DoesNotExist:
        token = None
    if token is None or not hmac.compare_digest(token.token_hash, token_digest(token_text)):
        raise TokenError("Invalid token.")
    if not token.user_has_regions:
        token.user.know_region_ids([])
    if token.revoked_at is not None:
        raise TokenError("This token was revoked.")
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenError(f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC.")
    if not token.user.is_active:
        raise TokenError("The user of this token is inactive.")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
