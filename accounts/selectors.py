"""Reading users for partner-admin user management."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import User


def partner_user_list(*, admin: User) -> QuerySet[User]:
    """The users of the admin's own partner; a partner admin manages nobody else."""
    if not (admin.is_active and admin.is_partner_admin):
        return User.objects.none()
    users = User.objects.filter(partner_id=admin.partner_id)
    return users.order_by("-is_active", "last_name", "first_name", "username")
