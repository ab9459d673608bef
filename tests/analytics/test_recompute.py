"""The recompute as a job: chunks equal one process, re-runs change nothing, progress, failures, partial refreshes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics import compute, tasks
from analytics.models import (
    EcosystemHealth,
    FailureCodeCount,
    HealthInput,
    JobRun,
    KpiSnapshot,
    PartnerHealthScore,
)
from tests.analytics.conftest import NOW
from tests.analytics.expected import Rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]

IGNORED = {"id", "computed_at"}


def snapshot(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in IGNORED]
    return sorted(model.objects.values_list(*fields), key=repr)


def everything() -> dict[str, list[tuple]]:
    return {m.__name__: snapshot(m) for m in (KpiSnapshot, PartnerHealthScore, EcosystemHealth, FailureCodeCount)}


def test_a_chunked_recompute_writes_exactly_the_rows_of_a_single_process_one(eco, run_recompute):
    run_recompute(chunk_partners=1000)
    single = everything()
    assert len(single["KpiSnapshot"]) > 200 and len(single["PartnerHealthScore"]) > 50
    KpiSnapshot.objects.all().delete()
    PartnerHealthScore.objects.all().delete()
    EcosystemHealth.objects.all().delete()
    job = run_recompute(chunk_partners=1)
    # the ecosystem step, 7 partner chunks (2, 1, 1, …), the product feedback step, 4 health parts
    assert job.chunks_total == 1 + 7 + 1 + 4
    assert everything() == single


def test_running_again_gives_the_same_rows_and_no_duplicates(eco, run_recompute):
    run_recompute(chunk_partners=3)
    first = everything()
    job = run_recompute(chunk_partners=2)
    assert everything() == first
    assert not HealthInput.objects.exists()  # the run's working rows are gone
    assert (job.chunks_done, job.chunks_total, job.done_chunks) == (job.chunks_total, 10, list(range(10)))
    assert job.started_at <= job.finished_at


def test_a_redelivered_chunk_is_counted_once(eco, run_recompute):
    job = run_recompute(chunk_partners=4)
    before = everything()
    JobRun.objects.filter(pk=job.pk).update(status="running")
    ids = [p.pk for p in eco.partners[:2]]
    window = compute.window_from(job.kind, job.params["now"], job.params["history_months"])
    compute.compute_partner_chunk(partner_ids=ids, window=window, run_id=job.pk, index=3)
    job.refresh_from_db()
    assert job.chunks_done == job.chunks_total and job.done_chunks.count(3) == 1
    assert everything() == before


def test_a_failing_chunk_fails_the_run_and_keeps_the_previous_figures(computed, run_recompute, monkeypatch):
    before = everything()

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(compute, "compute_partner_chunk", broken)
    with pytest.raises(RuntimeError):
        run_recompute()
    job = JobRun.objects.order_by("-pk").first()
    assert job.status == "failed" and "disk on fire" in job.error and job.finished_at
    assert everything() == before


def test_the_hourly_refresh_rewrites_this_years_periods_and_todays_health(computed, run_recompute):
    aurora = computed.partners[0]
    old = KpiSnapshot.objects.filter(partner=aurora, granularity="month", period_start=date(2024, 11, 1))
    new = KpiSnapshot.objects.filter(partner=aurora, granularity="month", period_start=date(2025, 6, 1))
    right = new.get().deals_registered
    old.update(deals_registered=999)
    new.update(deals_registered=999)
    history = PartnerHealthScore.objects.filter(is_current=False).count()
    current = PartnerHealthScore.objects.get(partner=aurora, is_current=True)

    later = NOW + timedelta(hours=1)
    job = run_recompute(kind="current_period", now=later)
    assert job.kind == "current_period"
    assert new.get().deals_registered == right
    assert old.get().deals_registered == 999  # outside this year: untouched
    refreshed = PartnerHealthScore.objects.get(partner=aurora, is_current=True)
    assert refreshed.measured_at == later and refreshed.pk != current.pk
    assert PartnerHealthScore.objects.filter(is_current=False).count() == history
    assert EcosystemHealth.objects.filter(is_current=True).get().measured_at == later


def test_health_inputs_and_peers_match_the_rows(computed):
    rows = Rows.load()
    gold_active = {p.pk for p in (*computed.partners[:3], computed.decisions_only)}
    scores = {s.partner_id: s for s in PartnerHealthScore.objects.filter(is_current=True).select_related("tier")}
    assert computed.inactive.pk not in scores and set(scores) == gold_active | {p.pk for p in computed.partners[3:]} | {
        computed.no_deals.pk
    }
    start, start_180 = NOW - timedelta(days=90), NOW - timedelta(days=180)
    for partner_id, score in scores.items():
        won = [d for d in rows.deals if d.partner_id == partner_id and d.status == "won"]
        assert score.revenue_90d == sum((d.amount for d in won if start <= d.closed_at < NOW), Decimal("0"))
        assert score.won_180d == sum(1 for d in won if start_180 <= d.closed_at < NOW)
        submitted = sum(1 for d in rows.deals if d.partner_id == partner_id and start <= d.submitted_at < NOW)
        claims = sum(1 for c in rows.claims if c.partner_id == partner_id and start <= c.submitted_at < NOW)
        report_days = {s.date for s in rows.stock if s.partner_id == partner_id and start.date() <= s.date < NOW.date()}
        report_days |= {s.date for s in rows.stock if s.partner_id == partner_id and s.date == NOW.date()}
        assert score.engagement_90d == submitted + claims + len(report_days)
        assert score.peer_count == (4 if partner_id in gold_active else 3)
        assert 0 <= score.score <= 100
        for component in score.components:
            if component["used"]:
                assert component["explanation"].endswith(f"percentile of {score.tier.name} partners")
    eco_now = EcosystemHealth.objects.get(is_current=True)
    assert eco_now.partners_scored == 7 and eco_now.regions_covered == eco_now.regions_total == 2
    shares = eco_now.healthy_share + eco_now.watch_share + eco_now.at_risk_share
    assert shares == pytest.approx(1.0)
    revenue = [float(s.revenue_90d) for s in scores.values()]
    revenue.append(
        float(
            sum(
                d.amount
                for d in rows.deals
                if d.partner_id == computed.inactive.pk and d.status == "won" and start <= d.closed_at < NOW
            )
        )
    )
    total = sum(revenue)
    assert eco_now.herfindahl_index == pytest.approx(sum((r / total) ** 2 for r in revenue))
    weighted = sum(float(s.revenue_90d) * s.score for s in scores.values()) / sum(
        float(s.revenue_90d) for s in scores.values()
    )
    assert eco_now.score == pytest.approx(weighted)
    assert PartnerHealthScore.objects.filter(is_current=False).values("as_of").distinct().count() == 15
    assert not PartnerHealthScore.objects.filter(partner=computed.inactive).exists()


def test_a_partner_refresh_recomputes_its_figures_only(computed):
    from analytics.runs import partner_refresh
    from tests import factories as f

    aurora, boreal = computed.partners[0], computed.partners[1]
    other_before = snapshot_of(boreal)
    eco_before = KpiSnapshot.objects.get(dimension="ecosystem", granularity="month", period_start=date(2025, 7, 1))
    closed = NOW - timedelta(hours=3)
    f.DealFactory(
        partner=aurora,
        status="won",
        submitted_at=closed - timedelta(days=20),
        decided_at=closed - timedelta(days=19),
        closed_at=closed,
        protection_expires_at=closed + timedelta(days=70),
        lines=[(computed.products[0], 1, Decimal("5000.00"))],
    )
    month = KpiSnapshot.objects.get(partner=aurora, granularity="month", period_start=date(2025, 7, 1))
    score = partner_refresh(partner_id=aurora.pk, now=NOW)
    after = KpiSnapshot.objects.get(partner=aurora, granularity="month", period_start=date(2025, 7, 1))
    assert after.deals_won == month.deals_won + 1
    assert after.won_revenue == month.won_revenue + Decimal("5000.00")
    assert score.is_current and score.revenue_90d > 0 and score.measured_at == NOW
    assert snapshot_of(boreal) == other_before
    same_eco = KpiSnapshot.objects.get(dimension="ecosystem", granularity="month", period_start=date(2025, 7, 1))
    assert same_eco.won_revenue == eco_before.won_revenue  # the ecosystem follows on the hourly refresh
    assert (
        KpiSnapshot.objects.filter(partner=aurora, granularity__in=["month", "quarter", "year"]).count() == 16 + 6 + 1
    )
    # and the comparisons of the periods in progress, cut at the same day: June and July 2024 (month), Q2 2025
    # and Q3 2024 (quarter); 2024 to date starts before the 15 months of history.
    to_date = KpiSnapshot.objects.filter(partner=aurora).exclude(granularity__in=["month", "quarter", "year"])
    assert sorted(to_date.values_list("granularity", "period_start", "period_end")) == [
        ("mtd", date(2024, 7, 1), date(2024, 7, 16)),
        ("mtd", date(2025, 6, 1), date(2025, 6, 16)),
        ("qtd", date(2024, 7, 1), date(2024, 7, 16)),
        ("qtd", date(2025, 4, 1), date(2025, 4, 16)),
    ]


def snapshot_of(partner) -> list:
    return sorted(
        KpiSnapshot.objects.filter(partner=partner).values_list(
            "period_start", "granularity", "deals_registered", "won_revenue"
        )
    )


def test_every_analytics_task_is_reliable_and_on_the_analytics_queue():
    from prm.celery import app

    for name in (
        "launch_run",
        "compute_chunk",
        "compute_ecosystem",
        "finish_kpis",
        "score_health_part",
        "finish_run",
        "full_recompute",
        "refresh_current_period",
        "refresh_partner",
        "rescore_health",
    ):
        task = app.tasks[f"analytics.tasks.{name}"]
        assert task.acks_late and task.reject_on_worker_lost, name
        assert task.time_limit and task.soft_time_limit, name
        assert app.amqp.router.route({}, task.name)["queue"].name == "analytics"


def test_beat_runs_the_hourly_and_nightly_jobs(settings):
    tasks_in_beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"analytics.tasks.refresh_current_period", "analytics.tasks.full_recompute"} <= tasks_in_beat
    assert tasks.full_recompute.name in tasks_in_beat


def test_the_nightly_task_starts_a_full_recompute(eco, django_capture_on_commit_callbacks, settings):
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 3
    with django_capture_on_commit_callbacks(execute=True):
        run_id = tasks.full_recompute()
    job = JobRun.objects.get(pk=run_id)
    assert (job.kind, job.status) == ("full_recompute", "succeeded")
    this_month = datetime.now(UTC).date().replace(day=1)
    assert KpiSnapshot.objects.filter(dimension="ecosystem", granularity="month", period_start=this_month).exists()


def test_deleting_a_partner_deletes_its_figures_although_the_tables_have_no_database_constraint(eco, run_recompute):
    """The derived tables' foreign keys are not enforced by the database; Django's on_delete still cascades."""
    from tests.factories import PartnerFactory

    newcomer = PartnerFactory(tier=eco.partners[0].tier, region=eco.partners[0].region, status="active")
    run_recompute()
    assert KpiSnapshot.objects.filter(partner=newcomer).exists()
    assert PartnerHealthScore.objects.filter(partner=newcomer).exists()
    others = KpiSnapshot.objects.exclude(partner=newcomer).count()
    gone = newcomer.pk
    newcomer.delete()
    assert not KpiSnapshot.objects.filter(partner_id=gone).exists()
    assert not PartnerHealthScore.objects.filter(partner_id=gone).exists()
    assert KpiSnapshot.objects.count() == others
