"""Reading an uploaded inventory CSV: the shared file rules (ingest.csvfile), then every row through
`InventoryRowValidator`. The template's columns are `COLUMNS`; see ingest/csvfile.py for the file-level
rules (encoding, separators, header)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ingest.csvfile import CsvFileError, count_data_lines, decode_csv, errors_as_csv, validate_csv_with

from .validation import COLUMNS, REQUIRED_COLUMNS, InventoryRowValidator, RowValidation

__all__ = ["TEMPLATE_HEADER", "CsvFileError", "count_data_lines", "decode_csv", "errors_as_csv", "validate_csv"]

TEMPLATE_HEADER = ",".join(COLUMNS)


def validate_csv(
    content: bytes,
    *,
    today: date | None = None,
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> RowValidation:
    """Check a whole inventory file without writing anything."""
    return validate_csv_with(
        content,
        InventoryRowValidator(today=today, max_errors=max_errors),
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        progress=progress,
        progress_every=progress_every,
    )
