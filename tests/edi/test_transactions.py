"""Reading 852 and 867 transaction sets (pure, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from edi.envelope import open_envelope
from edi.x12 import tokenize
from edi.x852 import parse_852
from edi.x867 import parse_867
from tests.edi.builders import fixture, interchange


def first_set(text: bytes):
    return open_envelope(tokenize(text)).transactions[0]


def test_852_sample():
    report, errors = parse_852(first_set(fixture("852-4010.edi")))
    assert errors == []
    assert (report.start, report.end) == (date(2026, 1, 1), date(2026, 1, 31))
    assert (report.reporter.qualifier, report.reporter.code) == ("92", "ACME-BER")
    first, second = report.lines
    assert [(p.qualifier, p.value, p.element) for p in first.product_ids] == [
        ("VN", "NET-SW24", 3),
        ("UP", "036000291452", 5),
    ]
    assert first.quantities == {
        "beginning": 40,
        "received": 20,
        "sold": 15,
        "returned": 1,
        "adjustment": -2,
        "on_hand": 44,
        "on_order": 10,
    }
    assert second.quantities == {"beginning": 12, "received": 0, "sold": 5, "on_hand": 6}


def test_852_on_hand_prefers_ending_balance_and_ignores_other_codes():
    body = ["XQ*H*20260101", "LIN**VN*X", "ZA*QA*5*EA", "ZA*QE*7*EA", "ZA*QI*3*EA", "ZA*QO*1*EA"]
    report, errors = parse_852(first_set(interchange([body])))
    assert errors == [] and report.end == date(2026, 1, 1)  # XQ03 absent: a one-day period
    assert report.lines[0].quantities == {"on_hand": 7} and report.lines[0].codes == {"on_hand": "QE"}


def test_852_errors():
    body = ["LIN**VN", "ZA*QS*x*EA", "ZA*QS*1*EA", "ZA*QS*2*EA", "ZA*Q*1*EA", "LIN**VN*X", "CTT*5"]
    _, errors = parse_852(first_set(interchange([body])))
    located = [(e.segment_id, e.element, e.reason.split(":")[0]) for e in errors]
    assert ("LIN", 3, "qualifier VN is given without a product id") in located
    assert ("ZA", 2, "not a number") in located
    assert ("ZA", 1, "QS is reported twice for this product and location") in located
    assert ("ZA", 1, "the activity code (ZA01) must be two characters") in located
    assert ("CTT", 1, "CTT01 says 5, the transaction set has 2 LIN segments") in located
    assert any(e.segment_id == "ST" and "no XQ" in e.reason for e in errors)


def test_867_sample():
    report, errors = parse_867(first_set(fixture("867-4010.edi")))
    assert errors == []
    assert (report.reference, report.start, report.end) == ("RS-2026-01", date(2026, 1, 1), date(2026, 1, 31))
    assert report.reporter.code == "ACME-BER"
    assert report.skipped == {"RC": 1}  # received from vendor: not a resale
    one, two, three = report.lines
    assert (one.invoice, one.invoice_date, one.line_number, one.quantity) == ("INV-10001", date(2026, 1, 12), "1", 2)
    assert one.unit_price == Decimal("249.50") and one.serials == ("SN-0001", "SN-0002")
    assert (one.customer.name, one.customer.country, one.customer.postcode) == ("Hansa Logistik GmbH", "DE", "20095")
    assert (two.line_number, two.product_ids[0].qualifier, two.serials) == ("2", "UP", ())
    assert (three.invoice, three.customer.name, three.quantity) == ("INV-10002", "Nordlicht Energie AG", 4)


def test_867_errors():
    body = ["BPT*00*R1*20260201", "PTD*SS", "QTY*39*2*EA", "UIT*EA*1.5", "QTY*99*1*CA", "LIN*1*VN*X", "PTD", "CTT*9"]
    _, errors = parse_867(first_set(interchange([body], code="867")))
    reasons = [(e.segment_id, e.element, e.reason) for e in errors]
    assert ("QTY", 1, "the quantity qualifier must be 39 (shipped) or 32 (sold)") in reasons
    assert any(r[0] == "QTY" and r[1] == 3 and "send EA" in r[2] for r in reasons)
    assert ("CTT", 1, "CTT01 says 9, the transaction set has 2 PTD segments") in reasons
    assert any(r[0] == "PTD" and r[1] == 1 for r in reasons)  # no transfer type
    assert any("no LIN" in r[2] for r in reasons)  # the first QTY loop names no product
    assert any("no invoice number" in r[2] for r in reasons)


def test_852_quantity_before_any_product_is_an_error_not_a_hang():
    body = ["XQ*H*20260101", "ZA*QA*1*EA", "SDQ*EA*92*L1*1", "ZA*Q*1*EA", "LIN**VN*X", "ZA*QA*2*EA"]
    report, errors = parse_852(first_set(interchange([body])))
    assert [(e.segment, e.segment_id) for e in errors] == [(5, "ZA"), (7, "ZA")]
    assert "before any LIN" in errors[0].reason
    assert report.lines[0].quantities == {"on_hand": 2}
