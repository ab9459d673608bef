"""Reading an uploaded rate file: file-level checks, then every row through `validation.rates_validate_rows`.

File-level rules (the whole file is refused): empty, binary (a spreadsheet, a PDF) or not UTF-8 text (a
byte-order mark, as Excel writes, is accepted); a required column missing or a column named twice. The
header is row 1, so row numbers match what a spreadsheet shows; column names ignore case and spaces;
extra columns are ignored; the separator may be a comma, a semicolon or a tab; blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from .validation import COLUMNS, REQUIRED_COLUMNS, RateValidation, RowError, rates_validate_rows

TEMPLATE_HEADER = ",".join(COLUMNS)
TEMPLATE_EXAMPLE = "EUR,2026-03-01,month,1.0842\nGBP,2026-03-16,day,1.2716\n"
_BINARY = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b")


class RateFileError(Exception):
    def __init__(self, reason: str, column: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.column = column


def _decode(content: bytes) -> str:
    if not content or not content.strip():
        raise RateFileError("the file is empty; it needs a header row and at least one data row")
    if content.startswith(_BINARY) or b"\x00" in content[:65536]:
        raise RateFileError("not a CSV file (a spreadsheet or other binary file?): save it as “CSV UTF-8”")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise RateFileError(f"not UTF-8 text (line {line}): save the file as “CSV UTF-8” and upload it")


def _rows(text: str) -> list[tuple[int, dict]]:
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None) or []
        names = ["_".join(cell.strip().lower().split()) for cell in header]
        repeated = sorted({n for n in names if n and names.count(n) > 1})
        if repeated:
            raise RateFileError("column named more than once: " + ", ".join(repeated), ",".join(repeated))
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise RateFileError(
                f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
                f"The header must be: {TEMPLATE_HEADER}",
                ",".join(missing),
            )
        rows = []
        while True:
            number = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return rows
            if any(cell.strip() for cell in cells):
                rows.append((number, {name: cells[i] if i < len(cells) else None for i, name in enumerate(names)}))
    except csv.Error as exc:
        raise RateFileError(f"not a readable CSV file (line {reader.line_num}): {exc}")


def validate_rate_csv(content: bytes, *, today: date | None = None) -> RateValidation:
    """Check a whole rate file without writing anything."""
    try:
        rows = _rows(_decode(content))
    except RateFileError as exc:
        return RateValidation(errors=[RowError(None, exc.column, exc.reason)], file_error=True)
    if not rows:
        return RateValidation(errors=[RowError(None, "", "the file has a header but no data rows")], file_error=True)
    return rates_validate_rows(rows, today=today)
