"""What no page or message may say: wrong ordinals ("21th"), "(s)" plurals, "None"/"nan" shown as values."""

from __future__ import annotations

import re

from analytics.health import ordinal

_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_EMPTY_VALUE = re.compile(r"\b(None|nan|NaN)\b")


def wrong_ordinals(text: str) -> list[str]:
    """Each "<number><suffix>" in `text` whose suffix is not the number's ordinal one (analytics.health.ordinal)."""
    return [m.group(0) for m in _ORDINAL.finditer(text) if ordinal(int(m.group(1))) != m.group(0)]


def text_defects(text: str) -> list[str]:
    """Everything in a page's or message's visible text that reads as a template slip."""
    found = [f"wrong ordinal {w!r}" for w in wrong_ordinals(text)]
    found += [f"{m.group(0)!r} shown as a value" for m in _EMPTY_VALUE.finditer(text)]
    if "(s)" in text:
        found.append('"(s)" instead of a plural')
    return found
