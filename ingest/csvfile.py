"""Reading an uploaded CSV file: file-level checks, then every row through the kind's row validator.

File-level rules (the whole file is refused, nothing is imported):
- empty, binary (a spreadsheet, a PDF, an archive) or otherwise not CSV text;
- not UTF-8 (a UTF-8 byte-order mark, as Excel writes, is accepted);
- a required column missing from the header, or a column named twice.

The header is row 1, so row numbers match what a spreadsheet shows. Column
names ignore case and spaces ("On hand" is `on_hand`); unknown extra columns
are ignored; the separator may be a comma, a semicolon or a tab (read from the
header line); blank lines are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence

from core.spreadsheets import safe_text

from .validation import RowValidation, RowValidatorBase

_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive or an Excel .xlsx workbook",
    b"\xd0\xcf\x11\xe0": "an Excel .xls workbook",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1f\x8b": "a gzip archive",
}


class CsvFileError(Exception):
    """The file cannot be read as CSV at all; `column` names the columns concerned, if any."""

    def __init__(self, reason: str, column: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.column = column


def decode_csv(content: bytes) -> str:
    """The file as text, or `CsvFileError` saying why it is not a UTF-8 CSV file."""
    if not content or not content.strip():
        raise CsvFileError("the file is empty; it needs a header row and at least one data row")
    for signature, kind in _BINARY_SIGNATURES.items():
        if content.startswith(signature):
            raise CsvFileError(f"not a CSV file: it looks like {kind}. Save it as “CSV UTF-8” and upload that")
    if b"\x00" in content[:65536]:
        raise CsvFileError("not a CSV file: it contains binary data (or is UTF-16 text); save it as “CSV UTF-8”")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise CsvFileError(
            f"not UTF-8 text: the byte at position {exc.start} (line {line}) is not valid UTF-8. "
            "Save the file as “CSV UTF-8” and upload it again"
        )


def _column_name(raw: str) -> str:
    return "_".join(raw.strip().lower().replace("-", " ").split())


def _dialect_for(header_line: str) -> str:
    if "," in header_line:
        return ","
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    return ","


def count_data_lines(content: bytes) -> int:
    """A cheap estimate of the number of data rows (lines after the header), for progress bars."""
    lines = content.count(b"\n")
    if content and not content.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def iter_csv_rows(
    text: str, *, columns: Sequence[str], required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: value}) for each non-blank data row; `CsvFileError` for the file.

    `columns` is the template's header (for messages), `required` the columns the header must have.
    """
    template_header = ",".join(columns)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect_for(first_line))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise CsvFileError("the first row must be the header: " + template_header)
        names = [_column_name(cell) for cell in header]
        repeated = sorted({n for n in names if n and names.count(n) > 1})
        if repeated:
            raise CsvFileError("column named more than once in the header: " + ", ".join(repeated), ",".join(repeated))
        missing = [c for c in required if c not in names]
        if missing:
            raise CsvFileError(
                ("missing column: " if len(missing) == 1 else "missing columns: ")
                + ", ".join(missing)
                + f". The header must be: {template_header}",
                ",".join(missing),
            )
        while True:
            start = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue
            values = {name: cells[i] if i < len(cells) else None for i, name in enumerate(names) if name}
            extra = [cell for cell in cells[len(names) :] if cell.strip()]
            if extra:
                values["__extra__"] = f"{len(cells)} values for {len(names)} columns"
            yield start, values
    except csv.Error as exc:
        raise CsvFileError(f"not a readable CSV file (line {reader.line_num}): {exc}")


def validate_csv_with(
    content: bytes,
    validator: RowValidatorBase,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> RowValidation:
    """Check a whole file with `validator` without writing anything (file-level rules: module docstring)."""
    try:
        rows = iter_csv_rows(decode_csv(content), columns=columns, required=required)
        for count, (row, values) in enumerate(rows, start=1):
            if "__extra__" in values:
                validator.record_error(row, "", "more values than the header has columns", values.pop("__extra__"))
            validator.check(row, values)
            if progress and count % progress_every == 0:
                progress(count)
    except CsvFileError as exc:
        validator.file_error(exc.column, exc.reason)
    return validator.finish()


def errors_as_csv(errors: list[dict]) -> str:
    """The error report as CSV text (row, column, value, reason), for download.

    Every cell goes through the exports' formula guard: values, reasons and column names all come
    from the uploaded file, and the report is opened in a spreadsheet.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "column", "value", "reason"])
    for error in errors:
        row = error.get("row")
        cells = [row if row is not None else "file", error.get("column", ""), error.get("value", ""), error["reason"]]
        writer.writerow([safe_text(str(cell if cell is not None else "")) for cell in cells])
    return out.getvalue()
