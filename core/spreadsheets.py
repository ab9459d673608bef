"""Spreadsheet downloads (CSV and Excel): one writer for every list and every chart.

Both formats write the same columns: numbers stay numbers (no thousands separators, empty cells for empty
values, never 0), money is written to the cent, percentages as percent figures in CSV ("42.5" under
"Approval rate (%)") and as real percentages in XLSX. Text that a spreadsheet would run as a formula is
prefixed with an apostrophe (CSV injection). Both answers stream: CSV line by line as the rows arrive, XLSX
from a write-only workbook spooled to a temporary file, so a long list is never held in memory.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify

# A cell starting with one of these is read as a formula (or, with tab and carriage return, can become
# one after the spreadsheet trims it): "=HYPERLINK(...)" in a customer name would run on the reader's machine.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

UNIT_SUFFIX = {"money": " (USD)", "percent": " (%)", "hours": " (hours)", "days": " (days)"}
XLSX_FORMATS = {
    "money": "#,##0.00",
    "count": "#,##0",
    "percent": "0.0%",
    "number": "#,##0.0",
    "score": "0",
    "hours": "#,##0.0",
    "days": "#,##0.0",
    "per_thousand": "#,##0.00",
}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CENT = Decimal("0.01")


def safe_text(value: str) -> str:
    """`value`, with a leading apostrophe when it starts like a formula, so the spreadsheet shows it as text."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


@dataclass(frozen=True)
class Column:
    """A column of a download or a chart's table: its heading and the kind of value it holds.

    Kinds: text, money, count, percent (a fraction), number, score, hours, days, per_thousand, date.
    """

    label: str
    kind: str = "text"


class HasLabelAndKind(Protocol):
    label: str
    kind: str


def header(column: HasLabelAndKind) -> str:
    suffix = UNIT_SUFFIX.get(column.kind, "")
    return column.label if column.label.endswith(suffix) else column.label + suffix


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if kind == "percent":
        return f"{float(value) * 100:.2f}"
    if kind == "money" and _is_number(value):
        # Money to the cent, as the charts show it: a sum of Decimals carries database precision otherwise.
        return str(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return value


def xlsx_value(value: Any, kind: str) -> Any:
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value


def filename(name: str, extension: str) -> str:
    return f"{slugify(name) or 'export'}.{extension}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(columns: Sequence[HasLabelAndKind], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text, one line at a time (UTF-8 with a byte-order mark so spreadsheet programs read accents right)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([header(c) for c in columns])
    for row in rows:
        yield writer.writerow([csv_value(v, c.kind) for v, c in zip(row, columns, strict=False)])


def csv_response(name: str, columns: Sequence[HasLabelAndKind], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Stream rows as CSV; `rows` is consumed while the answer is sent."""
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(name, "csv")}"'
    return response


def xlsx_response(name: str, columns: Sequence[HasLabelAndKind], rows: Iterable[Sequence[Any]]) -> FileResponse:
    """One worksheet, a bold header row, number formats by column kind, frozen header.

    The write-only workbook keeps one row at a time; the finished file is spooled to a temporary file
    (in memory up to 1 MB, on disk beyond) and streamed from there.
    """
    from openpyxl import Workbook  # openpyxl loads with the first spreadsheet, not with the URL configuration
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(name[:31] or "Export").replace("/", "-"))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    head = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=header(column))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value, column in zip(row, columns, strict=False):
            cell = WriteOnlyCell(sheet, value=xlsx_value(value, column.kind))
            if column.kind in XLSX_FORMATS and _is_number(value):
                cell.number_format = XLSX_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename(name, "xlsx"), content_type=XLSX_CONTENT_TYPE)
