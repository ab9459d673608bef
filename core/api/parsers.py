"""The API's JSON parser: DRF's, refusing what no field could hold before any field sees it.

Three things parse as JSON (with Python's json module) yet cannot be handled as data:

- NaN, Infinity and numbers beyond a float (`1e400`): not numbers JSON allows (RFC 8259), and DRF's
  fields turn them into the text "nan" or "inf" where text is expected;
- unpaired UTF-16 surrogate escapes (`"\\ud800"`): valid escapes, but not Unicode text; PostgreSQL,
  the UTF-8 encoder and the renderer refuse them, so they used to end in a server error wherever
  they reached a query or an error message that repeats the input;
- nesting deeper than MAX_DEPTH: no request needs more than a handful of levels, and deep data
  exhausts the recursion of whatever walks it (the parser itself beyond about a thousand).

The first two answer 400 `invalid` naming where they are, nested like the data
(`{"items": {"3": {"on_hand": […]}}}`), as a field's own error would; too deep answers 400
`parse_error`. The data is walked only when the body can hold one of them (a surrogate escape in the
text, a non-finite number met while parsing, more brackets than MAX_DEPTH), so a small body is not
walked at all and a 10,000-item bulk body costs a few milliseconds more.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

MAX_DEPTH = 32
NOT_A_NUMBER = "Not a number JSON allows: NaN, Infinity and numbers beyond ±1.8e308 are refused."
NOT_TEXT = "Not valid Unicode text: an unpaired surrogate escape (\\ud800–\\udfff)."
TOO_DEEP = f"JSON parse error - nested more than {MAX_DEPTH} levels deep."

_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


class _NonFinite:
    """Stands where the body had NaN, ±Infinity or a number too large for a float."""


_NON_FINITE = _NonFinite()


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _problems(data: Any, *, check_text: bool) -> list[tuple[tuple[str, ...], str]]:
    """(path, message) of every non-finite number and, if `check_text`, every string or key that is not text.

    Iterative, so depth cannot exhaust the stack; deeper than MAX_DEPTH is a ParseError.
    """
    found: list[tuple[tuple[str, ...], str]] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict | list) and len(path) >= MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        if value is _NON_FINITE:
            found.append((path, NOT_A_NUMBER))
        elif isinstance(value, str):
            if check_text and not _is_text(value):
                found.append((path, NOT_TEXT))
        elif isinstance(value, dict):
            for key, item in value.items():
                if check_text and not _is_text(key):
                    found.append(((*path, key.encode("utf-8", "backslashreplace").decode()), NOT_TEXT))
                else:
                    stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(value))
    return sorted(found)


def _too_deep(data: Any) -> bool:
    """Whether containers nest more than MAX_DEPTH levels; looks at containers only (the common bulk body)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _field_errors(problems: list[tuple[tuple[str, ...], str]]) -> dict:
    """{"items": {"3": {"on_hand": [message]}}} from paths; a problem with the whole body is a non-field error."""
    errors: dict = {}
    for path, message in problems:
        *parents, name = path or ("non_field_errors",)
        node = errors
        for key in parents:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):  # a refused key's printable form spelled like a real key
                break
            node = child
        messages = node.setdefault(name, [])
        (messages if isinstance(messages, list) else node.setdefault("non_field_errors", [])).append(message)
    return errors


class StrictJSONParser(parsers.JSONParser):
    """JSON bodies as DRF parses them, minus what no field can hold (see the module docstring)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read()
        non_finite: list[str] = []

        def constant(name: str) -> _NonFinite:
            non_finite.append(name)
            return _NON_FINITE

        def number(text: str) -> float | _NonFinite:
            value = float(text)
            return value if math.isfinite(value) else constant(text)

        try:
            data = json.loads(raw.decode(encoding), parse_constant=constant, parse_float=number)
        except ValueError as exc:  # also UnicodeDecodeError and integers of more than 4,300 digits
            raise ParseError(f"JSON parse error - {exc}") from exc
        except RecursionError as exc:
            raise ParseError(TOO_DEEP) from exc
        check_text = _SURROGATE_ESCAPE.search(raw) is not None
        if non_finite or check_text:
            problems = _problems(data, check_text=check_text)
            if problems:
                raise ValidationError(_field_errors(problems))
        elif isinstance(data, dict | list) and raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _too_deep(data):
            raise ParseError(TOO_DEEP)
        return data
