"""Chart helpers and exports: titles, units, gaps for empty values, tables behind every chart, safe files."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from dashboards.charts import Column, Series, bar_chart, line_chart, table_only
from dashboards.exports import chart_csv_response, csv_response, xlsx_response
from dashboards.templatetags.dashboard_tags import change, delta, fmt

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def test_line_chart_has_title_axis_units_and_keeps_gaps():
    chart = line_chart(
        "rev",
        "Won revenue",
        months=MONTHS,
        series=[Series("Revenue", [Decimal("10.5"), None, 3])],
        kind="money",
        y_title="Won revenue (USD)",
        empty_message="Nothing yet",
    )
    layout = chart.figure["layout"]
    assert layout["title"]["text"] == "Won revenue"
    assert layout["yaxis"]["title"]["text"] == "Won revenue (USD)"
    assert layout["xaxis"]["title"]["text"] == "Month"
    assert list(chart.figure["data"][0]["y"]) == [10.5, None, 3]
    assert chart.rows == [["2026-01", Decimal("10.5")], ["2026-02", None], ["2026-03", 3]]
    assert [c.label for c in chart.columns] == ["Month", "Revenue"]


def test_a_chart_with_only_empty_values_is_an_empty_state_not_a_blank_chart():
    chart = line_chart(
        "x",
        "X",
        months=MONTHS,
        series=[Series("A", [None, None, None])],
        kind="count",
        y_title="n",
        empty_message="No inventory reported yet",
    )
    assert chart.is_empty and chart.figure is None
    bars = bar_chart(
        "b",
        "B",
        categories=[],
        series=[Series("A", [])],
        kind="count",
        value_title="n",
        category_title="c",
        empty_message="none",
    )
    assert bars.is_empty
    assert table_only("t", "T", columns=[Column("a")], rows=[], empty_message="none").is_empty


def test_horizontal_bars_put_values_on_x():
    chart = bar_chart(
        "b",
        "Revenue by tier",
        categories=["Gold", "Silver"],
        series=[Series("Revenue", [5, 2])],
        kind="money",
        value_title="USD",
        category_title="Tier",
        empty_message="",
        horizontal=True,
    )
    trace = chart.figure["data"][0]
    assert trace["orientation"] == "h" and list(trace["x"]) == [5, 2]
    assert chart.figure["layout"]["xaxis"]["title"]["text"] == "USD"


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_csv_writes_numbers_plainly_empty_as_blank_and_neutralises_formulas():
    columns = [Column("Partner"), Column("Revenue", "money"), Column("Win rate", "percent")]
    response = csv_response("Partners", columns, [["=HYPERLINK(1)", Decimal("1234.50"), 0.425], ["Bravo", None, None]])
    lines = _body(response).splitlines()
    assert lines[0] == "Partner,Revenue (USD),Win rate (%)"
    assert lines[1] == "'=HYPERLINK(1),1234.50,42.50"
    assert lines[2] == "Bravo,,"
    assert response["Content-Disposition"] == 'attachment; filename="partners.csv"'


def test_xlsx_has_header_formats_and_real_numbers():
    columns = [Column("Partner"), Column("Revenue", "money"), Column("Win rate", "percent")]
    response = xlsx_response("Partners", columns, [["Alpha", Decimal("10.25"), 0.5], ["@x", None, None]])
    assert response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Partner", "Revenue (USD)", "Win rate (%)")
    assert rows[1] == ("Alpha", 10.25, 0.5)
    assert rows[2] == ("'@x", None, None)
    assert sheet["C2"].number_format == "0.0%"


def test_formatting_and_changes():
    assert fmt(None, "money") == "—"
    assert fmt(Decimal("12345.6"), "money") == "12,346"
    assert fmt(0.4251, "percent") == "42.5 %"
    assert fmt(0, "count") == "0"
    assert change(0.5, 0.4, "percent") == (pytest.approx(10.0), "pts")
    assert change(120, 100, "money") == (20.0, "%")
    assert change(5, 0, "money") == (None, "")
    assert change(0, 0, "count") == (0.0, "%")
    assert "unchanged" in delta(0, 0, "count", "Jan")
    assert "delta-good" in delta(80, 100, "hours", "Jan", True)
    assert "delta-bad" in delta(80, 100, "money", "Jan")
    assert "no comparison" in delta(None, 100, "money", "Jan")


def test_chart_csv_writes_money_to_the_cent():
    """A sum of Decimals carries the database's precision (3532586.3500000000); the CSV shows cents, as the chart."""
    values = [Decimal("3532586.3500000000"), Decimal("10.005"), Decimal("7")]
    chart = bar_chart(
        "revenue_by_tier",
        "Won revenue by tier",
        categories=["Gold", "Silver", "Bronze"],
        series=[Series("Won revenue", values)],
        kind="money",
        value_title="Won revenue (USD)",
        category_title="Tier",
        empty_message="",
    )
    lines = _body(chart_csv_response(chart, "2026-03")).splitlines()
    written = [line.split(",")[1] for line in lines[1:]]
    expected = [f"{round(float(v) * 100 + 1e-9) / 100:.2f}" for v in values]  # cents, halves up, computed apart
    assert written == expected == ["3532586.35", "10.01", "7.00"]
