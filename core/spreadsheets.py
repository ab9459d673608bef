"""Text bound for a spreadsheet (CSV and Excel downloads): never something a spreadsheet would run."""

from __future__ import annotations

# A cell starting with one of these is read as a formula (or, with tab and carriage return, can become
# one after the spreadsheet trims it): "=HYPERLINK(...)" in a customer name would run on the reader's machine.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """`value`, with a leading apostrophe when it starts like a formula, so the spreadsheet shows it as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value
