"""The tokenizer: delimiters from the ISA header, the file's bends, and clear refusals (pure, no database)."""

from __future__ import annotations

import pytest

from edi.x12 import X12SyntaxError, tokenize
from tests.edi.builders import activity, fixture, interchange, isa

BODY = activity(("VN*NET-SW24", {"QA": 5}))


def ids(text: bytes | str) -> list[str]:
    return [segment.id for segment in tokenize(text).segments]


def refusal(text: bytes | str):
    with pytest.raises(X12SyntaxError) as caught:
        tokenize(text)
    return caught.value.error


def test_padded_4010_reads_delimiters_from_the_header():
    result = tokenize(fixture("852-4010.edi"))
    assert (result.delimiters.element, result.delimiters.component, result.delimiters.segment) == ("*", ">", "~")
    assert result.delimiters.repetition is None  # ISA11 is the standards identifier "U" in 4010
    assert result.isa_padded
    assert len(result.isa.elements) == 17
    assert result.isa.get(6) == "ACMENET"  # padding stripped
    assert [s.number for s in result.segments] == list(range(1, len(result.segments) + 1))
    assert result.segments[-1].id == "IEA"


def test_5010_brackets_crlf_and_unpadded_isa():
    result = tokenize(fixture("852-5010-brackets.edi"))
    assert result.delimiters.segment == "]"
    assert result.delimiters.repetition == "^"  # ISA11 in 5010
    assert not result.isa_padded
    assert result.isa.get(13) == "102"
    assert ids(fixture("852-5010-brackets.edi")) == ids(fixture("852-4010.edi"))


@pytest.mark.parametrize("terminator", ["~", "]", "'", "!"])
@pytest.mark.parametrize("newline", ["", "\n", "\r\n"])
def test_any_terminator_with_or_without_line_breaks(terminator, newline):
    text = interchange([BODY], terminator=terminator, newline=newline)
    result = tokenize(text)
    assert result.delimiters.segment == terminator
    assert [s.id for s in result.segments] == ["ISA", "GS", "ST", "XQ", "N1", "LIN", "ZA", "SE", "GE", "IEA"]
    assert result.segments[6].elements == ("ZA", "QA", "5", "EA")  # no line break left in any element


def test_newline_as_the_terminator():
    text = interchange([BODY], terminator="\n", newline="")
    assert tokenize(text).delimiters.segment == "\n"
    assert ids(text)[-1] == "IEA"


def test_other_element_and_component_separators():
    text = interchange([BODY]).decode().replace("*", "|").replace(">", ":")
    result = tokenize(text)
    assert (result.delimiters.element, result.delimiters.component) == ("|", ":")
    assert result.segments[6].elements == ("ZA", "QA", "5", "EA")


def test_bom_and_leading_blank_lines_are_accepted():
    text = b"\xef\xbb\xbf\r\n  " + interchange([BODY])
    assert ids(text)[0] == "ISA"


def test_not_isa_first():
    error = refusal(b"GS*PD*X~")
    assert (error.segment, error.element) == (1, 0)
    assert "starts with an ISA segment" in error.reason


def test_too_few_isa_elements():
    error = refusal(b"ISA*00**00**ZZ*X*ZZ*Y~GS*PD~")
    assert error.segment == 1 and error.segment_id == "ISA"
    assert "needs 16" in error.reason


def test_component_separator_of_two_characters_is_refused_at_isa16():
    text = isa(padded=False) + ">~GS*PD*X~"  # ISA16 ">>": the terminator would be ">"
    error = refusal(text)
    assert (error.segment, error.segment_id, error.element) == (1, "ISA", 16)


def test_alphanumeric_terminator_is_refused():
    text = isa(padded=False) + "X" + "GS*PD*X" + "X"
    error = refusal(text)
    assert error.element == 16 and "cannot be a segment terminator" in error.reason


def test_same_character_for_two_delimiters_is_refused():
    text = interchange([BODY]).decode().replace("*>~", "*~~", 1)
    error = refusal(text)
    assert error.segment_id == "ISA" and "same character" in error.reason


def test_wrong_terminator_in_the_file_is_located():
    # The header declares "~", the body uses "]": the GS segment swallows the rest and cannot be split.
    text = interchange([BODY], terminator="]").decode().replace(">]", ">~", 1)
    error = refusal(text)
    assert error.segment == 2 and "line break inside a segment" in error.reason
    assert "end segments with ']'" in error.reason


def test_wrong_terminator_without_line_breaks_fails_the_envelope():
    from edi.envelope import open_envelope

    text = interchange([BODY], terminator="]", newline="").decode().replace(">]", ">~", 1)
    result = tokenize(text)  # one long GS segment: readable, but no envelope
    reasons = " ".join(e.reason for e in open_envelope(result).errors)
    assert "no IEA trailer" in reasons


def test_not_utf8_is_refused_with_its_position():
    error = refusal(interchange([BODY]).replace(b"Acme", b"Acm\xe9"))
    assert error.segment is None and "not UTF-8" in error.reason and "position" in error.reason


def test_data_after_iea_is_refused():
    text = interchange([BODY]) + b"ISA*00~"
    error = refusal(text)
    assert error.segment == 11 and "after the IEA" in error.reason


def test_empty_file():
    assert "empty" in refusal(b"  \n").reason


def test_the_documented_samples_are_the_tested_ones():
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "edi"
    names = sorted(p.name for p in docs.glob("*.edi"))
    assert names == ["852-4010.edi", "852-5010-brackets.edi", "867-4010.edi", "867-5010.edi"]
    for name in names:
        assert (docs / name).read_bytes() == fixture(name), name
