"""CSV and XLSX downloads of dashboard tables and chart data.

Both formats write the same columns: numbers stay numbers (no thousands
separators, empty cells for empty values, never 0), percentages are written as
percent figures in CSV ("42.5" under "Approval rate (%)") and as real
percentages in XLSX. Text that a spreadsheet would run as a formula is
prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from core.spreadsheets import safe_text

from .charts import Chart, Column

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


def header(column: Column) -> str:
    suffix = UNIT_SUFFIX.get(column.kind, "")
    return column.label if column.label.endswith(suffix) else column.label + suffix


def csv_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if kind == "percent":
        return f"{float(value) * 100:.2f}"
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


def _filename(name: str, extension: str) -> str:
    return f"{slugify(name) or 'export'}.{extension}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Stream rows as CSV (UTF-8 with a byte-order mark so spreadsheet programs read accents right)."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([header(c) for c in columns])
        for row in rows:
            yield writer.writerow([csv_value(v, c.kind) for v, c in zip(row, columns, strict=False)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "csv")}"'
    return response


def xlsx_response(name: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """One worksheet, a bold header row, number formats by column kind, frozen header."""
    # openpyxl loads with the first workbook, not with the URL configuration (faster start-up).
    from openpyxl import Workbook
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
            if column.kind in XLSX_FORMATS and value is not None and not isinstance(value, str):
                cell.number_format = XLSX_FORMATS[column.kind]
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(name, "xlsx")}"'
    return response


def chart_csv_response(chart: Chart, period_label: str) -> StreamingHttpResponse:
    """The data behind one chart, named after the chart and the period."""
    return csv_response(f"{chart.title} {period_label}", chart.columns, chart.rows)
