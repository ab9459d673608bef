"""Users and their roles."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    CHANNEL_MANAGER = "channel_manager", "Channel manager"
    PARTNER_ADMIN = "partner_admin", "Partner admin"
    PARTNER_USER = "partner_user", "Partner user"


class User(AbstractUser):
    """A person who logs in.

    Channel managers are staff of the vendor and may be limited to regions;
    partner admins and users belong to exactly one partner. The database
    refuses a partner role without a partner and a manager tied to a partner.
    """

    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    partner = models.ForeignKey(
        "partners.Partner", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    regions = models.ManyToManyField(
        "partners.Region",
        blank=True,
        related_name="managers",
        help_text="Regions a channel manager is limited to; none means every region.",
    )
    title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_partner_roles_have_partner",
                condition=~Q(role__in=["partner_admin", "partner_user"]) | Q(partner__isnull=False),
            ),
            models.CheckConstraint(
                name="user_manager_has_no_partner",
                condition=~Q(role="channel_manager") | Q(partner__isnull=True),
            ),
        ]

    @property
    def is_channel_manager(self) -> bool:
        return self.role == Role.CHANNEL_MANAGER or (self.is_superuser and not self.partner_id)

    @property
    def is_partner_member(self) -> bool:
        return self.role in (Role.PARTNER_ADMIN, Role.PARTNER_USER) and self.partner_id is not None

    @property
    def is_partner_admin(self) -> bool:
        return self.role == Role.PARTNER_ADMIN and self.partner_id is not None

    @cached_property
    def region_ids(self) -> list[int]:
        """Regions a manager is limited to (cached per request: the rule reads it often)."""
        if not self.pk:
            return []
        return list(self.regions.values_list("pk", flat=True))

    def know_region_ids(self, region_ids: list[int]) -> None:
        """Fill `region_ids` from a query that has already read them, so that it needs none of its own."""
        self.__dict__["region_ids"] = list(region_ids)
