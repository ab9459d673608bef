"""Analytics services: start recompute jobs, refresh one partner, rescore health.

Pages, the API, the admin, beat and management commands all call these; the
Celery tasks in `tasks.py` are thin wrappers around them and `compute.py`.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from core.events import Event
from core.exceptions import ActionNotPermittedError
from partners.models import Partner

from .compute import partner_results
from .models import Dimension, JobRun, KpiSnapshot, PartnerHealthScore
from .periods import Window
from .scoring import BAND_EVENT, refresh_partner_health, rescore_all
from .writers import insert_frame

logger = logging.getLogger(__name__)


def history_months() -> int:
    return int(getattr(settings, "PRM_ANALYTICS_HISTORY_MONTHS", 24))


def chunk_size() -> int:
    return max(1, int(getattr(settings, "PRM_ANALYTICS_CHUNK_SIZE", 1000)))


def health_tasks() -> int:
    """How many parallel tasks score health (each takes a share of the as-of dates)."""
    return max(1, int(getattr(settings, "PRM_ANALYTICS_HEALTH_TASKS", 4)))


def debounce_seconds() -> int:
    return max(1, int(getattr(settings, "PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS", 10)))


@transaction.atomic
def recompute_start(
    *,
    kind: str = JobRun.Kind.FULL_RECOMPUTE,
    user: Any = None,
    now: datetime | None = None,
    chunk_partners: int | None = None,
    chunk_pause_seconds: float = 0.0,
) -> JobRun:
    """Queue a recompute (full: every month of the history; current_period: this year's months and health now).

    Only channel managers (or the system, user=None) may start one. The job is queued after commit and runs as
    parallel chunks on the analytics queue; `JobRun` tracks its progress. `chunk_pause_seconds` makes every
    chunk wait before working — a fault-injection aid for tests that stop a worker mid-chunk.
    """
    if kind not in (JobRun.Kind.FULL_RECOMPUTE, JobRun.Kind.CURRENT_PERIOD):
        raise ValueError(f"not a recompute kind: {kind!r}")
    if user is not None and not (user.is_superuser or getattr(user, "is_channel_manager", False)):
        raise ActionNotPermittedError("Only the channel team can start a recompute.")
    now = now or timezone.now()
    run = JobRun.objects.create(
        kind=kind,
        requested_by=user if user is not None and user.is_authenticated else None,
        params={
            "now": now.isoformat(),
            "history_months": history_months(),
            "chunk_partners": chunk_partners or chunk_size(),
            "health_tasks": health_tasks(),
            "chunk_pause_seconds": chunk_pause_seconds,
        },
    )
    from .tasks import launch_run

    transaction.on_commit(lambda: launch_run.delay(run.pk))
    return run


def partner_refresh(*, partner_id: int, now: datetime | None = None) -> PartnerHealthScore | None:
    """Recompute one partner's KPIs for every month, quarter and year of the history and its health as of now.

    Rule: the same formulas as the full recompute over that partner's rows; the health percentile is taken
    against its peers' current inputs. Ecosystem figures and peers' scores follow on the next hourly refresh.
    Returns the partner's current health score (None if it is not active).
    """
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        return None
    window = Window.today(now or timezone.now(), history_months())
    rows, inputs, *_ = partner_results([partner.pk], window)
    with transaction.atomic():
        stale = KpiSnapshot.objects.filter(dimension=Dimension.PARTNER, partner=partner)
        stale.filter(period_start__gte=window.months.starts[0]).delete()
        insert_frame(KpiSnapshot, rows)
        return refresh_partner_health(partner=partner, inputs=inputs, window=window)


def partner_refresh_schedule(*, partner_id: int) -> bool:
    """Queue one refresh of a partner for a burst of changes (debounced).

    The first change opens a window of `debounce_seconds`; later changes inside it are covered by the refresh
    already queued, which runs once the window has closed so that it reads all of them. Returns whether a
    refresh was queued.
    """
    delay = debounce_seconds()
    if not cache.add(f"analytics:refresh-partner:{partner_id}", 1, timeout=delay):
        return False
    from .tasks import refresh_partner

    refresh_partner.apply_async((partner_id,), countdown=delay + 1)
    return True


def on_event(event: Event) -> None:
    """core.events subscriber: any change to a partner's data schedules that partner's refresh
    (not the engine's own announcement of a new health band, which changes no data)."""
    if event.name == BAND_EVENT:
        return
    if event.partner_id and getattr(settings, "PRM_ANALYTICS_REFRESH_ON_EVENTS", True):
        partner_refresh_schedule(partner_id=event.partner_id)


def health_rescore() -> JobRun:
    """Recompute every stored health score with the weights now in force (after a weight change)."""
    run = JobRun.objects.create(kind=JobRun.Kind.RESCORE, status=JobRun.Status.RUNNING, started_at=timezone.now())
    try:
        count = rescore_all()
    except Exception as error:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.params = {"scores": count}
    run.save(update_fields=["status", "finished_at", "params"])
    return run
