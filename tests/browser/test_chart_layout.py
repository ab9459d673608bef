"""Chart layout in a real browser: a legend never covers its chart's title, whatever its number of entries."""

from __future__ import annotations

import json
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from dashboards.charts import Series, bar_chart, line_chart

pytestmark = pytest.mark.django_db

# The demo catalog's product lines: the warranty insights draw one series per line.
LINES = ["Networking", "Wireless", "Storage", "Servers", "Security", "Software subscriptions"]

BOXES = """
(el) => {
  const box = (node) => { const r = node.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const title = el.querySelector('.gtitle'), legend = el.querySelector('.legend');
  const plot = el.querySelector('.nsewdrag'), xtitle = el.querySelector('.g-xtitle');
  return {title: title && box(title), legend: legend && box(legend), plot: plot && box(plot),
          xtitle: xtitle && box(xtitle)};
}
"""


def _overlap(a, b) -> bool:
    return not (a[3] <= b[1] or b[3] <= a[1] or a[2] <= b[0] or b[2] <= a[0])


def _figures() -> list[dict]:
    months = [date(2026, 1, 1) + relativedelta(months=i) for i in range(12)]
    many = [Series(name, [float(i + j) for j in range(12)]) for i, name in enumerate(LINES)]
    return [
        line_chart(
            "claims_by_line",
            "Claims per 1,000 units sold by product line",
            months=months,
            series=many,
            kind="per_thousand",
            y_title="Claims per 1,000 units sold",
            empty_message="",
        ).figure,
        bar_chart(
            "claims_bars",
            "Warranty claims by product line",
            categories=[m.isoformat() for m in months],
            series=many,
            kind="count",
            value_title="Claims submitted",
            category_title="Month",
            empty_message="",
        ).figure,
    ]


@pytest.mark.parametrize("width", [1200, 560, 360])
def test_a_legend_of_many_entries_stays_clear_of_the_title(page, live_server, width):
    # A bare page (the app's pages forbid the inline styles a test page needs), with the app's own plotly.
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(url=f"{live_server.url}/static/vendor/plotly/plotly.min.js")
    for index, figure in enumerate(_figures()):
        page.evaluate(
            """([id, width, figure]) => {
                 const el = document.createElement('div');
                 el.id = id; el.style.width = width + 'px';
                 document.body.prepend(el);
                 return Plotly.newPlot(el, figure.data, figure.layout, {responsive: false});
               }""",
            [f"chart{index}", width, json.loads(json.dumps(figure, default=str))],
        )
        boxes = page.locator(f"#chart{index}").evaluate(BOXES)
        assert boxes["title"] and boxes["legend"] and boxes["plot"]
        assert not _overlap(boxes["title"], boxes["legend"]), (width, index, boxes)
        assert not _overlap(boxes["legend"], boxes["plot"]), (width, index, boxes)
        assert not _overlap(boxes["legend"], boxes["xtitle"]), (width, index, boxes)
    assert page.console_errors == []
