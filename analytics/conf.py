"""The analytics engine's settings, read in one place (each has a default, so none is required)."""

from __future__ import annotations

from django.conf import settings


def history_months() -> int:
    return int(getattr(settings, "PRM_ANALYTICS_HISTORY_MONTHS", 24))


def chunk_size() -> int:
    return max(1, int(getattr(settings, "PRM_ANALYTICS_CHUNK_SIZE", 1000)))


def health_tasks() -> int:
    """How many parallel tasks score health (each takes a share of the as-of dates)."""
    return max(1, int(getattr(settings, "PRM_ANALYTICS_HEALTH_TASKS", 4)))


def debounce_seconds() -> int:
    return max(1, int(getattr(settings, "PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS", 10)))
