"""Build X12 interchanges for tests: right counts by default, any part bent on request."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "edi"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def isa(
    sender: str = "ACMENET",
    control: int = 101,
    version: str = "00401",
    *,
    padded: bool = True,
    repetition: str = "U",
    element: str = "*",
    component: str = ">",
    usage: str = "P",
) -> str:
    if padded:
        fields = [
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender.ljust(15),
            "ZZ",
            "PRMVENDOR".ljust(15),
            "260201",
            "0930",
            repetition,
            version,
            f"{control:09d}",
            "0",
            usage,
            component,
        ]
    else:
        fields = [
            "00",
            "",
            "00",
            "",
            "ZZ",
            sender,
            "ZZ",
            "PRMVENDOR",
            "260201",
            "0930",
            repetition,
            version,
            str(control),
            "0",
            usage,
            component,
        ]
    return "ISA" + element + element.join(fields)


def interchange(
    sets: Sequence[Sequence[str]],
    *,
    code: str = "852",
    sender: str = "ACMENET",
    control: int = 101,
    version: str = "00401",
    gs_version: str | None = None,
    terminator: str = "~",
    newline: str = "\n",
    padded: bool = True,
    usage: str = "P",
) -> bytes:
    """An interchange of one functional group holding `sets` (each a list of body segments written with `*`)."""
    gs_id = {"852": "PD", "867": "PT"}.get(code, "XX")
    repetition = "^" if version == "00501" else "U"
    gs_version = gs_version or ("005010" if version == "00501" else "004010")
    segments = [isa(sender, control, version, padded=padded, repetition=repetition, usage=usage)]
    segments.append(f"GS*{gs_id}*{sender}*PRMVENDOR*20260201*0930*{control}*X*{gs_version}")
    for index, body in enumerate(sets, start=1):
        st = f"{index:04d}"
        segments += [f"ST*{code}*{st}", *body, f"SE*{len(body) + 2}*{st}"]
    segments += [f"GE*{len(sets)}*{control}", f"IEA*1*{control:09d}"]
    return ((terminator + newline).join(segments) + terminator + newline).encode()


def activity(
    *lines: tuple[str, dict[str, int]],
    start: str = "20260101",
    end: str = "20260131",
    location: str | None = "ACME-BER",
) -> list[str]:
    """An 852 body: XQ, an optional N1 RL location (qualifier 92) and per (LIN ids, {ZA code: qty}) a LIN loop."""
    body = [f"XQ*H*{start}*{end}"]
    if location:
        body.append(f"N1*RL*Acme Networks Berlin*92*{location}")
    for ids, quantities in lines:
        body.append(f"LIN**{ids}")
        body += [f"ZA*{za}*{qty}*EA" for za, qty in quantities.items()]
    return body
