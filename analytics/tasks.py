"""Celery tasks of the analytics queue (CELERY_TASK_ROUTES sends analytics.* there).

Every task takes ids and calls one step of `runs.py`, the compute modules or `services.py`; it is safe
to run twice: the task policy (`core.tasks.Task`: acks_late, reject_on_worker_lost) means a worker
killed mid-chunk leaves the message to be redelivered, and each step replaces its own rows in one
transaction. A task of a run that fails for good fails the run (`handlers.py`, on `task_failure`).
A full recompute is two chords: group(ecosystem medians and product lines, partner chunks, product feedback) →
finish_kpis (ecosystem roll-up), then group(health scores by as-of points) → finish_run (ecosystem health).
"""

from __future__ import annotations

from celery import chord, shared_task

from . import compute, runs, scoring, services
from .models import JobRun

CHUNK_LIMITS = {"soft_time_limit": 15 * 60, "time_limit": 16 * 60}
SHORT_LIMITS = {"soft_time_limit": 120, "time_limit": 180}
FINISH_LIMITS = {"soft_time_limit": 10 * 60, "time_limit": 11 * 60}


@shared_task(name="analytics.tasks.launch_run", **SHORT_LIMITS)
def launch_run(run_id: int) -> int:
    """Start a queued run as a chord of chunks; a redelivered message does not start it twice."""
    chunks = runs.run_begin(run_id=run_id)
    if chunks is None:
        return 0
    # The one long single step first, so that the chunks fill in around it.
    header = [compute_ecosystem.si(run_id, 0)]
    header += [compute_chunk.si(run_id, 1 + i, chunk) for i, chunk in enumerate(chunks)]
    header.append(compute_product_feedback.si(run_id, len(header)))
    chord(header)(finish_kpis.s(run_id))
    return len(header)


@shared_task(name="analytics.tasks.compute_chunk", **CHUNK_LIMITS)
def compute_chunk(run_id: int, index: int, partner_ids: list[int]) -> dict:
    """KPIs and health inputs of one chunk of partners."""
    window = runs.run_window(JobRun.objects.get(pk=run_id))
    return compute.compute_partner_chunk(partner_ids=partner_ids, window=window, run_id=run_id, index=index)


@shared_task(name="analytics.tasks.compute_ecosystem", **CHUNK_LIMITS)
def compute_ecosystem(run_id: int, index: int) -> dict:
    """Group medians and per-product-line deal figures (they need every registration at once)."""
    window = runs.run_window(JobRun.objects.get(pk=run_id))
    return compute.compute_ecosystem(window=window, run_id=run_id, index=index)


@shared_task(name="analytics.tasks.compute_product_feedback", **CHUNK_LIMITS)
def compute_product_feedback(run_id: int, index: int) -> dict:
    """Product feedback of the run's months: units, claims, losses per product, the claim warnings and alerts."""
    return runs.run_product_feedback(run_id=run_id, index=index)


@shared_task(name="analytics.tasks.finish_kpis", **CHUNK_LIMITS)
def finish_kpis(results: list[dict], run_id: int) -> int:
    """Roll-up: ecosystem and breakdown rows from the chunks' totals, then score health as a second chord."""
    rolled_up = runs.run_roll_up(run_id=run_id, results=results)
    if rolled_up is None:
        return 0
    parts, covered, lines_total = rolled_up
    header = [score_health_part.si(run_id, len(results) + i, points) for i, points in enumerate(parts)]
    chord(header)(finish_run.s(run_id, covered, lines_total))
    return len(header)


@shared_task(name="analytics.tasks.score_health_part", **CHUNK_LIMITS)
def score_health_part(run_id: int, index: int, points: list[int]) -> dict:
    """Health scores of every active partner at some of the run's as-of points."""
    window = runs.run_window(JobRun.objects.get(pk=run_id))
    return scoring.score_points(run_id=run_id, window=window, points=points, index=index)


@shared_task(name="analytics.tasks.finish_run", **FINISH_LIMITS)
def finish_run(summaries: list[dict], run_id: int, covered: list[int], lines_total: int) -> str:
    """Ecosystem health of every point, then the run is done."""
    return runs.run_finish(run_id=run_id, summaries=summaries, covered=covered, lines_total=lines_total)


@shared_task(name="analytics.tasks.full_recompute", **SHORT_LIMITS)
def full_recompute() -> int:
    """Nightly (beat): every partner, every month of the history, and health at each month start and now."""
    return services.recompute_start(kind=JobRun.Kind.FULL_RECOMPUTE).pk


@shared_task(name="analytics.tasks.refresh_current_period", **SHORT_LIMITS)
def refresh_current_period() -> int:
    """Hourly (beat): this year's months, quarters and year for everyone, ecosystem rows and health as of now."""
    return services.recompute_start(kind=JobRun.Kind.CURRENT_PERIOD).pk


@shared_task(name="analytics.tasks.refresh_partner", **SHORT_LIMITS)
def refresh_partner(partner_id: int) -> float | None:
    """One partner after its data changed (queued by the debounced event subscriber)."""
    score = runs.partner_refresh(partner_id=partner_id)
    return score.score if score is not None else None


@shared_task(name="analytics.tasks.rescore_health", **FINISH_LIMITS)
def rescore_health(run_id: int) -> int:
    """Every stored health score again with the current weights (queued when the weights are saved)."""
    return runs.health_rescore(run_id=run_id).pk
