"""API permissions shared by every endpoint."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


class TokenScopePermission(BasePermission):
    """A read-only token may only read: any unsafe method answers 403."""

    message = "This API token is read-only; create a read-write token to make changes."
    code = "read_only_token"

    def has_permission(self, request, view) -> bool:
        # Any credential object that says it is read-only (API tokens do) limits the request to reads.
        if getattr(request.auth, "read_only", False):
            return request.method in SAFE_METHODS
        return True
