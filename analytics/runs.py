"""Job runs and the engine's steps that run outside a recompute's chords.

Tasks and services both call these; nothing here queues a task (services.py does), so the
tasks import this module without an import cycle.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError
from partners.models import Partner

from .compute import partner_results
from .conf import chunk_size, health_tasks, history_months
from .models import Dimension, JobRun, KpiSnapshot, PartnerHealthScore
from .periods import Window
from .scoring import refresh_partner_health, rescore_all
from .writers import insert_frame


@transaction.atomic
def run_create(
    *,
    kind: str = JobRun.Kind.FULL_RECOMPUTE,
    user: Any = None,
    now: datetime | None = None,
    chunk_partners: int | None = None,
    chunk_pause_seconds: float = 0.0,
) -> JobRun:
    """Record a recompute to run (full: every month of the history; current_period: this year's months and
    health now); `services.recompute_start` queues it.

    Only channel managers (or the system, user=None) may start one. `JobRun` tracks its progress.
    `chunk_pause_seconds` makes every chunk wait before working — a fault-injection aid for tests that stop
    a worker mid-chunk.
    """
    if kind not in (JobRun.Kind.FULL_RECOMPUTE, JobRun.Kind.CURRENT_PERIOD):
        raise ValueError(f"not a recompute kind: {kind!r}")
    if user is not None and not (user.is_superuser or getattr(user, "is_channel_manager", False)):
        raise ActionNotPermittedError("Only the channel team can start a recompute.")
    now = now or timezone.now()
    return JobRun.objects.create(
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


def run_fail(run_id: int, error: str) -> None:
    """Mark a run failed (unless it already succeeded); the previous figures stay in place."""
    JobRun.objects.filter(pk=run_id).exclude(status=JobRun.Status.SUCCEEDED).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


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


def health_rescore() -> JobRun:
    """Recompute every stored health score with the weights now in force (after a weight change)."""
    run = JobRun.objects.create(kind=JobRun.Kind.RESCORE, status=JobRun.Status.RUNNING, started_at=timezone.now())
    try:
        count = rescore_all()
    except Exception as error:
        run_fail(run.pk, str(error))
        raise
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.params = {"scores": count}
    run.save(update_fields=["status", "finished_at", "params"])
    return run
