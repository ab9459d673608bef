"""`partner.health_band_changed`: announced when a partner's band as of now changes, and only then."""

from __future__ import annotations

import pytest

from analytics import runs, services
from analytics.models import PartnerHealthScore
from analytics.scoring import BAND_EVENT
from core import events
from integrations.models import WebhookDelivery
from integrations.webhooks import webhook_endpoint_create
from tests import factories as f
from tests.analytics.conftest import NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]

OTHER = {"healthy": "at_risk", "watch": "healthy", "at_risk": "watch"}


@pytest.fixture
def announced():
    seen: list = []

    def collect(event):
        if event.name == BAND_EVENT:
            seen.append(event)

    events.subscribe(collect)
    yield seen
    events._subscribers.remove(collect)


def _pretend_band(partner_id: int) -> tuple[str, str]:
    """Store another band as the partner's current one; (that band, the true one)."""
    row = PartnerHealthScore.objects.get(partner_id=partner_id, is_current=True)
    PartnerHealthScore.objects.filter(pk=row.pk).update(band=OTHER[row.band])
    return OTHER[row.band], row.band


def test_a_first_scoring_announces_nothing_and_a_changed_band_is_announced_once(eco, run_recompute, announced):
    run_recompute()
    assert announced == []  # no band to change from
    scored = PartnerHealthScore.objects.filter(is_current=True).exclude(band="").order_by("partner_id")
    first, second = scored[0].partner_id, scored[1].partner_id
    old_first, true_first = _pretend_band(first)
    _pretend_band(second)
    run_recompute(chunk_partners=2)
    assert sorted(e.partner_id for e in announced) == [first, second]
    event = next(e for e in announced if e.partner_id == first)
    stored = PartnerHealthScore.objects.get(partner_id=first, is_current=True)
    assert event.data == {
        "partner": first,
        "from_band": old_first,
        "to_band": true_first,
        "score": stored.score,
        "as_of": stored.as_of.isoformat(),
    }
    announced.clear()
    run_recompute()
    assert announced == []  # nothing changed since


def test_a_refresh_and_a_rescore_announce_their_changes(computed, announced, django_capture_on_commit_callbacks):
    partner_id = PartnerHealthScore.objects.filter(is_current=True).exclude(band="").first().partner_id
    old, true = _pretend_band(partner_id)
    with django_capture_on_commit_callbacks(execute=True):
        runs.partner_refresh(partner_id=partner_id, now=NOW)
    assert [(e.partner_id, e.data["from_band"], e.data["to_band"]) for e in announced] == [(partner_id, old, true)]

    announced.clear()
    before = dict(PartnerHealthScore.objects.filter(is_current=True).values_list("partner_id", "band"))
    only_revenue = {"revenue": 1.0, "growth": 0, "pipeline": 0, "engagement": 0, "deal_quality": 0, "operations": 0}
    with django_capture_on_commit_callbacks(execute=True):
        services.health_weights_save(weights=only_revenue)  # schedules the rescore (eager here)
    after = dict(PartnerHealthScore.objects.filter(is_current=True).values_list("partner_id", "band"))
    moved = sorted(pk for pk in after if before.get(pk) not in (None, after[pk]))
    assert moved, "the new weights should move at least one band"
    assert sorted(e.partner_id for e in announced) == moved


def test_the_event_reaches_the_partners_webhook_and_does_not_trigger_another_refresh(
    computed, monkeypatch, django_capture_on_commit_callbacks
):
    partner_id = PartnerHealthScore.objects.filter(is_current=True).exclude(band="").first().partner_id
    admin = f.PartnerAdminFactory(partner_id=partner_id)
    endpoint = webhook_endpoint_create(user=admin, url="http://127.0.0.1:9/hook", events=[BAND_EVENT])
    scheduled: list = []
    monkeypatch.setattr(services, "partner_refresh_schedule", lambda **kw: scheduled.append(kw))
    monkeypatch.setattr("integrations.tasks.deliver_webhook.apply_async", lambda *args, **kwargs: None)
    _pretend_band(partner_id)
    with django_capture_on_commit_callbacks(execute=True):
        runs.partner_refresh(partner_id=partner_id, now=NOW)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event_type == BAND_EVENT and delivery.partner_id == partner_id
    assert scheduled == []
