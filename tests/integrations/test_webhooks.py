"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries, timeouts, routing, rollback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from deals.services import deal_approve
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.webhooks import verify, webhook_endpoint_create
from tests import factories as f


@dataclass
class Receiver:
    """Answers with the next status of `statuses` (the last one repeats); records what it got."""

    url: str = ""
    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0
    received: list[dict] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append({"headers": self.headers, "body": body})  # case-insensitive, as HTTP says
            time.sleep(state.delay)
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def approved_deal_flow(world, catalog, django_capture_on_commit_callbacks):
    """Approve a fresh submitted deal of partner A and run what its commit triggers."""

    def run():
        deal = f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "10")])
        with django_capture_on_commit_callbacks(execute=True):
            deal_approve(deal=deal, user=world.manager, note="ok")
        return deal

    return run


def test_a_delivery_is_signed_and_verifiable_with_the_secret(world, receiver, approved_deal_flow):
    endpoint = webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    deal = approved_deal_flow()
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(endpoint.secret, got["body"], got["headers"]["X-PRM-Signature"])
    assert not verify("whsec_wrong", got["body"], got["headers"]["X-PRM-Signature"])
    payload = json.loads(got["body"])
    assert set(payload) == {"id", "type", "created_at", "partner_id", "data"}
    assert payload["type"] == got["headers"]["X-PRM-Event"] == "deal.approved"
    assert payload["partner_id"] == world.partner_a.pk and payload["data"]["reference"] == deal.reference
    assert int(got["headers"]["X-PRM-Timestamp"]) > 0
    delivery = WebhookDelivery.objects.get()
    assert got["headers"]["X-PRM-Delivery"] == str(delivery.uuid)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 1, 200)


def test_a_failing_receiver_is_retried_until_it_answers(world, receiver, approved_deal_flow):
    receiver.statuses = [500, 503, 200]
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    approved_deal_flow()
    assert len(receiver.received) == 3
    assert len({r["body"] for r in receiver.received}) == 1  # the same signed body each time
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 3, 200)


def test_attempts_stop_at_the_limit_and_the_failure_is_logged(world, receiver, approved_deal_flow, settings):
    settings.PRM_WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500]
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    approved_deal_flow()
    delivery = WebhookDelivery.objects.get()
    assert len(receiver.received) == 3
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("failed", 3, 500)
    assert "500" in delivery.last_error and delivery.response_body == "receiver says no"


def test_a_timeout_counts_as_a_failure(world, receiver, approved_deal_flow, settings):
    settings.PRM_WEBHOOK_MAX_ATTEMPTS = 1
    settings.PRM_WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.delay = 1.0
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    approved_deal_flow()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "timed out" in delivery.last_error.lower()


def test_nothing_is_sent_when_the_transaction_rolls_back(world, catalog, receiver, django_capture_on_commit_callbacks):
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    deal = f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "10")])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        deal_approve(deal=deal, user=world.manager)
        raise RuntimeError("something after the approval failed")
    assert callbacks == []
    assert receiver.received == [] and WebhookDelivery.objects.count() == 0


def test_partner_and_region_scoping(world, receiver, approved_deal_flow):
    own = webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    webhook_endpoint_create(user=world.admin_b, url=receiver.url, events=["deal.approved"])
    everything = webhook_endpoint_create(user=world.manager, url=receiver.url, events=["deal.approved"])
    webhook_endpoint_create(user=world.regional_manager, url=receiver.url, events=["deal.approved"])
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.rejected"])
    paused = webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    WebhookEndpoint.objects.filter(pk=paused.pk).update(is_active=False)
    approved_deal_flow()
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {own.pk, everything.pk}
    assert len(receiver.received) == 2


def test_redeliver_sends_the_same_event_again(
    world, receiver, approved_deal_flow, client_for, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    approved_deal_flow()
    first = WebhookDelivery.objects.get()
    client = client_for("admin_a")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/webhook-deliveries/{first.pk}/redeliver/", format="json")
    assert response.status_code == 202
    assert response.json()["redelivery_of"] == first.pk
    assert len(receiver.received) == 2 and receiver.received[0]["body"] == receiver.received[1]["body"]
    assert client_for("admin_b").post(f"/api/v1/webhook-deliveries/{first.pk}/redeliver/").status_code == 404


def test_register_through_the_api_shows_the_secret_once(world, receiver, client_for):
    client = client_for("manager")
    bad = client.post("/api/v1/webhooks/", {"url": "ftp://x", "events": ["deal.nope"]}, format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"url", "events"}
    created = client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["claim.paid"], "partner": world.partner_a.pk},
        format="json",
    )
    assert created.status_code == 201 and created.json()["secret"].startswith("whsec_")
    endpoint_id = created.json()["id"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{endpoint_id}/").json()
    rotated = client.post(f"/api/v1/webhooks/{endpoint_id}/rotate-secret/").json()["secret"]
    assert rotated != created.json()["secret"]
    paused = client.patch(f"/api/v1/webhooks/{endpoint_id}/", {"is_active": False}, format="json")
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    hidden = client_for("regional_manager").post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["claim.paid"], "partner": world.partner_a.pk},
        format="json",
    )
    assert hidden.status_code == 400 and "partner" in hidden.json()["error"]["fields"]


def _run_as_a_worker(task, *args, retries: int = 0):
    """Run `task` through Celery's tracer as a worker does (retries go to the broker); returns the retry delay."""
    from celery.app.trace import build_tracer
    from celery.signals import task_retry

    scheduled = []

    def capture(sender=None, reason=None, **kwargs):
        scheduled.append(reason.when)

    conf = task.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    task_retry.connect(capture, weak=False)
    try:
        trace = build_tracer(task.name, task, app=task.app, eager=False, propagate=False)
        trace("t-1", list(args), {}, {"id": "t-1", "retries": retries, "delivery_info": {}})
    finally:
        task_retry.disconnect(capture)
        conf.task_always_eager = eager
    return scheduled


@pytest.mark.parametrize("retries", [0, 3])
def test_on_a_worker_a_failure_is_rescheduled_with_backoff_not_retried_at_once(world, receiver, retries):
    from django.utils import timezone

    from core.events import Event
    from integrations.tasks import deliver_webhook
    from integrations.webhooks import webhook_deliveries_for_event

    receiver.statuses = [500]
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["claim.paid"])
    (delivery,) = webhook_deliveries_for_event(Event(name="claim.paid", partner_id=world.partner_a.pk, data={}))
    (when,) = _run_as_a_worker(deliver_webhook, delivery.pk, retries=retries)
    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    # Exponential backoff with full jitter: anywhere from now to base × 2^retries seconds.
    assert 0 <= when <= deliver_webhook.retry_backoff * 2**retries
    expected = timezone.now() + timedelta(seconds=when)
    assert abs((delivery.next_attempt_at - expected).total_seconds()) < 5  # shown by the API


def test_deliveries_are_written_in_the_transaction_that_emits_the_event(world, catalog, receiver):
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    deal = f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "10")])
    with transaction.atomic():
        deal_approve(deal=deal, user=world.manager)
        pending = WebhookDelivery.objects.get()  # before the commit: the outbox row is part of the change
        assert pending.status == "pending" and json.loads(pending.payload)["data"]["reference"] == deal.reference
    assert receiver.received == []  # queued only once the transaction commits


def test_a_crash_between_commit_and_queueing_loses_nothing(
    world, catalog, receiver, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from integrations.tasks import requeue_stalled_webhooks
    from integrations.webhooks import STALLED_AFTER, webhook_deliveries_requeue_stalled

    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    deal = f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "10")])
    with django_capture_on_commit_callbacks(execute=False) as lost:  # committed, then the process stopped
        deal_approve(deal=deal, user=world.manager)
    assert lost and receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"

    assert requeue_stalled_webhooks() == 0  # not stalled yet: its message may still be on its way
    later = timezone.now() + STALLED_AFTER + timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_requeue_stalled(now=later) == 1
    delivery.refresh_from_db()
    assert len(receiver.received) == 1 and delivery.status == "succeeded"
    assert json.loads(receiver.received[0]["body"])["data"]["reference"] == deal.reference
    assert webhook_deliveries_requeue_stalled(now=later + STALLED_AFTER * 2) == 0  # delivered: never again


def test_a_retry_whose_message_was_lost_is_sent_by_the_sweep(world, receiver, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from core.events import Event
    from integrations.webhooks import STALLED_AFTER, webhook_deliveries_for_event, webhook_deliveries_requeue_stalled

    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["claim.paid"])
    (delivery,) = webhook_deliveries_for_event(Event(name="claim.paid", partner_id=world.partner_a.pk, data={}))
    overdue = timezone.now() - STALLED_AFTER - timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="retrying", attempts=2, next_attempt_at=overdue)
    soon = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event_id="e-2",
        event_type="claim.paid",
        payload="{}",
        status="retrying",
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_deliveries_requeue_stalled() == 1
    delivery.refresh_from_db()
    soon.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)
    assert (soon.status, soon.attempts) == ("retrying", 1)  # its retry is still scheduled


def test_a_finished_delivery_is_not_sent_again_by_a_duplicate_message(world, receiver, approved_deal_flow):
    from integrations.tasks import deliver_webhook

    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["deal.approved"])
    approved_deal_flow()
    delivery = WebhookDelivery.objects.get()
    assert deliver_webhook.delay(delivery.pk).get() == "skipped"
    assert len(receiver.received) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_retries_through_the_broker(world, receiver, settings):
    """End to end on the `webhooks` queue: the failed first attempt is rescheduled by the broker, not inline."""
    from celery.contrib.testing.worker import start_worker

    from core.events import Event
    from integrations.tasks import deliver_webhook
    from integrations.webhooks import enqueue_event_deliveries

    receiver.statuses = [503, 200]  # the retry waits 0-1 s: the test settings' backoff base is one second
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["claim.paid"])
    app = deliver_webhook.app
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["webhooks"]):
            enqueue_event_deliveries(Event(name="claim.paid", partner_id=world.partner_a.pk, data={"claim_id": 1}))
            for _ in range(200):
                delivery = WebhookDelivery.objects.get()
                if delivery.status == "succeeded":
                    break
                time.sleep(0.05)
    finally:
        app.conf.task_always_eager = eager
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("succeeded", 2, 200)
    assert len(receiver.received) == 2
