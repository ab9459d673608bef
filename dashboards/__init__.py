"""Pages over many records: the manager dashboards, the partner scorecards and the portal scorecard.

Layering rule: this app reads analytics only through `analytics.selectors` (the readers of the
analytics tables), `analytics.definitions` (the KPI registry) and `analytics.filtersets` (the
partner list's health filter) — never `analytics.models` or the engine's modules (a contract in
pyproject.toml checks this). Views call those readers and the small readers of recent workflow rows in
`dashboards.selectors`; `dashboards.presenters` turn their answers into tiles, charts and tables.
"""
