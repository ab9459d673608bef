"""Chart helpers: a plotly figure plus the table of the numbers behind it.

Every chart carries its data as rows (shown in a `<details>` table and
downloadable as CSV), a title, axis titles with units, and a message for when
there is nothing to draw. Figures are built with plotly's graph objects on an
empty template (the default template costs ~10 ms a figure) and rendered by
static/js/dashboards.js from JSON embedded in the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings

from core.spreadsheets import Column  # re-exported: the pages name a chart's columns from here

# Okabe–Ito: distinguishable with the common colour-vision deficiencies, all ≥ 3:1 on white except none used for text.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#6C757D", "#000000")
BAND_COLOURS = {"healthy": "#198754", "watch": "#B58105", "at_risk": "#B02A37"}
MEDIAN_COLOUR = "#6C757D"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# How each kind of number is shown on an axis: (plotly tickformat, suffix, axis unit words).
AXIS_FORMATS = {
    "money": (",.3~s", "", settings.PRM_REPORTING_CURRENCY),
    "count": (",d", "", ""),
    "percent": (".0%", "", "%"),
    "number": (",.1f", "", ""),
    "score": (",.0f", "", "0–100"),
    "hours": (",.0f", " h", "hours"),
    "days": (",.0f", " d", "days"),
    "per_thousand": (",.1f", "", "per 1,000 units"),
}


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Any]
    colour: str | None = None
    dashed: bool = False


@dataclass
class Chart:
    """One chart: `figure` is plotly JSON, or None when there is nothing to draw (then `empty_message` shows)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    figure: dict | None
    empty_message: str
    note: str = ""
    summary: str = ""
    extra: dict = field(default_factory=dict)
    table_only: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.rows if self.table_only else self.figure is None

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def data_id(self) -> str:
        return f"chart-{self.key}-data"


def plain(value: Any) -> Any:
    """A JSON-friendly number: Decimal → float, None stays None (a gap, never a 0)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def month_label(day: date) -> str:
    return day.strftime("%Y-%m")


MONTH_AXIS = {"type": "date", "tickformat": "%b %Y", "hoverformat": "%B %Y", "nticks": 8, "ticklabelmode": "instant"}


def month_axis(layout: dict) -> None:
    """Months on a date axis: plotly spaces the labels itself, so they never overlap or turn sideways."""
    layout["xaxis"] = {key: value for key, value in layout["xaxis"].items() if key != "type"} | MONTH_AXIS


def _has_data(series: Iterable[Series]) -> bool:
    return any(value is not None for s in series for value in s.values)


def _layout(title: str, x_title: str, y_title: str, y_kind: str, *, height: int, horizontal: bool = False) -> dict:
    tickformat, suffix, _ = AXIS_FORMATS.get(y_kind, AXIS_FORMATS["number"])
    value_axis = {
        "title": {"text": y_title},
        "tickformat": tickformat,
        "ticksuffix": suffix,
        "gridcolor": "#DEE2E6",
        "zerolinecolor": "#ADB5BD",
        "rangemode": "tozero",
        "automargin": True,
    }
    import plotly.graph_objects as go  # plotly loads with the first chart, not with the URL configuration

    category_axis = {"title": {"text": x_title}, "automargin": True, "linecolor": "#ADB5BD", "type": "category"}
    return {
        "template": go.layout.Template(),
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "colorway": list(PALETTE),
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 56, "b": 10},
        # At the foot of the figure (container coordinates), so plotly widens the bottom margin for it below
        # the x-axis title: a legend that wraps onto several rows (one entry per product line on a narrow
        # card) grows downwards and never covers the title, the plot or the axis labels.
        "legend": {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0},
        "hoverlabel": {"namelength": -1},
        "xaxis": value_axis if horizontal else category_axis,
        "yaxis": category_axis | {"autorange": "reversed"} if horizontal else value_axis,
    }


def _hover(kind: str, axis: str) -> str:
    """Hover text with the full number and its unit (the axis ticks are abbreviated)."""
    _, suffix, unit = AXIS_FORMATS.get(kind, AXIS_FORMATS["number"])
    number = {"money": ",.0f", "percent": ".1%", "count": ",d"}.get(kind, ",.1f")
    unit_words = f" {unit}" if kind in ("money", "per_thousand") else suffix
    return "%{fullData.name}: %{" + axis + ":" + number + "}" + unit_words + "<extra></extra>"


def line_chart(
    key: str,
    title: str,
    *,
    months: Sequence[date],
    series: Sequence[Series],
    kind: str,
    y_title: str,
    empty_message: str,
    x_title: str = "Month",
    note: str = "",
    height: int = 320,
) -> Chart:
    """Monthly trend lines (gaps where a value is empty)."""
    labels = [month_label(m) for m in months]
    columns = [Column("Month", "text"), *(Column(s.name, kind) for s in series)]
    rows = [[label, *(s.values[i] for s in series)] for i, label in enumerate(labels)]
    figure = None
    if labels and _has_data(series):
        import plotly.graph_objects as go

        traces = []
        for index, s in enumerate(series):
            colour = s.colour or PALETTE[index % len(PALETTE)]
            traces.append(
                go.Scatter(
                    x=[m.isoformat() for m in months],
                    y=[plain(v) for v in s.values],
                    name=s.name,
                    mode="lines+markers",
                    line={"color": colour, "width": 2, "dash": "dash" if s.dashed else "solid"},
                    marker={"size": 6, "symbol": "diamond" if s.dashed else "circle"},
                    hovertemplate=_hover(kind, "y"),
                )
            )
        layout = _layout(title, x_title, y_title, kind, height=height)
        month_axis(layout)
        layout["hovermode"] = "x unified"
        figure = go.Figure(data=traces, layout=layout).to_plotly_json()
    return Chart(key, title, columns, rows, figure, empty_message, note=note, summary=_summary(title, labels, series))


def bar_chart(
    key: str,
    title: str,
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    kind: str,
    value_title: str,
    category_title: str,
    empty_message: str,
    horizontal: bool = False,
    stacked: bool = False,
    note: str = "",
    height: int | None = None,
    colours: Sequence[str] | None = None,
    months: Sequence[date] | None = None,
) -> Chart:
    """Bars per category (horizontal for long names); `colours` colours each bar of a single series.

    With `months`, the categories are those months and are drawn on a date axis.
    """
    if months is not None:
        categories = [month_label(m) for m in months]
    columns = [Column(category_title, "text"), *(Column(s.name, kind) for s in series)]
    rows = [[category, *(s.values[i] for s in series)] for i, category in enumerate(categories)]
    figure = None
    if categories and _has_data(series):
        import plotly.graph_objects as go

        traces = []
        for index, s in enumerate(series):
            colour: Any = s.colour or PALETTE[index % len(PALETTE)]
            if colours is not None and len(series) == 1:
                colour = list(colours)
            values = [plain(v) for v in s.values]
            trace = {
                "name": s.name,
                "marker": {"color": colour},
                "orientation": "h" if horizontal else "v",
                "hovertemplate": _hover(kind, "x" if horizontal else "y"),
            }
            if horizontal:
                traces.append(go.Bar(x=values, y=list(categories), **trace))
            else:
                x = [m.isoformat() for m in months] if months is not None else list(categories)
                traces.append(go.Bar(x=x, y=values, **trace))
        if height is None:
            height = max(260, 60 + 28 * len(categories)) if horizontal else 320
        layout = _layout(
            title,
            value_title if horizontal else category_title,
            category_title if horizontal else value_title,
            kind,
            height=height,
            horizontal=horizontal,
        )
        if horizontal:
            layout["xaxis"]["title"] = {"text": value_title}
            layout["yaxis"]["title"] = {"text": category_title}
        if months is not None:
            month_axis(layout)
        layout["barmode"] = "stack" if stacked else "group"
        layout["showlegend"] = len(series) > 1
        figure = go.Figure(data=traces, layout=layout).to_plotly_json()
    return Chart(
        key, title, columns, rows, figure, empty_message, note=note, summary=_summary(title, list(categories), series)
    )


def table_only(key: str, title: str, *, columns: list[Column], rows: list[list[Any]], empty_message: str) -> Chart:
    """A table that is exported like a chart's data (CSV link) but drawn as a table only."""
    return Chart(key, title, columns, rows, None, empty_message, table_only=True)


def _summary(title: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """A one-sentence text alternative for screen readers: what is drawn and over what range."""
    if not labels:
        return title
    names = ", ".join(s.name for s in series)
    return f"{title}: {names}, {labels[0]} to {labels[-1]}. The numbers are in the data table below."
