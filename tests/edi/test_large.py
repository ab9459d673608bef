"""A 100,000-segment 852 through the worker path: read, checked, imported in one go, with progress recorded."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest

from catalog.models import Product
from edi.models import EdiImport, ProductActivity
from edi.services import edi_import_create
from inventory.models import InventoryReport
from tests import factories as f
from tests.edi.builders import interchange

pytestmark = pytest.mark.django_db

PRODUCTS = 200
PERIODS = 100  # weeks: each transaction set is one week of 200 products, 1,000 segments


def big_interchange() -> bytes:
    first_monday = date(2024, 1, 1)
    sets = []
    for week in range(PERIODS):
        start = first_monday + timedelta(weeks=week)
        end = start + timedelta(days=6)
        body = [f"XQ*H*{start:%Y%m%d}*{end:%Y%m%d}", "N1*RL*Acme Networks Berlin*92*ACME-BER"]
        for n in range(PRODUCTS):
            on_hand = 100 + week  # one more each week: received 5, sold 4
            body += [f"LIN**VN*BULK-{n:04d}", f"ZA*QA*{on_hand}*EA", "ZA*QR*5*EA", "ZA*QS*4*EA", "ZA*QP*2*EA"]
        sets.append(body)
    return interchange(sets, control=7001)


def test_a_100000_segment_interchange_is_imported_by_the_worker(edi_world, django_capture_on_commit_callbacks):
    line = edi_world["switch"].product_line
    Product.objects.bulk_create(
        [Product(sku=f"BULK-{n:04d}", name=f"Bulk {n}", product_line=line, list_price="10.00") for n in range(PRODUCTS)]
    )
    content = big_interchange()
    assert content.count(b"~") > 100_000
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        job = edi_import_create(user=edi_world["user"], content=content, source="api", filename="big.edi")
    elapsed = time.monotonic() - started
    # Not in the request: queued for the ingest worker (then the worker's own on-commit event hooks).
    assert "enqueue_on_commit" in queued[0].__qualname__
    job.refresh_from_db()
    assert job.status == EdiImport.Status.DONE, job.errors[:5]
    assert job.segment_count > 100_000 and job.transaction_count == PERIODS
    assert job.progress_done == job.progress_total and job.progress_percent == 100
    assert ProductActivity.objects.count() == PRODUCTS * PERIODS
    assert InventoryReport.objects.count() == PRODUCTS * PERIODS
    # Every week after the first: beginning = last week's on hand, + 5 received - 4 sold = this week's. No exception.
    assert ProductActivity.objects.filter(balance_difference=0).count() == PRODUCTS * (PERIODS - 1)
    assert ProductActivity.objects.exceptions().count() == 0
    assert job.summary["balance_exceptions"] == 0
    assert elapsed < 60, f"{elapsed:.1f} s"


def test_progress_is_recorded_while_reading(edi_world, monkeypatch):
    """The worker moves `progress_done` as it reads, so the page's bar moves (every PROGRESS_EVERY segments)."""
    from edi import services

    seen: list[tuple[str, int]] = []
    original = services._progress

    def spy(job_id, phase, total):
        report = original(job_id, phase, total)

        def wrapped(done):
            seen.append((phase, done))
            report(done)

        return wrapped

    monkeypatch.setattr(services, "_progress", spy)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 10)
    f.ProductFactory(sku="BULK-0000", product_line=edi_world["switch"].product_line)
    sets = [["XQ*H*20250101*20250107", "N1*RL*x*92*ACME-BER", "LIN**VN*BULK-0000", "ZA*QA*1*EA"]] * 5
    sets = [
        [s.replace("20250101", f"202501{d:02d}").replace("20250107", f"202501{d:02d}") for s in body]
        for d, body in zip(range(1, 6), sets, strict=True)
    ]
    job = edi_import_create(user=edi_world["user"], content=interchange(sets), source="api")
    assert job.status == "done", job.errors
    reading = [done for phase, done in seen if phase == "checking"]
    assert len(reading) >= 2 and reading == sorted(reading)
    assert [done for phase, done in seen if phase == "writing"] == [5]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_imports_a_queued_interchange(settings):
    """End to end: the API queues the task on `ingest`, a worker on the broker runs it, the job resource moves."""
    from celery.contrib.testing.worker import start_worker

    from edi.models import ReportingLocation
    from prm.celery import app
    from tests.edi.builders import fixture
    from tests.fixtures.api import token_client

    settings.PRM_EDI_SYNC_SEGMENTS = 5
    partner = f.PartnerFactory()
    user = f.PartnerUserFactory(partner=partner)
    f.ProductFactory(sku="NET-SW24", gtin="00036000291452")
    f.ProductFactory(sku="NET-SW48", gtin="00012345678905")
    ReportingLocation.objects.create(qualifier="92", code="ACME-BER", partner=partner)
    client = token_client(user)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, queues=["ingest"]):
            response = client.generic(
                "POST", "/api/v1/edi/", fixture("852-4010.edi"), content_type="application/edi-x12"
            )
            assert response.status_code == 202
            url = response.json()["url"]
            for _ in range(200):
                body = client.get(url).json()
                if body["status"] not in ("pending", "processing", "importing"):
                    break
                time.sleep(0.05)
    finally:
        app.conf.task_always_eager = eager
    assert body["status"] == "done", body
    assert InventoryReport.objects.filter(partner=partner).count() == 2
