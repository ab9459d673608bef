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


def feedback_alpha() -> float:
    """The product feedback warning's threshold: flag when P(X ≥ observed) is below it (default 0.01)."""
    return float(getattr(settings, "PRM_FEEDBACK_ALPHA", 0.01))


def feedback_min_expected() -> float:
    """Claims a product must be expected to have in a month before it is tested (default 2): below it, one or two
    claims are noise, not a signal."""
    return float(getattr(settings, "PRM_FEEDBACK_MIN_EXPECTED", 2.0))
