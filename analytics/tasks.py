"""Celery tasks of the analytics queue (CELERY_TASK_ROUTES sends analytics.* there).

Every task takes ids, calls the compute steps or services, and is safe to run
twice: `acks_late` + `reject_on_worker_lost` mean a worker killed mid-chunk leaves
the message to be redelivered, and each step replaces its own rows in one
transaction. A full recompute is a chord: group(medians, product lines, partner
chunks) → finish_run.
"""

from __future__ import annotations

import logging
import time

from celery import chord, shared_task
from django.db import OperationalError, transaction
from django.utils import timezone

from partners.models import Partner

from . import compute, services
from .models import JobRun
from .scoring import finish_health

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


def _fail(run_id: int, error: str) -> None:
    JobRun.objects.filter(pk=run_id).exclude(status=JobRun.Status.SUCCEEDED).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


def _line_groups(parts: int) -> list[list[int]]:
    from catalog.models import ProductLine

    ids = list(ProductLine.objects.order_by("pk").values_list("pk", flat=True))
    parts = max(1, min(parts, len(ids)))
    return [ids[i::parts] for i in range(parts)] if ids else []


@shared_task(name="analytics.tasks.launch_run", soft_time_limit=120, time_limit=180, **RELIABLE)
def launch_run(run_id: int) -> int:
    """Split a queued run into chunks and start the chord; a redelivered message does not start it twice."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id, status=JobRun.Status.QUEUED).first()
        if run is None:
            return 0
        size = int(run.params.get("chunk_partners") or services.chunk_size())
        ids = list(Partner.objects.order_by("pk").values_list("pk", flat=True))
        chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        lines = _line_groups(int(run.params.get("line_tasks", 2)))
        header = [compute_medians.si(run.pk, 0)]
        header += [compute_product_lines.si(run.pk, 1 + i, group) for i, group in enumerate(lines)]
        offset = len(header)
        header += [compute_chunk.si(run.pk, offset + i, chunk) for i, chunk in enumerate(chunks)]
        run.status = JobRun.Status.RUNNING
        run.started_at = timezone.now()
        run.chunks_total = len(header)
        run.save(update_fields=["status", "started_at", "chunks_total"])
    callback = finish_run.s(run_id).on_error(fail_run.si(run_id))
    try:
        chord(header)(callback)
    except Exception as error:  # eager mode raises here; a worker reports through fail_run
        _fail(run_id, f"{type(error).__name__}: {error}")
        raise
    return len(header)


@shared_task(name="analytics.tasks.compute_chunk", **CHUNK_LIMITS, **RELIABLE)
def compute_chunk(run_id: int, index: int, partner_ids: list[int]) -> dict:
    """KPIs and health inputs of one chunk of partners."""
    run = JobRun.objects.get(pk=run_id)
    _pause(run)
    return compute.compute_partner_chunk(partner_ids=partner_ids, window=_window(run), run_id=run_id, index=index)


@shared_task(name="analytics.tasks.compute_product_lines", **CHUNK_LIMITS, **RELIABLE)
def compute_product_lines(run_id: int, index: int, line_ids: list[int]) -> dict:
    """The product-line breakdown of some product lines."""
    run = JobRun.objects.get(pk=run_id)
    _pause(run)
    return compute.compute_product_lines(line_ids=line_ids, window=_window(run), run_id=run_id, index=index)


@shared_task(name="analytics.tasks.compute_medians", **CHUNK_LIMITS, **RELIABLE)
def compute_medians(run_id: int, index: int) -> dict:
    """Median decision times of the ecosystem and of each tier, type and region."""
    run = JobRun.objects.get(pk=run_id)
    return compute.compute_group_medians(window=_window(run), run_id=run_id, index=index)


@shared_task(name="analytics.tasks.finish_run", soft_time_limit=25 * 60, time_limit=26 * 60, **RELIABLE)
def finish_run(results: list[dict], run_id: int) -> str:
    """Roll-up: ecosystem and breakdown rows from the chunks' totals, then every health score of the window."""
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return run.status
    window = _window(run)
    try:
        compute.write_group_rows(compute.group_rows(results, window), window)
        lines = [r for r in results if r.get("kind") == "product_lines"]
        covered = [sum(values) for values in zip(*(r["covered"] for r in lines), strict=True)] if lines else []
        finish_health(run_id=run_id, window=window, covered=covered, lines_total=sum(r["lines"] for r in lines))
    except Exception as error:
        _fail(run_id, f"{type(error).__name__}: {error}")
        raise
    JobRun.objects.filter(pk=run_id).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), chunks_done=run.chunks_total
    )
    return JobRun.Status.SUCCEEDED


@shared_task(name="analytics.tasks.fail_run", acks_late=True)
def fail_run(run_id: int) -> None:
    """Errback of a run's chord: a chunk failed for good, so the run failed."""
    _fail(run_id, "A chunk of the recompute failed; see the worker log. The previous figures are unchanged.")


@shared_task(name="analytics.tasks.full_recompute", soft_time_limit=120, time_limit=180, **RELIABLE)
def full_recompute() -> int:
    """Nightly (beat): every partner, every month of the history, and health at each month start and now."""
    return services.recompute_start(kind=JobRun.Kind.FULL_RECOMPUTE).pk


@shared_task(name="analytics.tasks.refresh_current_period", soft_time_limit=120, time_limit=180, **RELIABLE)
def refresh_current_period() -> int:
    """Hourly (beat): this year's months, quarters and year for everyone, ecosystem rows and health as of now."""
    return services.recompute_start(kind=JobRun.Kind.CURRENT_PERIOD).pk


@shared_task(name="analytics.tasks.refresh_partner", soft_time_limit=120, time_limit=180, **RELIABLE)
def refresh_partner(partner_id: int) -> float | None:
    """One partner after its data changed (queued by the debounced event subscriber)."""
    score = services.partner_refresh(partner_id=partner_id)
    return score.score if score is not None else None


@shared_task(name="analytics.tasks.rescore_health", soft_time_limit=10 * 60, time_limit=11 * 60, **RELIABLE)
def rescore_health() -> int:
    """Every stored health score again with the current weights (queued when the weights are saved)."""
    return services.health_rescore().pk
