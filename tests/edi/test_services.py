"""Importing interchanges: 852 into activity and stock, all or nothing, duplicates, who may send for whom."""

from __future__ import annotations

from datetime import date

import pytest

from edi.models import EdiImport, ProductActivity, ReportingLocation
from edi.services import edi_import_create
from inventory.models import InventoryReport
from tests.edi.builders import activity, fixture, interchange

pytestmark = pytest.mark.django_db


def send(user, content: bytes, **kwargs) -> EdiImport:
    return edi_import_create(user=user, content=content, source="api", **kwargs)


def test_852_sample_imports_activity_stock_and_one_balance_exception(edi_world):
    job = send(edi_world["user"], fixture("852-4010.edi"), filename="852-4010.edi")
    assert job.status == EdiImport.Status.DONE, job.errors
    assert job.partner == edi_world["partner"]
    assert (job.sender_id, job.control_number, job.version, job.kinds) == ("ACMENET", "000000101", "00401", "852")
    rows = {a.product.sku: a for a in ProductActivity.objects.select_related("product")}
    switch = rows["NET-SW24"]
    assert (switch.period_start, switch.period_end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert switch.site_name == "Berlin"
    assert (switch.beginning, switch.received, switch.returned, switch.sold, switch.adjustment) == (40, 20, 1, 15, -2)
    # 40 + 20 + 1 - 15 - 2 = 44, as reported (QA 44): the balance holds.
    assert (switch.expected_on_hand, switch.on_hand, switch.balance_difference) == (44, 44, 0)
    server = rows["NET-SW48"]  # matched by its UPC alone
    # 12 + 0 + 0 - 5 + 0 = 7 expected, 6 reported: an exception of -1.
    assert (server.expected_on_hand, server.on_hand, server.balance_difference) == (7, 6, -1)
    assert list(ProductActivity.objects.exceptions()) == [server]
    stock = {r.product.sku: r for r in InventoryReport.objects.select_related("product")}
    assert (stock["NET-SW24"].on_hand, stock["NET-SW24"].units_sold, stock["NET-SW24"].on_order) == (44, 15, 10)
    assert stock["NET-SW24"].date == date(2026, 1, 31) and stock["NET-SW24"].source == "edi"
    assert (stock["NET-SW48"].on_hand, stock["NET-SW48"].units_sold, stock["NET-SW48"].on_order) == (6, 5, 0)
    assert job.summary["balance_exceptions"] == 1 and job.summary["inventory_created"] == 2
    assert "1 balance exceptions" in job.message


def test_5010_with_brackets_imports_the_same(edi_world):
    job = send(edi_world["user"], fixture("852-5010-brackets.edi"))
    assert job.status == EdiImport.Status.DONE, job.errors
    assert ProductActivity.objects.count() == 2 and InventoryReport.objects.count() == 2


def test_missing_beginning_comes_from_the_previous_period(edi_world):
    january = activity(("VN*NET-SW24", {"QA": 30, "QS": 5}))
    february = activity(("VN*NET-SW24", {"QA": 20, "QS": 12, "QR": 3}), start="20260201", end="20260228")
    job = send(edi_world["user"], interchange([january, february]))
    assert job.status == "done", job.errors
    feb = ProductActivity.objects.get(period_end=date(2026, 2, 28))
    # beginning = January's 30; 30 + 3 - 12 = 21 expected, 20 reported.
    assert (feb.beginning, feb.beginning_reported, feb.expected_on_hand, feb.balance_difference) == (30, False, 21, -1)
    jan = ProductActivity.objects.get(period_end=date(2026, 1, 31))
    assert jan.beginning is None and jan.balance_difference is None  # nothing to check the first period against


def test_unknown_products_refuse_everything_and_name_each_one(edi_world):
    body = activity(("VN*NET-SW24", {"QA": 1}), ("VN*NOPE-1", {"QA": 1}), ("UP*036000291453", {"QA": 2}))
    job = send(edi_world["user"], interchange([body]))
    assert job.status == EdiImport.Status.REJECTED
    errors = [(e["segment"], e["segment_id"], e["element"]) for e in job.errors]
    assert errors == [(8, "LIN", 3), (10, "LIN", 3)]
    assert "unknown product" in job.errors[0]["reason"] and "NOPE-1" in job.errors[0]["reason"]
    assert "check digit" in job.errors[1]["reason"]
    assert ProductActivity.objects.count() == 0 and InventoryReport.objects.count() == 0
    assert "Nothing was imported" in job.message


def test_ids_naming_two_products_are_an_error(edi_world):
    body = activity(("VN*NET-SW24*UP*012345678905", {"QA": 1}))
    job = send(edi_world["user"], interchange([body]))
    assert job.status == "rejected" and "different products" in job.errors[0]["reason"]


def test_segment_count_mismatch_refuses_the_interchange(edi_world):
    text = interchange([activity(("VN*NET-SW24", {"QA": 1}))]).decode().replace("SE*6*", "SE*5*")
    job = send(edi_world["user"], text.encode())
    assert job.status == "rejected"
    assert job.errors == [
        {
            "segment": 8,
            "segment_id": "SE",
            "element": 1,
            "value": "5",
            "reason": "SE01 says 5 segments, the transaction set has 6 (ST to SE)",
        }
    ]


def test_bad_quantities_and_dates_are_located(edi_world):
    body = [
        "XQ*H*20260101*2026013",
        "N1*RL*x*92*ACME-BER",
        "LIN**VN*NET-SW24",
        "ZA*QA*1.5*EA",
        "ZA*QS*-1*EA",
        "ZA*QR*2*CA",
    ]
    job = send(edi_world["user"], interchange([body]))
    located = [(e["segment"], e["segment_id"], e["element"]) for e in job.errors]
    assert located == [(4, "XQ", 3), (7, "ZA", 2), (8, "ZA", 2), (9, "ZA", 3)]


def test_future_period_is_refused(edi_world):
    job = send(edi_world["user"], interchange([activity(("VN*NET-SW24", {"QA": 1}), end="20991231")]))
    assert [(e["segment_id"], e["element"]) for e in job.errors] == [("XQ", 3)]


def test_same_product_twice_for_one_location_and_period(edi_world):
    body = activity(("VN*NET-SW24", {"QA": 1}), ("UP*036000291452", {"QA": 2}))
    job = send(edi_world["user"], interchange([body]))
    assert job.status == "rejected" and "reported twice" in job.errors[0]["reason"]


def test_resending_the_same_interchange_is_idempotent(edi_world):
    first = send(edi_world["user"], fixture("852-4010.edi"))
    again = send(edi_world["user"], fixture("852-4010.edi"))
    assert first.status == "done"
    assert again.status == EdiImport.Status.DUPLICATE and again.duplicate_of == first
    assert "already imported" in again.message
    assert ProductActivity.objects.count() == 2 and InventoryReport.objects.count() == 2


def test_same_control_number_with_other_content_is_refused(edi_world):
    send(edi_world["user"], fixture("852-4010.edi"))
    changed = fixture("852-4010.edi").replace(b"ZA*QA*44*EA", b"ZA*QA*45*EA")
    job = send(edi_world["user"], changed)
    assert job.status == "rejected"
    assert [(e["segment"], e["segment_id"], e["element"]) for e in job.errors] == [(1, "ISA", 13)]
    assert "new control number" in job.errors[0]["reason"]
    assert ProductActivity.objects.get(product=edi_world["switch"]).on_hand == 44


def test_a_new_control_number_replaces_the_period(edi_world):
    send(edi_world["user"], fixture("852-4010.edi"))
    corrected = fixture("852-4010.edi").replace(b"ZA*QA*44*EA", b"ZA*QA*45*EA").replace(b"000000101", b"000000111")
    job = send(edi_world["user"], corrected)
    assert job.status == "done", job.errors
    activity_row = ProductActivity.objects.get(product=edi_world["switch"])
    assert (activity_row.on_hand, activity_row.balance_difference, activity_row.edi_import) == (45, 1, job)
    assert job.summary["inventory_updated"] == 2


def test_a_partner_may_not_report_for_another_partners_location(edi_world):
    job = send(edi_world["other_user"], fixture("852-4010.edi"))
    assert job.status == "rejected"
    assert job.errors[0]["segment_id"] == "N1" and job.errors[0]["element"] == 4
    assert "not one you may report for" in job.errors[0]["reason"]
    assert "Acme" not in job.errors[0]["reason"]  # the other partner is never named
    assert job.partner == edi_world["other"]  # the sender's own job


def test_unregistered_location_is_an_error(edi_world):
    job = send(edi_world["user"], interchange([activity(("VN*NET-SW24", {"QA": 1}), location="NOWHERE")]))
    assert "not registered" in job.errors[0]["reason"]


def test_without_n1_the_sender_or_the_users_partner_reports(edi_world):
    body = activity(("VN*NET-SW24", {"QA": 3}), location=None)
    job = send(edi_world["user"], interchange([body]))
    assert job.status == "done" and ProductActivity.objects.get().partner == edi_world["partner"]
    # A manager needs a registered sender.
    refused = send(edi_world["manager"], interchange([body], control=102))
    assert refused.status == "rejected" and "reporting partner is unknown" in refused.errors[0]["reason"]
    ReportingLocation.objects.create(qualifier="ISA", code="ACMENET", partner=edi_world["other"])
    job = send(edi_world["manager"], interchange([body], control=103))
    assert job.status == "done" and job.partner == edi_world["other"]


def test_regional_manager_may_send_only_for_partners_in_scope(edi_world):
    from tests import factories as f

    elsewhere = f.RegionFactory(code="apac")
    regional = f.ManagerFactory(username="apac-manager", regions=[elsewhere])
    job = send(regional, fixture("852-4010.edi"))
    assert job.status == "rejected" and "not one you may report for" in job.errors[0]["reason"]
    assert send(edi_world["manager"], fixture("852-4010.edi")).status == "done"


def test_test_interchange_is_checked_not_imported(edi_world):
    job = send(edi_world["user"], interchange([activity(("VN*NET-SW24", {"QA": 1}))], usage="T"))
    assert job.status == EdiImport.Status.TESTED and ProductActivity.objects.count() == 0
    bad = send(edi_world["user"], interchange([activity(("VN*NOPE", {"QA": 1}))], usage="T", control=5))
    assert bad.status == "rejected"


def test_sdq_splits_quantities_by_location(edi_world):
    ReportingLocation.objects.create(qualifier="92", code="ACME-HAM", partner=edi_world["partner"], site_name="Hamburg")
    body = [
        "XQ*H*20260101*20260131",
        "LIN**VN*NET-SW24",
        "ZA*QA**EA",
        "SDQ*EA*92*ACME-BER*4*ACME-HAM*6",
        "ZA*QS*5*EA",
        "SDQ*EA*92*ACME-BER*2*ACME-HAM*3",
    ]
    job = send(edi_world["user"], interchange([body]))
    assert job.status == "done", job.errors
    sites = {a.site_name: (a.on_hand, a.sold) for a in ProductActivity.objects.all()}
    assert sites == {"Berlin": (4, 2), "Hamburg": (6, 3)}
    stock = InventoryReport.objects.get()
    assert (stock.on_hand, stock.units_sold) == (10, 5)  # the partner's stock is the sum of its sites


def test_sdq_total_must_match(edi_world):
    body = ["XQ*H*20260101*20260131", "LIN**VN*NET-SW24", "ZA*QA*9*EA", "SDQ*EA*92*ACME-BER*4"]
    job = send(edi_world["user"], interchange([body]))
    assert (job.errors[0]["segment_id"], job.errors[0]["element"]) == ("ZA", 2)


def test_every_error_of_every_set_is_reported_at_once(edi_world):
    good = activity(("VN*NET-SW24", {"QA": 1}))
    bad1 = activity(("VN*NOPE-1", {"QA": 1}))
    bad2 = activity(("VN*NOPE-2", {"QS": -3}))
    text = interchange([good, bad1, bad2]).decode().replace("GE*3*", "GE*4*")
    job = send(edi_world["user"], text.encode())
    reasons = [e["reason"] for e in job.errors]
    assert len(reasons) == 4, reasons  # NOPE-1, NOPE-2, the negative QS, GE01
    assert job.error_count == 4 and ProductActivity.objects.count() == 0


def test_who_may_send(edi_world, db):
    from core.exceptions import ActionNotPermittedError
    from tests import factories as f

    with pytest.raises(ActionNotPermittedError):
        send(f.UserFactory(username="nobody"), fixture("852-4010.edi"))


def test_each_outcome_is_announced_to_the_partners_webhooks(edi_world, django_capture_on_commit_callbacks):
    from integrations.models import WebhookDelivery
    from integrations.webhooks import webhook_endpoint_create

    webhook_endpoint_create(user=edi_world["user"], url="https://hooks.example.com/erp", events=["edi.processed"])
    with django_capture_on_commit_callbacks(execute=False):
        send(edi_world["user"], fixture("852-4010.edi"))
        send(edi_world["user"], interchange([activity(("VN*NOPE", {"QA": 1}))], control=5))
    payloads = [d.payload for d in WebhookDelivery.objects.order_by("pk")]
    assert len(payloads) == 2
    assert '"status": "done"' in payloads[0] or '"status":"done"' in payloads[0]
    assert "rejected" in payloads[1]


def test_two_periods_ending_the_same_day_are_refused(edi_world):
    weekly = activity(("VN*NET-SW24", {"QA": 4}), start="20260125", end="20260131")
    monthly = activity(("VN*NET-SW24", {"QA": 4}), start="20260101", end="20260131")
    job = send(edi_world["user"], interchange([weekly, monthly]))
    assert job.status == "rejected" and "two periods ending 2026-01-31" in job.errors[0]["reason"]


def test_a_stalled_interchange_is_queued_again_then_given_up(edi_world, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.test import override_settings
    from django.utils import timezone

    from edi.services import edi_imports_resume_stalled

    with override_settings(PRM_EDI_SYNC_SEGMENTS=5), django_capture_on_commit_callbacks(execute=False):
        job = send(edi_world["user"], fixture("852-4010.edi"))  # its message is lost: never run
    assert job.status == "pending"
    assert edi_imports_resume_stalled() == {"resumed": 0, "failed": 0}  # recent: left to its worker
    EdiImport.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert edi_imports_resume_stalled() == {"resumed": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == "done" and ProductActivity.objects.count() == 2
    with override_settings(PRM_EDI_SYNC_SEGMENTS=5), django_capture_on_commit_callbacks(execute=False):
        old = send(edi_world["user"], fixture("852-4010.edi").replace(b"000000101", b"000000177"))
    EdiImport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=1), updated_at=timezone.now() - timedelta(hours=1)
    )
    assert edi_imports_resume_stalled() == {"resumed": 0, "failed": 1}
    old.refresh_from_db()
    assert old.status == "failed" and "Send it again" in old.message
