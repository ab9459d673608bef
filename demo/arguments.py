"""Command-line argument types shared by the demo commands (clear errors for bad values)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime


def anchor_date(value: str) -> date:
    """A YYYY-MM-DD date that is not in the future: the demo history ends on it."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2026-11-01, not {value!r}")
    if day > datetime.now(UTC).date():
        raise argparse.ArgumentTypeError("must not be in the future: the history ends on this date")
    return day


def seed_number(value: str) -> int:
    """A random seed: a whole number of 0 or more."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of 0 or more, not {value!r}")
    return number
