"""Inventory and warranty insights: the partners outside the stock target, claim rates, failure codes."""

from __future__ import annotations

from datetime import UTC, datetime

from warranty.models import WarrantyClaim


def test_inventory_lists_partners_with_too_much_and_too_little_stock(client, eco):
    w = eco.world
    client.force_login(w.manager)
    response = client.get(f"/manage/insights/inventory/?{eco.query}")
    charts = response.context["charts"]
    over = [row[0] for row in charts["overstocked"].rows]
    under = [row[0] for row in charts["understocked"].rows]
    assert "Alpha Systems" in over and "Alpha Systems" not in under
    assert "Bravo Networks" in under and "Bravo Networks" not in over
    # Alpha: 1,800 on hand after selling 40 in the month → 1,800 / (40 / days) days of cover.
    days = (eco.period.end - eco.period.start).days
    alpha = next(row for row in charts["overstocked"].rows if row[0] == "Alpha Systems")
    assert alpha[3] == 1800 and alpha[4] == 40 and abs(alpha[5] - 1800 / (40 / days)) < 1e-6
    lines = {row[0] for row in charts["cover_by_line"].rows}
    assert lines == {"Networking", "Storage"}
    assert charts["trend_sell_through"].figure is not None
    content = response.content.decode()
    assert f"/manage/partners/{w.partner_a.pk}/" in content  # partner rows link to the scorecard


def test_inventory_for_regional_manager_and_filters(client, eco):
    w = eco.world
    client.force_login(w.regional_manager)
    response = client.get(f"/manage/insights/inventory/?{eco.query}")
    names = {
        row[0]
        for chart in ("overstocked", "understocked", "stockouts_by_partner")
        for row in response.context["charts"][chart].rows
    }
    assert "Alpha Systems" not in names and "Bravo Networks" in names
    assert "Alpha Systems" not in response.content.decode()


def test_warranty_flags_unusual_claim_rates_and_counts_failure_codes(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/insights/warranty/?{eco.query}")
    charts = response.context["charts"]
    assert [row[0] for row in charts["unusual_claims"].rows] == ["Bravo Networks"]
    start = datetime(eco.period.start.year, eco.period.start.month, 1, tzinfo=UTC)
    end = datetime(eco.period.end.year, eco.period.end.month, 1, tzinfo=UTC)
    claims = WarrantyClaim.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    counted = {row[0].split(" — ")[0]: row[1] for row in charts["claims_by_failure"].rows}
    assert counted == {
        code: claims.filter(failure_code__code=code).count()
        for code in claims.values_list("failure_code__code", flat=True).distinct()
    }
    by_line = charts["claims_by_line"]
    assert by_line.rows[-1][0] == f"{eco.period.start:%Y-%m}"
    assert sum(v or 0 for v in by_line.rows[-1][1:]) == claims.count()
    tiles = {t.label: t.value for t in response.context["tiles"]}
    assert tiles["Claims"] == claims.count()


def test_warranty_product_line_filter(client, eco):
    client.force_login(eco.world.manager)
    storage = eco.lines[1]
    response = client.get(f"/manage/insights/warranty/?{eco.query}&product_line={storage.pk}")
    series = response.context["charts"]["claims_by_line"].columns
    assert [c.label for c in series] == ["Month", "Storage"]
