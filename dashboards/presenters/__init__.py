"""What pages show, built from the analytics readers' data: KPI tiles, plotly charts with their data tables,
partner tables and the words that explain them.

Presenters never query the analytics tables: they call `analytics.selectors` (data in, data out) and
turn the answers into `charts.Chart`s and small view objects for the templates.
"""
