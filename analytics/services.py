"""Analytics services: start recompute jobs, schedule one partner's refresh, rescore after new weights.

Pages, the API, the admin and management commands call these; each queues Celery tasks after the
caller's transaction commits. The work itself is in `runs.py` and the compute modules, which the
tasks call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction

from core.events import Event
from core.tasks import enqueue_on_commit, task_named

from .conf import debounce_seconds
from .definitions import BAND_EVENT
from .models import HealthWeights, JobRun


def recompute_start(
    *,
    kind: str = JobRun.Kind.FULL_RECOMPUTE,
    user: Any = None,
    now: datetime | None = None,
) -> JobRun:
    """Queue a recompute; it runs as parallel chunks on the analytics queue once the caller commits.

    See `runs.run_create` for who may start one and what is recorded.
    """
    from . import runs  # the compute modules (pandas) load with the first run, not with every start-up

    with transaction.atomic():
        run = runs.run_create(kind=kind, user=user, now=now)
        enqueue_on_commit("analytics.tasks.launch_run", run.pk)
    return run


def partner_refresh_schedule(*, partner_id: int) -> bool:
    """Queue one refresh of a partner for a burst of changes (debounced).

    The first change opens a window of `debounce_seconds`; later changes inside it are covered by the refresh
    already queued, which runs once the window has closed so that it reads all of them. Returns whether a
    refresh was queued.
    """
    delay = debounce_seconds()
    if not cache.add(f"analytics:refresh-partner:{partner_id}", 1, timeout=delay):
        return False
    # Called after commit (an event subscriber), so it queues at once.
    task_named("analytics.tasks.refresh_partner").apply_async((partner_id,), countdown=delay + 1)
    return True


def on_event(event: Event) -> None:
    """core.events subscriber: any change to a partner's data schedules that partner's refresh
    (not the engine's own announcement of a new health band, which changes no data)."""
    if event.name == BAND_EVENT:
        return
    if event.partner_id:
        partner_refresh_schedule(partner_id=event.partner_id)


@transaction.atomic
def health_weights_save(*, weights: dict[str, float], user: Any = None) -> HealthWeights:
    """Put new health weights in force (validated as the admin form does) and rescore after commit."""
    row = HealthWeights(**weights, updated_by=user if user is not None and user.is_authenticated else None)
    row.full_clean()
    row.save()
    health_weights_changed()
    return row


def health_weights_changed() -> JobRun:
    """New health weights were saved: record a rescore of every stored health score, queued once the change
    commits."""
    from . import runs

    run = runs.health_rescore_create()
    enqueue_on_commit("analytics.tasks.rescore_health", run.pk)
    return run
