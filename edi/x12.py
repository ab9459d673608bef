"""Reading an X12 interchange into segments, with the delimiters its ISA header declares.

Pure Python, no database: the tokenizer and its errors are tested on their own.

The ISA segment declares every delimiter:

- element separator: the character right after "ISA";
- repetition separator: ISA11 in version 00501 and later (in 00401 ISA11 is the standards identifier, "U");
- component (sub-element) separator: ISA16, one character;
- segment terminator: the character right after ISA16.

Real files bend the standard, and what can be read without guessing is accepted:

- any segment terminator (`~`, `]`, `'`, a newline…), followed or not by CR/LF line breaks, which are dropped;
- ISA fields not padded to their fixed widths (the sixteen fields are found by the element separator, and the
  character after ISA16 must be followed by a GS segment, so a wrong reading cannot pass unnoticed);
- a UTF-8 byte-order mark, and blank lines or spaces before ISA or after IEA.

What cannot be read unambiguously is refused with the segment number (1 for ISA), the segment id, the element
position (ISA16 is element 16) and the reason: a delimiter that is a letter or digit, two delimiters that are the
same character, an ISA with fewer than sixteen elements, text that is not UTF-8, data after the IEA trailer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

ISA_ELEMENTS = 16
PADDED_ISA_LENGTH = 106  # "ISA" + 16 separators + fixed widths: ISA16 at index 104, the terminator at 105
LINE_BREAKS = "\r\n"
VERSIONS_WITH_REPETITION = ("00501", "00502", "00503", "00504", "00505", "00506", "00507", "00508", "00601")


@dataclass(frozen=True)
class X12Error:
    """One problem, located: `segment` counts from 1 at ISA; `element` counts from 1 (0: the segment as a whole)."""

    segment: int | None
    segment_id: str
    element: int
    reason: str
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "segment": self.segment,
            "segment_id": self.segment_id,
            "element": self.element,
            "value": self.value,
            "reason": self.reason,
        }

    @property
    def position(self) -> str:
        """Where, as people write it: "ZA02 (segment 14)"."""
        if self.segment is None:
            return "file"
        name = f"{self.segment_id}{self.element:02d}" if self.element else self.segment_id or "segment"
        return f"{name} (segment {self.segment:,})"

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


class X12SyntaxError(Exception):
    """The interchange cannot be read at all (its delimiters or encoding); carries one located error."""

    def __init__(self, error: X12Error):
        super().__init__(str(error))
        self.error = error


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    segment: str
    repetition: str | None = None

    def describe(self) -> str:
        def shown(char: str) -> str:
            return {"\n": "newline", "\r": "carriage return", "\t": "tab", " ": "space"}.get(char, char)

        text = f"elements {shown(self.element)}, components {shown(self.component)}, segments {shown(self.segment)}"
        return text + (f", repetitions {shown(self.repetition)}" if self.repetition else "")


@dataclass(frozen=True)
class Segment:
    """One segment: `number` is its position in the interchange (ISA is 1); `elements[0]` is its id."""

    number: int
    elements: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.elements[0]

    def get(self, position: int) -> str:
        """Element at `position` (1-based, as XQ02), stripped; "" when absent."""
        if position < len(self.elements):
            return self.elements[position].strip()
        return ""

    def error(self, element: int, reason: str, value: str | None = None) -> X12Error:
        shown = self.get(element) if value is None and element else (value or "")
        return X12Error(self.number, self.id, element, reason, shown[:80])


@dataclass
class Interchange:
    """The tokenized interchange: its delimiters and every segment, ISA first."""

    delimiters: Delimiters
    segments: list[Segment] = field(default_factory=list)
    isa_padded: bool = True

    @property
    def isa(self) -> Segment:
        return self.segments[0]


def decode(content: bytes) -> str:
    """The interchange as text; X12SyntaxError when it is not UTF-8 (its basic and extended sets are)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise X12SyntaxError(
            X12Error(
                None,
                "",
                0,
                f"not UTF-8 text: the byte at position {exc.start:,} is not valid UTF-8; "
                "send the interchange as plain ASCII or UTF-8",
            )
        ) from exc


def _isa_error(element: int, reason: str, value: str = "") -> X12SyntaxError:
    return X12SyntaxError(X12Error(1, "ISA", element, reason, value))


def read_delimiters(text: str) -> tuple[Delimiters, int, bool]:
    """The delimiters the ISA header declares, where ISA ends (index of its terminator) and whether it is padded.

    `text` starts at "ISA". Raises X12SyntaxError, located at the ISA element concerned, when they cannot
    be read unambiguously.
    """
    if not text.startswith("ISA"):
        found = text[:3].strip() or "nothing"
        raise X12SyntaxError(
            X12Error(1, found[:3], 0, f"an interchange starts with an ISA segment; this one starts with {found!r}")
        )
    if len(text) < 4:
        raise _isa_error(0, "the ISA segment is cut short")
    element = text[3]
    if element.isalnum() or element in LINE_BREAKS or element == " ":
        raise _isa_error(0, f"the element separator (the character after ISA) is {element!r}: it must be a symbol")
    parts = text[4:].split(element, ISA_ELEMENTS - 1)
    if len(parts) < ISA_ELEMENTS:
        raise _isa_error(
            len(parts),
            f"the ISA segment has {len(parts)} elements separated by {element!r}; it needs {ISA_ELEMENTS}",
        )
    tail = parts[ISA_ELEMENTS - 1]  # ISA16 and everything after it
    if len(tail) < 2:
        raise _isa_error(16, "ISA16 (the component separator) and the segment terminator are missing")
    component, segment = tail[0], tail[1]
    if component.isalnum() or component in LINE_BREAKS or component == " ":
        raise _isa_error(16, f"the component separator (ISA16) is {component!r}: it must be a symbol", component)
    if segment.isalnum() or segment == " ":
        raise _isa_error(
            16,
            f"the character after ISA16 is {segment!r}, which cannot be a segment terminator; ISA16 must be "
            "one character, followed by the segment terminator",
            tail[:3],
        )
    version = parts[11].strip()
    repetition = parts[10].strip() if version in VERSIONS_WITH_REPETITION else None
    if repetition is not None and (len(repetition) != 1 or repetition.isalnum()):
        raise _isa_error(
            11, f"in version {version} ISA11 is the repetition separator, one symbol; it is {parts[10]!r}", parts[10]
        )
    chosen = {"element": element, "component": component, "segment": segment}
    if repetition is not None:
        chosen["repetition"] = repetition
    seen: dict[str, str] = {}
    for name, char in chosen.items():
        if char in seen:
            raise _isa_error(
                16 if "component" in (name, seen[char]) else 11,
                f"the {seen[char]} separator and the {name} {'terminator' if name == 'segment' else 'separator'} "
                f"are the same character {char!r}; the file cannot be split unambiguously",
                char,
            )
        seen[char] = name
    end = 4 + sum(len(p) + 1 for p in parts[: ISA_ELEMENTS - 1]) + 1  # index of the terminator
    padded = end == PADDED_ISA_LENGTH - 1
    return Delimiters(element, component, segment, repetition), end, padded


def _segments(body: str, delimiters: Delimiters, first_number: int) -> Iterator[Segment]:
    """Split the text after ISA into segments; line breaks around terminators are dropped, blank segments skipped."""
    number = first_number
    for raw in body.split(delimiters.segment):
        piece = raw.strip(LINE_BREAKS)
        if not piece.strip():
            continue
        number += 1
        yield Segment(number, tuple(piece.split(delimiters.element)))


def tokenize(content: bytes | str) -> Interchange:
    """The interchange's delimiters and segments; X12SyntaxError when it cannot be read unambiguously.

    Segment ids are checked here (two or three letters or digits, starting with a letter), so that a wrong
    terminator or a stray character shows at the first segment it breaks, with its number.
    """
    text = decode(content) if isinstance(content, bytes) else content
    start = len(text) - len(text.lstrip())
    text = text[start:]
    if not text:
        raise X12SyntaxError(X12Error(None, "", 0, "the file is empty"))
    delimiters, end, padded = read_delimiters(text)
    isa = Segment(1, ("ISA", *text[4:end].split(delimiters.element)))
    interchange = Interchange(delimiters=delimiters, segments=[isa], isa_padded=padded)
    following = text[end + 1 :].lstrip(LINE_BREAKS + " ")
    if not following.startswith("GS" + delimiters.element) and not following.startswith("IEA" + delimiters.element):
        shown = following[:20].replace("\n", "\\n").replace("\r", "\\r")
        raise _isa_error(
            16,
            f"after the ISA segment, read with {delimiters.describe()}, a GS segment should follow, not {shown!r}: "
            "ISA16 must be one character followed by the segment terminator",
            text[end - 1 : end + 1],
        )
    ended = False
    for segment in _segments(text[end + 1 :], delimiters, 1):
        sid = segment.id.strip()
        broken = next((e for e in segment.elements if "\n" in e or "\r" in e), None)
        if broken is not None:
            cut = broken.replace("\r", "\n").split("\n")[0]
            hint = f"; the file seems to end segments with {cut[-1]!r}" if cut and not cut[-1].isalnum() else ""
            raise X12SyntaxError(
                X12Error(
                    segment.number,
                    sid[:3],
                    0,
                    f"a line break inside a segment: the segment terminator declared in ISA is "
                    f"{delimiters.segment!r}{hint}",
                )
            )
        if ended:
            raise X12SyntaxError(
                X12Error(segment.number, sid[:3], 0, "data after the IEA trailer: send one interchange per file")
            )
        if not (2 <= len(sid) <= 3 and sid[0].isalpha() and sid.isalnum() and sid == sid.upper()):
            shown = segment.elements[0][:20]
            raise X12SyntaxError(
                X12Error(
                    segment.number,
                    shown[:3],
                    0,
                    f"{shown!r} is not a segment id: the segment terminator {delimiters.segment!r} and element "
                    f"separator {delimiters.element!r} declared in ISA do not fit this file here",
                    shown,
                )
            )
        if sid != segment.elements[0]:
            segment = Segment(segment.number, (sid, *segment.elements[1:]))
        interchange.segments.append(segment)
        ended = sid == "IEA"
    return interchange
