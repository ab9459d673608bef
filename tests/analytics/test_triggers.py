"""What starts analytics work: data changes (debounced refresh), weight changes (rescore), the admin button."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from analytics import services, tasks
from analytics.models import HealthWeights, JobRun, KpiSnapshot, PartnerHealthScore
from inventory.services import inventory_upsert
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]


@pytest.fixture
def queued(monkeypatch):
    """Records each refresh the subscriber queues (the eager task still runs)."""
    cache.clear()
    calls: list = []
    real = tasks.refresh_partner.apply_async

    def record(args, countdown=None, **kwargs):
        calls.append((args, countdown))
        return real(args, countdown=countdown, **kwargs)

    monkeypatch.setattr(tasks.refresh_partner, "apply_async", record)
    yield calls
    cache.clear()


def test_a_burst_of_a_thousand_stock_rows_causes_one_refresh(eco, queued, settings, django_capture_on_commit_callbacks):
    settings.PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS = 30
    partner = eco.partners[4]
    user = f.PartnerAdminFactory(partner=partner)
    today = date.today()
    for batch in range(10):
        rows = [
            {
                "product": eco.products[i % 2],
                "date": today - timedelta(days=batch * 50 + i // 2),
                "on_hand": 3,
                "units_sold": 1,
            }
            for i in range(100)
        ]
        with django_capture_on_commit_callbacks(execute=True):
            inventory_upsert(partner=partner, user=user, rows=rows, source="api")
    assert queued == [((partner.pk,), 31)]  # one refresh, after the quiet period
    assert KpiSnapshot.objects.filter(partner=partner, granularity="month").count() == 25
    month = KpiSnapshot.objects.get(partner=partner, granularity="month", period_start=today.replace(day=1))
    assert month.inventory_reports == len({today - timedelta(days=d) for d in range(today.day)})

    cache.clear()  # the quiet period is over: the next change queues the next refresh
    with django_capture_on_commit_callbacks(execute=True):
        inventory_upsert(partner=partner, user=user, rows=rows[:1], source="api")
    assert len(queued) == 2


def test_each_partner_gets_its_own_refresh(eco, queued, django_capture_on_commit_callbacks):
    from deals.services import deal_create

    for partner in eco.partners[:2]:
        user = f.PartnerUserFactory(partner=partner)
        with django_capture_on_commit_callbacks(execute=True):
            deal_create(
                partner=partner,
                user=user,
                customer=f.CustomerFactory(),
                lines=[{"product": eco.products[0], "quantity": 1, "unit_price": 10}],
                expected_close_date=date.today() + timedelta(days=20),
            )
    assert [args for args, _ in queued] == [(eco.partners[0].pk,), (eco.partners[1].pk,)]
    assert PartnerHealthScore.objects.filter(partner=eco.partners[0], is_current=True).exists()


def test_saving_the_weights_rescores_every_health_score(computed, django_capture_on_commit_callbacks):
    before = {s.pk: s.score for s in PartnerHealthScore.objects.all()}
    weights = {
        "revenue": 1.0,
        "growth": 0.0,
        "pipeline": 0.0,
        "engagement": 0.0,
        "deal_quality": 0.0,
        "operations": 0.0,
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.health_weights_save(weights=weights)
    # One rescore is recorded and queued; what follows are its announcements of the bands it moved.
    assert [c.__qualname__ for c in callbacks].count("enqueue_on_commit.<locals>.<lambda>") == 1
    assert all(c.__qualname__ == "emit.<locals>.deliver" for c in callbacks[1:])
    scores = list(PartnerHealthScore.objects.select_related("tier"))
    assert len(scores) == len(before)
    assert any(s.score != before_score for s, before_score in zip(scores, before.values(), strict=False))
    for score in scores:
        assert score.score == round(score.revenue_pct, 1)
        assert score.revenue_weight == 1.0 and score.growth_weight is None
        assert score.reasons["growth"] == "its weight is set to 0"
    job = JobRun.objects.get(kind="rescore")
    assert job.status == "succeeded" and job.params == {"scores": len(scores)}
    assert HealthWeights.current() == {**weights, "data_quality": 0.0}  # left at its default


def test_weights_must_leave_something_to_weigh():
    from django.core.exceptions import ValidationError

    weights = HealthWeights(revenue=0, growth=0, pipeline=0, engagement=0, deal_quality=0, operations=0)
    with pytest.raises(ValidationError):
        weights.full_clean()


def test_the_admin_starts_a_recompute_and_shows_jobs(eco, client, django_capture_on_commit_callbacks, settings):
    settings.PRM_ANALYTICS_HISTORY_MONTHS = 2
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("admin:analytics_jobrun_recompute")
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    job = JobRun.objects.get()
    assert (job.kind, job.status, job.requested_by) == ("full_recompute", "succeeded", admin)
    page = client.get(reverse("admin:analytics_jobrun_changelist"))
    assert b"Recompute all KPIs and health scores" in page.content
    score = PartnerHealthScore.objects.filter(is_current=True).first()
    detail = client.get(reverse("admin:analytics_partnerhealthscore_change", args=[score.pk]))
    assert detail.status_code == 200 and b"percentile of" in detail.content
    weights_page = client.post(
        reverse("admin:analytics_healthweights_add"),
        {"revenue": 0, "growth": 0, "pipeline": 0, "engagement": 0, "deal_quality": 0, "operations": 0},
    )
    assert weights_page.status_code == 200 and b"At least one weight must be above 0." in weights_page.content


def test_a_failing_rescore_fails_its_run(eco, run_recompute, monkeypatch, django_capture_on_commit_callbacks):
    from analytics import runs

    run_recompute()

    def broken():
        raise RuntimeError("scores table locked")

    monkeypatch.setattr(runs, "rescore_all", broken)
    weights = {"revenue": 1.0, "growth": 0.5, "pipeline": 0, "engagement": 0, "deal_quality": 0, "operations": 0}
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        services.health_weights_save(weights=weights)
    job = JobRun.objects.get(kind="rescore")
    # Recorded by the task_failure handler, not by the task: the same on a worker and here.
    assert job.status == "failed" and job.error == "RuntimeError: scores table locked" and job.finished_at
