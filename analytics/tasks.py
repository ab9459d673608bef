"""Celery tasks of the analytics queue (CELERY_TASK_ROUTES sends analytics.* there).

Every task takes ids, calls the compute steps or services, and is safe to run
twice: `acks_late` + `reject_on_worker_lost` mean a worker killed mid-chunk leaves
the message to be redelivered, and each step replaces its own rows in one
transaction. A full recompute is two chords: group(ecosystem medians and
product lines, partner chunks) → finish_kpis (ecosystem roll-up), then group(health scores by
as-of points) → finish_run (ecosystem health).
"""

from __future__ import annotations

import logging
import time

from celery import chord, shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from partners.models import Partner

from . import compute, rollup, runs, scoring
from .conf import chunk_size, health_tasks
from .models import JobRun

logger = logging.getLogger(__name__)

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
}
CHUNK_LIMITS = {"soft_time_limit": 15 * 60, "time_limit": 16 * 60}


def _window(run: JobRun):
    return compute.window_from(run.kind, run.params["now"], int(run.params.get("history_months", 24)))


def _pause(run: JobRun) -> None:
    seconds = float(run.params.get("chunk_pause_seconds") or 0)
    if seconds:
        time.sleep(seconds)


def split_partners(ids: list[int], size: int) -> list[list[int]]:
    """About `size` partners per chunk on average, the first chunks larger and the last ones smaller (3 : 1),
    so that the workers run out of work at about the same time instead of one waiting on a last big chunk."""
    count = max(1, -(-len(ids) // size))
    weights = [1.5 - i / max(1, count - 1) for i in range(count)] if count > 1 else [1.0]
    bounds = [round(len(ids) * sum(weights[:i]) / sum(weights)) for i in range(count + 1)]
    return [ids[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def health_parts(run: JobRun, window) -> list[list[int]]:
    """The as-of points split into groups scored in parallel (each group's scores are replaced at once)."""
    count = max(1, min(int(run.params.get("health_tasks") or health_tasks()), len(window.points_s)))
    return [list(range(len(window.points_s)))[i::count] for i in range(count)]


@shared_task(name="analytics.tasks.launch_run", soft_time_limit=120, time_limit=180, **RELIABLE)
def launch_run(run_id: int) -> int:
    """Split a queued run into chunks and start the chord; a redelivered message does not start it twice."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id, status=JobRun.Status.QUEUED).first()
        if run is None:
            return 0
        size = int(run.params.get("chunk_partners") or chunk_size())
        ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
        chunks = split_partners(ids, size)
        # The one long single step first, so that the chunks fill in around it.
        header = [compute_ecosystem.si(run.pk, 0)]
        header += [compute_chunk.si(run.pk, 1 + i, chunk) for i, chunk in enumerate(chunks)]
        run.status = JobRun.Status.RUNNING
        run.started_at = timezone.now()
        run.chunks_total = len(header) + len(health_parts(run, _window(run)))
        run.save(update_fields=["status", "started_at", "chunks_total"])
    callback = finish_kpis.s(run_id).on_error(fail_run.si(run_id))
    try:
        chord(header)(callback)
    except Exception as error:  # eager mode raises here; a worker reports through fail_run
        runs.run_fail(run_id, f"{type(error).__name__}: {error}")
        raise
    return len(header)


@shared_task(name="analytics.tasks.compute_chunk", **CHUNK_LIMITS, **RELIABLE)
def compute_chunk(run_id: int, index: int, partner_ids: list[int]) -> dict:
    """KPIs and health inputs of one chunk of partners."""
    run = JobRun.objects.get(pk=run_id)
    _pause(run)
    return compute.compute_partner_chunk(partner_ids=partner_ids, window=_window(run), run_id=run_id, index=index)


@shared_task(name="analytics.tasks.compute_ecosystem", **CHUNK_LIMITS, **RELIABLE)
def compute_ecosystem(run_id: int, index: int) -> dict:
    """Group medians and per-product-line deal figures (they need every registration at once)."""
    run = JobRun.objects.get(pk=run_id)
    _pause(run)
    return compute.compute_ecosystem(window=_window(run), run_id=run_id, index=index)


@shared_task(name="analytics.tasks.finish_kpis", **CHUNK_LIMITS, **RELIABLE)
def finish_kpis(results: list[dict], run_id: int) -> int:
    """Roll-up: ecosystem and breakdown rows from the chunks' totals (one transaction), then score health."""
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return 0
    window = _window(run)
    try:
        rollup.write_group_rows(rollup.group_rows(results, window), rollup.failure_code_rows(results, window), window)
        covered, lines_total = rollup.coverage(results)
        parts = [
            score_health_part.si(run_id, len(results) + i, points) for i, points in enumerate(health_parts(run, window))
        ]
        chord(parts)(finish_run.s(run_id, covered, lines_total).on_error(fail_run.si(run_id)))
    except Exception as error:
        runs.run_fail(run_id, f"{type(error).__name__}: {error}")
        raise
    return len(parts)


@shared_task(name="analytics.tasks.score_health_part", **CHUNK_LIMITS, **RELIABLE)
def score_health_part(run_id: int, index: int, points: list[int]) -> dict:
    """Health scores of every active partner at some of the run's as-of points."""
    run = JobRun.objects.get(pk=run_id)
    return scoring.score_points(run_id=run_id, window=_window(run), points=points, index=index)


@shared_task(name="analytics.tasks.finish_run", soft_time_limit=10 * 60, time_limit=11 * 60, **RELIABLE)
def finish_run(summaries: list[dict], run_id: int, covered: list[int], lines_total: int) -> str:
    """Ecosystem health of every point, then the run is done."""
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return run.status
    try:
        scoring.finish_ecosystem_health(
            run_id=run_id, window=_window(run), summaries=summaries, covered=covered, lines_total=lines_total
        )
    except Exception as error:
        runs.run_fail(run_id, f"{type(error).__name__}: {error}")
        raise
    JobRun.objects.filter(pk=run_id).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), chunks_done=run.chunks_total
    )
    return JobRun.Status.SUCCEEDED


@shared_task(name="analytics.tasks.fail_run", acks_late=True)
def fail_run(run_id: int) -> None:
    """Errback of a run's chord: a chunk failed for good, so the run failed."""
    runs.run_fail(run_id, "A chunk of the recompute failed; see the worker log. The previous figures are unchanged.")


def _start(kind: str) -> int:
    """A scheduled run: record it, then launch it once that is committed."""
    with transaction.atomic():
        run = runs.run_create(kind=kind)
        transaction.on_commit(lambda: launch_run.delay(run.pk))
    return run.pk


@shared_task(name="analytics.tasks.full_recompute", soft_time_limit=120, time_limit=180, **RELIABLE)
def full_recompute() -> int:
    """Nightly (beat): every partner, every month of the history, and health at each month start and now."""
    return _start(JobRun.Kind.FULL_RECOMPUTE)


@shared_task(name="analytics.tasks.refresh_current_period", soft_time_limit=120, time_limit=180, **RELIABLE)
def refresh_current_period() -> int:
    """Hourly (beat): this year's months, quarters and year for everyone, ecosystem rows and health as of now."""
    return _start(JobRun.Kind.CURRENT_PERIOD)


@shared_task(name="analytics.tasks.refresh_partner", soft_time_limit=120, time_limit=180, **RELIABLE)
def refresh_partner(partner_id: int) -> float | None:
    """One partner after its data changed (queued by the debounced event subscriber)."""
    score = runs.partner_refresh(partner_id=partner_id)
    return score.score if score is not None else None


@shared_task(name="analytics.tasks.rescore_health", soft_time_limit=10 * 60, time_limit=11 * 60, **RELIABLE)
def rescore_health() -> int:
    """Every stored health score again with the current weights (queued when the weights are saved)."""
    return runs.health_rescore().pk
