"""API permissions shared by every endpoint."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken


class TokenScopePermission(BasePermission):
    """A read-only token may only read: any unsafe method answers 403."""

    message = "This API token is read-only; create a read-write token to make changes."
    code = "read_only_token"

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in SAFE_METHODS
        return True


class IsManagerOrPartnerAdmin(BasePermission):
    """Webhook endpoints are set up by channel managers and partner admins."""

    message = "Only channel managers and partner admins manage webhooks."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_superuser or user.is_channel_manager or user.is_partner_admin)
        )
