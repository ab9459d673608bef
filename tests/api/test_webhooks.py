"""Webhooks against a real HTTP receiver on 127.0.0.1: signatures, retries, timeouts, routing, rollback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
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


def test_backoff_grows_exponentially_with_bounded_jitter(settings):
    from integrations.tasks import retry_delay

    settings.PRM_WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.PRM_WEBHOOK_RETRY_MAX_SECONDS = 3600
    for attempt, base in ((1, 30), (2, 60), (3, 120), (10, 3600)):
        delays = [retry_delay(attempt) for _ in range(50)]
        assert all(base <= d <= base * 1.1 for d in delays), (attempt, min(delays), max(delays))
    assert len({round(retry_delay(1), 6) for _ in range(20)}) > 1  # jittered


def test_on_a_worker_a_failure_is_rescheduled_not_retried_at_once(world, receiver, settings):
    from celery.exceptions import Retry

    from core.events import Event
    from integrations.tasks import deliver_webhook
    from integrations.webhooks import webhook_deliveries_for_event

    receiver.statuses = [500]
    webhook_endpoint_create(user=world.admin_a, url=receiver.url, events=["claim.paid"])
    (delivery,) = webhook_deliveries_for_event(Event(name="claim.paid", partner_id=world.partner_a.pk, data={}))
    conf = deliver_webhook.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False  # as on a worker: retries go to the broker
    deliver_webhook.push_request(
        is_eager=False, retries=0, id="t-1", called_directly=False, args=[delivery.pk], kwargs={}
    )
    try:
        with pytest.raises(Retry) as retried:
            deliver_webhook.run(delivery.pk)
    finally:
        deliver_webhook.pop_request()
        conf.task_always_eager = eager
    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert (delivery.status, delivery.attempts) == ("retrying", 1)
    assert delivery.next_attempt_at is not None
    assert 30 <= float(retried.value.when) <= 33


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_and_retries_through_the_broker(world, receiver, settings):
    """End to end on the `webhooks` queue: the failed first attempt is rescheduled by the broker, not inline."""
    from celery.contrib.testing.worker import start_worker

    from core.events import Event
    from integrations.tasks import deliver_webhook
    from integrations.webhooks import enqueue_event_deliveries

    settings.PRM_WEBHOOK_RETRY_BASE_SECONDS = 0.2
    receiver.statuses = [503, 200]
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
