"""`manage.py check --deploy`: the webhook development switches must be off in production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def webhook_switches_off(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when plain-http or private-address webhook URLs are allowed outside DEBUG."""
    if settings.DEBUG:
        return []
    found = []
    if settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        found.append(
            checks.Warning(
                "PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on: webhook URLs may reach loopback and internal addresses.",
                hint="Unset it in production; it exists for receivers on a development machine.",
                id="integrations.W001",
            )
        )
    if settings.PRM_WEBHOOK_ALLOW_HTTP:
        found.append(
            checks.Warning(
                "PRM_WEBHOOK_ALLOW_HTTP is on: webhook deliveries may travel unencrypted.",
                hint="Unset it in production; it exists for receivers on a development machine.",
                id="integrations.W002",
            )
        )
    return found
