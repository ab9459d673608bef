"""The envelope of an interchange: ISA/IEA, GS/GE and ST/SE, checked and opened into transaction sets.

Pure Python over `x12.Interchange`. Every rule below that fails becomes an `X12Error` at the segment and
element concerned, and checking goes on, so that one answer lists everything wrong with the file:

- ISA12 is 00401 or 00501 (versions 4010 and 5010); ISA13 is the control number (up to nine digits);
  ISA15 is P (production) or T (test);
- IEA01 counts the functional groups, IEA02 repeats ISA13;
- GS06 is the group control number, unique in the interchange; GS08 starts with 004010 or 005010;
  GS01 is the functional identifier of the sets inside (PD for 852, PT for 867);
- GE01 counts the group's transaction sets, GE02 repeats GS06;
- ST01 is a transaction set this product takes (852 or 867); ST02 is unique in its group;
- SE01 counts the segments from ST to SE, both included; SE02 repeats ST02;
- segments nest: GS inside ISA, ST inside GS, data inside ST, and every header has its trailer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .x12 import Interchange, Segment, X12Error

# Transaction set → (functional identifier code of its group, what it is).
ACCEPTED_SETS = {
    "852": ("PD", "product activity data"),
    "867": ("PT", "product transfer and resale report"),
}
ISA_VERSIONS = {"00401": "4010", "00501": "5010"}
GS_VERSIONS = ("004010", "005010")


@dataclass
class TransactionSet:
    """One ST…SE, with the group it came in; `segments` runs from ST to SE inclusive."""

    code: str
    control: str
    group_control: str
    version: str
    segments: list[Segment]

    @property
    def st(self) -> Segment:
        return self.segments[0]

    @property
    def body(self) -> list[Segment]:
        """The segments between ST and SE."""
        return self.segments[1:-1] if self.segments[-1].id == "SE" else self.segments[1:]


@dataclass
class Envelope:
    """What the ISA header says, the transaction sets inside, and every envelope problem."""

    sender_qualifier: str = ""
    sender_id: str = ""
    receiver_qualifier: str = ""
    receiver_id: str = ""
    control_number: str = ""
    version: str = ""
    usage: str = ""
    group_senders: list[str] = field(default_factory=list)
    transactions: list[TransactionSet] = field(default_factory=list)
    errors: list[X12Error] = field(default_factory=list)
    segment_count: int = 0

    @property
    def is_test(self) -> bool:
        return self.usage == "T"

    def kinds(self) -> list[str]:
        return sorted({t.code for t in self.transactions})


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _same_control(a: str, b: str) -> bool:
    """Control numbers compare as numbers when both are digits (000000905 = 905), as text otherwise."""
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _check_isa(isa: Segment, envelope: Envelope) -> None:
    errors = envelope.errors
    envelope.sender_qualifier, envelope.sender_id = isa.get(5), isa.get(6)
    envelope.receiver_qualifier, envelope.receiver_id = isa.get(7), isa.get(8)
    envelope.control_number, envelope.version, envelope.usage = isa.get(13), isa.get(12), isa.get(15)
    if len(isa.elements) != 17:
        errors.append(isa.error(0, f"the ISA segment has {len(isa.elements) - 1} elements; it needs 16"))
    if envelope.version not in ISA_VERSIONS:
        errors.append(isa.error(12, "unsupported interchange version: 00401 (4010) and 00501 (5010) are accepted"))
    if not envelope.control_number.isdigit() or len(envelope.control_number) > 9:
        errors.append(isa.error(13, "the interchange control number must be up to nine digits"))
    if envelope.usage not in ("P", "T"):
        errors.append(isa.error(15, "the usage indicator must be P (production) or T (test)"))
    if not envelope.sender_id:
        errors.append(isa.error(6, "the interchange sender id is empty"))


def open_envelope(interchange: Interchange) -> Envelope:
    """Check the envelope and return the transaction sets it holds (even when there are errors)."""
    envelope = Envelope(segment_count=len(interchange.segments))
    errors = envelope.errors
    isa = interchange.isa
    _check_isa(isa, envelope)

    group: Segment | None = None
    group_sets: list[str] = []
    group_controls: dict[str, int] = {}
    groups = 0
    current: list[Segment] | None = None
    trailer: Segment | None = None

    def close_set(at: Segment, reason: str) -> None:
        nonlocal current
        if current is not None:
            errors.append(current[0].error(0, f"{reason}: this transaction set has no SE trailer"))
            _add_set(envelope, group, current, closed=False)
            current = None

    for segment in interchange.segments[1:]:
        sid = segment.id
        if sid == "GS":
            close_set(segment, f"a GS segment (segment {segment.number:,}) came first")
            if group is not None:
                errors.append(
                    group.error(0, f"this functional group has no GE trailer before GS (segment {segment.number:,})")
                )
            group, group_sets = segment, []
            groups += 1
            _check_gs(segment, errors, group_controls)
        elif sid == "GE":
            close_set(segment, f"the GE trailer (segment {segment.number:,}) came first")
            if group is None:
                errors.append(segment.error(0, "GE trailer without a GS header"))
                continue
            _check_ge(segment, group, group_sets, errors)
            group = None
        elif sid == "ST":
            close_set(segment, f"another ST (segment {segment.number:,}) came first")
            if group is None:
                errors.append(segment.error(0, "ST outside a functional group: a GS header must come first"))
            current = [segment]
            group_sets.append(segment.get(2))
            _check_st(segment, group, group_sets, errors)
        elif sid == "SE":
            if current is None:
                errors.append(segment.error(0, "SE trailer without an ST header"))
                continue
            current.append(segment)
            _check_se(segment, current, errors)
            _add_set(envelope, group, current, closed=True)
            current = None
        elif sid == "IEA":
            close_set(segment, "the IEA trailer came first")
            if group is not None:
                errors.append(group.error(0, "this functional group has no GE trailer before IEA"))
                group = None
            trailer = segment
            if _number(segment.get(1)) != groups:
                errors.append(
                    segment.error(
                        1, f"IEA01 says {segment.get(1) or 'nothing'}, the interchange has {groups} functional group(s)"
                    )
                )
            if not _same_control(segment.get(2), envelope.control_number):
                errors.append(
                    segment.error(
                        2, f"IEA02 does not repeat the interchange control number ISA13 ({envelope.control_number})"
                    )
                )
        elif sid == "ISA":
            errors.append(segment.error(0, "a second ISA inside the interchange: send one interchange per file"))
        elif current is None:
            where = "a functional group" if group is not None else "the interchange"
            errors.append(segment.error(0, f"{sid} segment outside a transaction set (between ST and SE), in {where}"))
        else:
            current.append(segment)
    last = interchange.segments[-1]
    if trailer is None:
        close_set(last, "the file ended first")
        if group is not None:
            errors.append(group.error(0, "this functional group has no GE trailer: the file ended first"))
        errors.append(last.error(0, "the interchange has no IEA trailer: the file is cut short"))
    if not envelope.transactions and not errors:
        errors.append(isa.error(0, "the interchange holds no transaction set"))
    return envelope


def _check_gs(gs: Segment, errors: list[X12Error], controls: dict[str, int]) -> None:
    control, version = gs.get(6), gs.get(8)
    if not control.isdigit():
        errors.append(gs.error(6, "the group control number (GS06) must be digits"))
    elif control.lstrip("0") in controls:
        errors.append(
            gs.error(
                6, f"group control number {control} is used twice (first at segment {controls[control.lstrip('0')]:,})"
            )
        )
    else:
        controls[control.lstrip("0")] = gs.number
    if not version.startswith(GS_VERSIONS):
        errors.append(gs.error(8, "unsupported version: 004010 (4010) and 005010 (5010) are accepted"))
    if not gs.get(2):
        errors.append(gs.error(2, "the application sender code (GS02) is empty"))


def _check_ge(ge: Segment, gs: Segment, sets: list[str], errors: list[X12Error]) -> None:
    if _number(ge.get(1)) != len(sets):
        errors.append(ge.error(1, f"GE01 says {ge.get(1) or 'nothing'}, the group has {len(sets)} transaction set(s)"))
    if not _same_control(ge.get(2), gs.get(6)):
        errors.append(
            ge.error(2, f"GE02 does not repeat the group control number GS06 ({gs.get(6)}, segment {gs.number:,})")
        )


def _check_st(st: Segment, gs: Segment | None, sets: list[str], errors: list[X12Error]) -> None:
    code, control = st.get(1), st.get(2)
    if code not in ACCEPTED_SETS:
        taken = ", ".join(f"{c} ({name})" for c, (_, name) in ACCEPTED_SETS.items())
        errors.append(st.error(1, f"transaction set {code or '(empty)'} is not taken here; send {taken}"))
    elif gs is not None and gs.get(1) != ACCEPTED_SETS[code][0]:
        errors.append(
            st.error(
                1,
                f"a {code} belongs in a functional group {ACCEPTED_SETS[code][0]}, "
                f"this group (segment {gs.number:,}) is {gs.get(1) or 'unnamed'}",
            )
        )
    if not control:
        errors.append(st.error(2, "the transaction set control number (ST02) is empty"))
    elif sum(1 for c in sets if _same_control(c, control)) > 1:
        errors.append(st.error(2, f"transaction set control number {control} is used twice in this group"))


def _check_se(se: Segment, segments: list[Segment], errors: list[X12Error]) -> None:
    st = segments[0]
    if _number(se.get(1)) != len(segments):
        errors.append(
            se.error(
                1, f"SE01 says {se.get(1) or 'nothing'} segments, the transaction set has {len(segments)} (ST to SE)"
            )
        )
    if not _same_control(se.get(2), st.get(2)):
        errors.append(se.error(2, f"SE02 does not repeat the control number ST02 ({st.get(2)}, segment {st.number:,})"))


def _add_set(envelope: Envelope, gs: Segment | None, segments: list[Segment], *, closed: bool) -> None:
    st = segments[0]
    if st.get(1) not in ACCEPTED_SETS:
        return
    envelope.transactions.append(
        TransactionSet(
            code=st.get(1),
            control=st.get(2),
            group_control=gs.get(6) if gs is not None else "",
            version=gs.get(8) if gs is not None else "",
            segments=segments,
        )
    )
    if gs is not None and gs.get(2) not in envelope.group_senders:
        envelope.group_senders.append(gs.get(2))
