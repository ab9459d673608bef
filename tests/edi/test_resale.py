"""867 interchanges into sell-out lines: the mapping, idempotence, corrections, and refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from edi.models import EdiImport
from edi.services import edi_import_create
from ingest.models import ImportBatch
from sellout.models import SellOutLine
from tests.edi.builders import fixture, interchange

pytestmark = pytest.mark.django_db


def send(user, content: bytes) -> EdiImport:
    return edi_import_create(user=user, content=content, source="api", filename="resale.edi")


def resale(*loops: list[str], header: tuple[str, ...] = ()) -> list[str]:
    body = ["BPT*00*R-1*20260201*DD", *header, "N1*DS*Acme Networks Berlin*92*ACME-BER"]
    for loop in loops:
        body += loop
    return body


SALE = [
    "PTD*SS",
    "DTM*003*20260110",
    "REF*IV*INV-1",
    "N1*ST*Kunde AG*92*K1",
    "N4*Bonn**53111*DE",
    "QTY*39*3*EA",
    "LIN*1*VN*NET-SW24",
    "UIT*EA*100.00",
    "REF*SE*S-1",
]


@pytest.mark.parametrize("name", ["867-4010.edi", "867-5010.edi"])
def test_867_sample_writes_sellout_lines(edi_world, name):
    job = send(edi_world["user"], fixture(name))
    assert job.status == EdiImport.Status.DONE, job.errors
    lines = {(line.invoice_number, line.invoice_line): line for line in SellOutLine.objects.all()}
    assert set(lines) == {("INV-10001", 1), ("INV-10001", 2), ("INV-10002", 1)}
    first = lines[("INV-10001", 1)]
    assert first.reporter == edi_world["partner"] and first.product == edi_world["switch"]
    assert (first.quantity, first.unit_price, first.currency, first.transaction_type) == (
        2,
        Decimal("249.50"),
        "USD",
        "sale",
    )
    assert first.date == date(2026, 1, 12)
    assert (first.end_customer_name, first.end_customer_country.code, first.end_customer_postcode) == (
        "Hansa Logistik GmbH",
        "DE",
        "20095",
    )
    assert sorted(first.serials.values_list("serial", flat=True)) == ["SN-0001", "SN-0002"]
    assert lines[("INV-10001", 2)].product == edi_world["server"]  # by UPC
    assert first.source == "edi" and first.batch.channel == ImportBatch.Channel.EDI
    batch = first.batch
    assert (batch.partner, batch.kind, batch.user, batch.created_count) == (
        edi_world["partner"],
        "sellout",
        edi_world["user"],
        3,
    )
    assert job.summary["sellout_lines"] == 3 and job.summary["sellout_created"] == 3
    assert job.summary["skipped_transfers"] == {"RC": 1}  # received from vendor: not a resale
    assert "3 sell-out lines" in job.message and "left aside" in job.message


def test_resending_lines_under_a_new_control_number_changes_nothing_then_corrects(edi_world):
    send(edi_world["user"], interchange([resale(SALE)], code="867", control=1))
    same = send(edi_world["user"], interchange([resale(SALE)], code="867", control=2))
    assert same.status == "done" and same.summary["sellout_unchanged"] == 1
    changed = [s.replace("QTY*39*3*EA", "QTY*39*4*EA") for s in SALE]
    fixed = send(edi_world["user"], interchange([resale(changed)], code="867", control=3))
    assert fixed.summary["sellout_updated"] == 1
    line = SellOutLine.objects.get()
    assert (line.quantity, line.revision) == (4, 2)


def test_currency_from_cur_and_drop_ship_and_returns(edi_world):
    drop = [s.replace("PTD*SS", "PTD*DS").replace("INV-1", "INV-2") for s in SALE]
    back = [s.replace("INV-1", "INV-3").replace("QTY*39*3*EA", "QTY*39*-2*EA") for s in SALE]
    job = send(edi_world["user"], interchange([resale(SALE, drop, back, header=("CUR*SE*EUR",))], code="867"))
    assert job.status == "done", job.errors
    kinds = dict(SellOutLine.objects.values_list("invoice_number", "transaction_type"))
    assert kinds == {"INV-1": "sale", "INV-2": "drop_ship", "INV-3": "return"}
    assert set(SellOutLine.objects.values_list("currency", flat=True)) == {"EUR"}
    assert SellOutLine.objects.get(invoice_number="INV-3").quantity == 2


def test_867_errors_are_located_and_nothing_is_written(edi_world):
    no_price = [s for s in SALE if not s.startswith("UIT")]
    unknown = [s.replace("NET-SW24", "NOPE-867").replace("INV-1", "INV-2") for s in SALE]
    future = [s.replace("20260110", "20991231").replace("INV-1", "INV-4") for s in SALE]
    job = send(edi_world["user"], interchange([resale(no_price, unknown, future)], code="867"))
    assert job.status == "rejected"
    reasons = " | ".join(f"{e['segment_id']}{e['element']:02d}: {e['reason']}" for e in job.errors)
    assert "no unit price" in reasons and "unknown product" in reasons and "in the future" in reasons
    assert SellOutLine.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_the_same_invoice_line_twice_is_an_error(edi_world):
    job = send(edi_world["user"], interchange([resale(SALE, SALE)], code="867"))
    assert job.status == "rejected" and "appears twice" in job.errors[0]["reason"]


def test_852_and_867_in_one_interchange_import_together_or_not_at_all(edi_world):
    from edi.models import ProductActivity
    from tests.edi.builders import activity

    text = interchange([activity(("VN*NET-SW24", {"QA": 3}))]).decode()
    resale_text = interchange([resale(SALE)], code="867", control=101).decode()
    # One interchange holding a PD group and a PT group.
    pd_group = text[text.index("GS*") : text.index("IEA*")]
    pt_group = resale_text[resale_text.index("GS*") : resale_text.index("IEA*")].replace("*101*X*", "*102*X*")
    pt_group = pt_group.replace("GE*1*101", "GE*1*102")
    both = text[: text.index("GS*")] + pd_group + pt_group + "IEA*2*000000101~\n"
    job = send(edi_world["user"], both.encode())
    assert job.status == "done", job.errors
    assert job.kinds == "852,867" and ProductActivity.objects.count() == 1 and SellOutLine.objects.count() == 1
    bad = both.replace("NET-SW24", "NOPE").replace("000000101", "000000109")
    refused = send(edi_world["user"], bad.encode())
    assert refused.status == "rejected" and refused.error_count == 2
    assert ProductActivity.objects.count() == 1 and SellOutLine.objects.count() == 1
