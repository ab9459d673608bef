"""Permissions of the integration endpoints."""

from rest_framework.permissions import BasePermission


class IsManagerOrPartnerAdmin(BasePermission):
    """Webhook endpoints are set up by channel managers and partner admins."""

    message = "Only channel managers and partner admins manage webhooks."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.is_superuser or user.is_channel_manager or user.is_partner_admin)
        )
