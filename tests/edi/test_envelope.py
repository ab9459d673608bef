"""Envelope checks: counts, control numbers, nesting, versions and transaction sets (pure, no database)."""

from __future__ import annotations

from edi.envelope import open_envelope
from edi.x12 import tokenize
from tests.edi.builders import activity, fixture, interchange

BODY = activity(("VN*NET-SW24", {"QA": 5}))


def envelope_of(text: bytes | str):
    return open_envelope(tokenize(text))


def located(envelope) -> list[tuple]:
    return [(e.segment, e.segment_id, e.element) for e in envelope.errors]


def test_samples_are_clean():
    for name in ("852-4010.edi", "852-5010-brackets.edi", "867-4010.edi", "867-5010.edi"):
        envelope = envelope_of(fixture(name))
        assert envelope.errors == [], name
        assert len(envelope.transactions) == 1
    assert envelope_of(fixture("852-4010.edi")).version == "00401"
    assert envelope_of(fixture("867-5010.edi")).version == "00501"


def test_segment_count_mismatch_points_at_se01():
    text = interchange([BODY]).decode().replace("SE*6*0001", "SE*9*0001")
    envelope = envelope_of(text)
    assert located(envelope) == [(8, "SE", 1)]
    assert "says 9 segments, the transaction set has 6" in envelope.errors[0].reason


def test_control_numbers_must_repeat_in_trailers():
    text = interchange([BODY]).decode().replace("SE*6*0001", "SE*6*0002").replace("GE*1*101", "GE*1*102")
    text = text.replace("IEA*1*000000101", "IEA*1*000000199")
    assert located(envelope_of(text)) == [(8, "SE", 2), (9, "GE", 2), (10, "IEA", 2)]


def test_group_and_set_counts():
    text = interchange([BODY, BODY]).decode().replace("GE*2*101", "GE*3*101").replace("IEA*1*", "IEA*2*")
    envelope = envelope_of(text)
    assert located(envelope) == [(15, "GE", 1), (16, "IEA", 1)]
    assert len(envelope.transactions) == 2


def test_duplicate_st_control_number_in_a_group():
    text = interchange([BODY, BODY]).decode().replace("ST*852*0002", "ST*852*0001").replace("SE*6*0002", "SE*6*0001")
    assert located(envelope_of(text)) == [(9, "ST", 2)]


def test_unknown_transaction_set_is_refused_by_name():
    text = interchange([["BIG*20260101*INV1"]], code="810")
    envelope = envelope_of(text)
    assert (3, "ST", 1) in located(envelope)
    assert "810" in envelope.errors[0].reason and "852" in envelope.errors[0].reason
    assert envelope.transactions == []


def test_set_in_the_wrong_functional_group():
    text = interchange([BODY]).decode().replace("GS*PD*", "GS*PT*")
    assert located(envelope_of(text)) == [(3, "ST", 1)]


def test_unsupported_versions():
    text = interchange([BODY], version="00305", gs_version="003050")
    assert located(envelope_of(text)) == [(1, "ISA", 12), (2, "GS", 8)]


def test_missing_trailers_and_cut_short_file():
    text = interchange([BODY]).decode()
    cut = text[: text.index("SE*")]
    envelope = envelope_of(cut)
    reasons = " ".join(e.reason for e in envelope.errors)
    assert "no SE trailer" in reasons and "no GE trailer" in reasons and "no IEA trailer" in reasons


def test_segment_outside_a_transaction_set():
    text = interchange([BODY]).decode().replace("GE*1*101", "ZA*QA*1*EA~\nGE*1*101")
    assert located(envelope_of(text)) == [(9, "ZA", 0)]


def test_test_usage_indicator_is_read():
    assert envelope_of(interchange([BODY], usage="T")).is_test


def test_bad_control_number_and_usage():
    text = interchange([BODY]).decode().replace("*000000101*0*P*", "*00000010A*0*X*", 1)
    assert located(envelope_of(text))[:2] == [(1, "ISA", 13), (1, "ISA", 15)]
