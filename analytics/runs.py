"""Job runs: their lifecycle (queued → running → succeeded | failed) and the steps around a recompute's chords.

Tasks and services both call these; nothing here queues a task (services.py and tasks.py do), so the
tasks import this module without an import cycle. A run fails through `run_fail`, which the
`task_failure` handler (handlers.py) calls for any task of the run that fails for good.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.exceptions import ActionNotPermittedError
from partners.models import Partner

from . import rollup, scoring
from .compute import mark_chunk_done, partner_results, window_from, write_quality
from .conf import chunk_size, health_tasks, history_months
from .feedback_store import product_feedback_refresh
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
) -> JobRun:
    """Record a recompute to run (full: every month of the history; current_period: this year's months and
    health now); `services.recompute_start` queues it.

    Only channel managers (or the system, user=None) may start one. `JobRun` tracks its progress; its
    params record the settings it runs with (history, partners per chunk, health tasks), so every
    worker splits and computes it alike.
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
            "chunk_partners": chunk_size(),
            "health_tasks": health_tasks(),
        },
    )


def run_window(run: JobRun) -> Window:
    """The window every task of a run shares (the same `now`, so all steps agree)."""
    return window_from(run.kind, run.params["now"], int(run.params.get("history_months", 24)))


def split_partners(ids: list[int], size: int) -> list[list[int]]:
    """About `size` partners per chunk on average, the first chunks larger and the last ones smaller (3 : 1),
    so that the workers run out of work at about the same time instead of one waiting on a last big chunk."""
    count = max(1, -(-len(ids) // size))
    weights = [1.5 - i / max(1, count - 1) for i in range(count)] if count > 1 else [1.0]
    bounds = [round(len(ids) * sum(weights[:i]) / sum(weights)) for i in range(count + 1)]
    return [ids[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def health_parts(run: JobRun, window: Window) -> list[list[int]]:
    """The as-of points split into groups scored in parallel (each group's scores are replaced at once)."""
    count = max(1, min(int(run.params.get("health_tasks") or health_tasks()), len(window.points_s)))
    return [list(range(len(window.points_s)))[i::count] for i in range(count)]


@transaction.atomic
def run_begin(*, run_id: int) -> list[list[int]] | None:
    """Start a queued run: split the partners into chunks and count the steps; None if it is not queued.

    The run is locked while it moves to running, so a redelivered launch message does not start it twice.
    Its steps are the ecosystem figures, one per chunk, the product feedback, then one per group of health points.
    """
    run = JobRun.objects.select_for_update().filter(pk=run_id, status=JobRun.Status.QUEUED).first()
    if run is None:
        return None
    size = int(run.params.get("chunk_partners") or chunk_size())
    chunks = split_partners(list(Partner.objects.order_by("pk").values_list("pk", flat=True)), size)
    run.status = JobRun.Status.RUNNING
    run.started_at = timezone.now()
    run.chunks_total = 2 + len(chunks) + len(health_parts(run, run_window(run)))
    run.save(update_fields=["status", "started_at", "chunks_total"])
    return chunks


def run_product_feedback(*, run_id: int, index: int) -> dict:
    """The run's product feedback step (`feedback_store.product_feedback_refresh`), counted once as done."""
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return {"kind": "product_feedback"}
    result = product_feedback_refresh(window=run_window(run))
    with transaction.atomic():
        mark_chunk_done(run_id, index)
    return result


def run_roll_up(*, run_id: int, results: list[dict]) -> tuple[list[list[int]], list[int], int] | None:
    """After the chunks: the ecosystem and breakdown rows from their totals (one transaction).

    Returns the groups of health points to score next, the covered product lines and their total;
    None when the run has already succeeded (a redelivered message).
    """
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return None
    window = run_window(run)
    rollup.write_group_rows(
        rollup.group_rows(results, window),
        rollup.failure_code_rows(results, window),
        window,
        rollup.line_revenue_rows(results, window),
        unconverted=rollup.unconverted_rows(results, window, run_id),
        sellout=rollup.sellout_group_rows(results, window),
    )
    covered, lines_total = rollup.coverage(results)
    return health_parts(run, window), covered, lines_total


def run_finish(*, run_id: int, summaries: list[dict], covered: list[int], lines_total: int) -> str:
    """Ecosystem health of every point, then the run is done."""
    run = JobRun.objects.get(pk=run_id)
    if run.status == JobRun.Status.SUCCEEDED:
        return run.status
    scoring.finish_ecosystem_health(
        run_id=run_id, window=run_window(run), summaries=summaries, covered=covered, lines_total=lines_total
    )
    JobRun.objects.filter(pk=run_id).update(
        status=JobRun.Status.SUCCEEDED, finished_at=timezone.now(), chunks_done=run.chunks_total
    )
    return JobRun.Status.SUCCEEDED


def run_fail(run_id: int, error: str) -> None:
    """Mark a run failed (unless it already succeeded or failed); the previous figures stay in place.

    The first error is kept: when a chunk fails, the steps waiting on it fail after it, for the same reason.
    """
    JobRun.objects.filter(pk=run_id).exclude(status__in=(JobRun.Status.SUCCEEDED, JobRun.Status.FAILED)).update(
        status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error[:2000]
    )


def partner_refresh(*, partner_id: int, now: datetime | None = None) -> PartnerHealthScore | None:
    """Recompute one partner's KPIs and data-quality scores for every month of the history and its health now.

    Rule: the same formulas as the full recompute over that partner's rows; the health percentile is taken
    against its peers' current inputs. Ecosystem figures and peers' scores follow on the next hourly refresh.
    Returns the partner's current health score (None if it is not active).
    """
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None:
        return None
    window = Window.today(now or timezone.now(), history_months())
    rows, inputs, *_, quality = partner_results([partner.pk], window)
    with transaction.atomic():
        stale = KpiSnapshot.objects.filter(dimension=Dimension.PARTNER, partner=partner)
        stale.filter(period_start__gte=window.months.starts[0]).delete()
        insert_frame(KpiSnapshot, rows)
        write_quality(quality, [partner.pk], window)
        return refresh_partner_health(partner=partner, inputs=inputs, window=window)


def health_rescore_create() -> JobRun:
    """Record a rescore of every stored health score to run (queued by `services.health_weights_changed`)."""
    return JobRun.objects.create(kind=JobRun.Kind.RESCORE)


def health_rescore(*, run_id: int) -> JobRun:
    """Recompute every stored health score with the weights now in force (after a weight change)."""
    run = JobRun.objects.get(pk=run_id)
    if run.status != JobRun.Status.QUEUED:
        return run  # a redelivered message: this rescore already ran
    run.status = JobRun.Status.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    count = rescore_all()
    run.status = JobRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.params = {"scores": count}
    run.save(update_fields=["status", "finished_at", "params"])
    return run
