"""CSV and XLSX downloads of dashboard tables and chart data, written by the shared writers of
`core.spreadsheets` (formats, units, formula escaping and streaming are described there)."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from core.spreadsheets import csv_response, csv_value, header, xlsx_response, xlsx_value

from .charts import Chart

__all__ = ["chart_csv_response", "csv_response", "csv_value", "header", "xlsx_response", "xlsx_value"]


def chart_csv_response(chart: Chart, period_label: str) -> StreamingHttpResponse:
    """The data behind one chart, named after the chart and the period."""
    return csv_response(f"{chart.title} {period_label}", chart.columns, chart.rows)
