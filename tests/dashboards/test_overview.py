"""The ecosystem overview: figures equal an independent computation over the raw rows, for every scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from dashboards.presenters.overview import TOP_MOVERS
from deals.models import DealRegistration, DealStatus
from partners.models import Partner
from tests import factories as f


def _utc(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def won_revenue(period, **partner_filters) -> Decimal:
    """Σ amount of deals won with closed_at in the period (DESIGN §3), straight from the deal rows."""
    deals = DealRegistration.objects.filter(
        status=DealStatus.WON,
        closed_at__gte=_utc(period.start),
        closed_at__lt=_utc(period.end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    )
    return sum((d.amount for d in deals), Decimal(0))


def registrations(period, **partner_filters) -> int:
    return DealRegistration.objects.filter(
        submitted_at__gte=_utc(period.start),
        submitted_at__lt=_utc(period.end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    ).count()


def tile(response, label: str):
    return next(t for t in response.context["tiles"] if t.label == label)


def test_manager_sees_ecosystem_figures_with_comparisons(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/?{eco.query}")
    assert response.status_code == 200
    revenue = tile(response, "Won revenue")
    assert revenue.value == won_revenue(eco.period)
    assert revenue.previous == won_revenue(eco.period.previous())
    assert tile(response, "Registrations").value == registrations(eco.period)
    assert tile(response, "Median time to decision").value is not None  # the ecosystem row holds it
    content = response.content.decode()
    assert "Ecosystem health" in content and "Partners by band" in content
    assert "Coverage: active partners in 2 of 2 regions and 2 of 2 product lines." in content
    assert response.context["eco"].scored == 9


def test_regional_manager_sees_only_own_region(client, eco):
    w = eco.world
    client.force_login(w.regional_manager)
    response = client.get(f"/manage/?{eco.query}")
    assert tile(response, "Won revenue").value == won_revenue(eco.period, region=w.amer)
    assert tile(response, "Registrations").value == registrations(eco.period, region=w.amer)
    content = response.content.decode()
    emea_names = Partner.objects.filter(region=w.emea).values_list("name", flat=True)
    for name in emea_names:
        assert name not in content
    assert "Won revenue by product line" in content
    assert "Product lines are measured for the whole ecosystem only" not in content
    assert "Coverage:" not in content  # an ecosystem-wide figure, not the region's


def _won_lines(period, **partner_filters):
    """Every line of the deals won in the period (DESIGN §3), with its product line, from the raw rows."""
    deals = DealRegistration.objects.filter(
        status=DealStatus.WON,
        closed_at__gte=_utc(period.start),
        closed_at__lt=_utc(period.end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    ).prefetch_related("lines__product__product_line")
    return [line for deal in deals for line in deal.lines.all()]


def test_a_regional_manager_sees_the_product_lines_of_their_own_partners(client, eco):
    w = eco.world
    client.force_login(w.regional_manager)
    chart = client.get(f"/manage/?{eco.query}").context["charts"]["revenue_by_line"]
    expected: dict[str, Decimal] = {}
    for line in _won_lines(eco.period, region=w.amer):
        name = line.product.product_line.name
        expected[name] = expected.get(name, Decimal(0)) + line.total
    assert expected and chart.figure is not None
    assert {row[0]: Decimal(str(row[1])) for row in chart.rows} == expected
    # Not the ecosystem's: the other region's deals are left out.
    everywhere = sum((line.total for line in _won_lines(eco.period)), Decimal(0))
    assert sum(expected.values()) == won_revenue(eco.period, region=w.amer) < everywhere
    assert "region" in chart.note.lower() or "your" in chart.note.lower()


def _bars(chart) -> dict[str, Decimal]:
    """A bar chart's non-zero bars (a segment that earned nothing may show as 0)."""
    return {row[0]: Decimal(str(row[1])) for row in chart.rows if row[1]}


def test_one_region_in_scope_splits_revenue_by_country_instead(client, eco):
    w = eco.world
    client.force_login(w.regional_manager)
    response = client.get(f"/manage/?{eco.query}")
    charts = response.context["charts"]
    assert "revenue_by_region" not in charts
    expected: dict[str, Decimal] = {}
    for deal in DealRegistration.objects.filter(
        status=DealStatus.WON,
        closed_at__gte=_utc(eco.period.start),
        closed_at__lt=_utc(eco.period.end),
        partner__region=w.amer,
    ).select_related("partner"):
        name = deal.partner.country.name
        expected[name] = expected.get(name, Decimal(0)) + deal.amount
    assert expected
    assert _bars(charts["revenue_by_country"]) == expected
    assert "Won revenue by country" in response.content.decode()
    # A manager of every region filtering on one region gets the same split; without the filter, regions.
    client.force_login(w.manager)
    one = client.get(f"/manage/?{eco.query}&region={w.amer.pk}").context["charts"]
    assert "revenue_by_country" in one and "revenue_by_region" not in one
    assert _bars(one["revenue_by_country"]) == expected
    every = client.get(f"/manage/?{eco.query}").context["charts"]
    assert "revenue_by_region" in every and "revenue_by_country" not in every


def test_filters_narrow_every_figure(client, eco):
    w = eco.world
    client.force_login(w.manager)
    gold = w.partner_a.tier
    one = client.get(f"/manage/?{eco.query}&tier={gold.pk}")
    assert tile(one, "Won revenue").value == won_revenue(eco.period, tier=gold)
    assert tile(one, "Median time to decision").value is not None  # a tier row exists
    both = client.get(f"/manage/?{eco.query}&tier={gold.pk}&region={w.emea.pk}&partner_type=reseller")
    assert tile(both, "Won revenue").value == won_revenue(eco.period, tier=gold, region=w.emea, partner_type="reseller")
    assert tile(both, "Median time to decision").value is None  # cannot be rebuilt from partner rows
    assert "not shown for a combination of filters" in both.content.decode()
    # One region in scope: its countries, not a one-bar region chart.
    segments = both.context["charts"]["revenue_by_country"]
    emea_countries = {p.country.name for p in Partner.objects.filter(region=w.emea)}
    assert {row[0] for row in segments.rows} <= emea_countries


def test_quarter_and_custom_periods_add_up_months(client, eco):
    from dashboards.periods import Period

    client.force_login(eco.world.manager)
    last = eco.period.start
    custom = Period.custom(eco.period.shifted(-2).start, last)
    response = client.get(f"/manage/?period=custom&start={custom.start:%Y-%m}&end={last:%Y-%m}")
    assert response.context["period"] == custom
    assert tile(response, "Won revenue").value == won_revenue(custom)
    assert tile(response, "Registrations").value == registrations(custom)
    quarter = Period.quarter(eco.period.shifted(-3).start)
    response = client.get(f"/manage/?period=quarter&month={quarter.start:%Y-%m}")
    assert tile(response, "Won revenue").value == won_revenue(quarter)


def test_product_line_filter_reads_the_line_rows(client, eco):
    client.force_login(eco.world.manager)
    line = eco.lines[0]
    response = client.get(f"/manage/?{eco.query}&product_line={line.pk}")
    deals = DealRegistration.objects.filter(
        status=DealStatus.WON, closed_at__gte=_utc(eco.period.start), closed_at__lt=_utc(eco.period.end)
    ).prefetch_related("lines__product")
    expected = sum(
        (ln.total for d in deals for ln in d.lines.all() if ln.product.product_line_id == line.pk), Decimal(0)
    )
    assert tile(response, "Won revenue").value == expected
    assert "Revenue of one product line is not split by tier" in response.content.decode()


def test_queue_alerts_concentration_and_movers(client, eco):
    w = eco.world
    waiting = f.DealFactory(partner=w.partner_b, status=DealStatus.SUBMITTED)
    client.force_login(w.manager)
    response = client.get(f"/manage/?{eco.query}")
    queue = response.context["queue"]
    assert queue.count == DealRegistration.objects.filter(status=DealStatus.SUBMITTED).count() == 1
    assert queue.oldest_submitted_at == waiting.submitted_at
    conc = response.context["concentration"]
    assert conc is not None and 0 < conc.top10_share <= 1 and 0 < conc.hhi <= 1
    # HHI from the raw deals: Σ (partner revenue / total)²
    per_partner = {}
    for deal in DealRegistration.objects.filter(
        status=DealStatus.WON, closed_at__gte=_utc(eco.period.start), closed_at__lt=_utc(eco.period.end)
    ):
        per_partner[deal.partner_id] = per_partner.get(deal.partner_id, 0) + float(deal.amount)
    total = sum(per_partner.values())
    assert abs(conc.hhi - sum((v / total) ** 2 for v in per_partner.values())) < 1e-9
    movers = response.context["charts"]["top_movers"].rows + response.context["charts"]["bottom_movers"].rows
    assert movers, "some partner moved"
    for _name, now, before, change in movers:
        assert change == now - before != 0
    # Independently: won revenue per partner in the period and the one before, from the raw deals.
    previous = eco.period.previous()

    def won(start, end) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for deal in DealRegistration.objects.filter(
            status=DealStatus.WON, closed_at__gte=_utc(start), closed_at__lt=_utc(end)
        ).select_related("partner"):
            out[deal.partner.name] = out.get(deal.partner.name, Decimal(0)) + deal.amount
        return out

    now_by, before_by = won(eco.period.start, eco.period.end), won(previous.start, previous.end)
    changes = {n: now_by.get(n, Decimal(0)) - before_by.get(n, Decimal(0)) for n in {*now_by, *before_by}}
    rising = sorted((n for n, c in changes.items() if c > 0), key=lambda n: (-changes[n], n))[:TOP_MOVERS]
    falling = sorted((n for n, c in changes.items() if c < 0), key=lambda n: (changes[n], n))[:TOP_MOVERS]
    assert [r[0] for r in response.context["charts"]["top_movers"].rows] == rising
    assert [r[0] for r in response.context["charts"]["bottom_movers"].rows] == falling
    alerts = response.context["alerts"]
    assert all(a.message for a in alerts)
    assert "derived from the health scores" in response.content.decode()


def test_chart_data_download_and_embedded_figures(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/?{eco.query}&download=revenue_trend")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Month,Won revenue (USD),Same month a year earlier (USD)"
    assert lines[-1].startswith(f"{eco.period.start:%Y-%m},")
    assert client.get(f"/manage/?{eco.query}&download=nope").status_code == 404
    page = client.get(f"/manage/?{eco.query}").content.decode()
    marker = 'id="chart-revenue_trend-data" type="application/json">'
    figure = json.loads(page.split(marker, 1)[1].split("</script>", 1)[0])
    assert figure["layout"]["title"]["text"] == "Won revenue by month"
    assert figure["layout"]["yaxis"]["title"]["text"] == "Won revenue (USD)"


def test_bad_period_shows_a_message_not_an_error(client, eco):
    client.force_login(eco.world.manager)
    response = client.get("/manage/?period=custom&start=2025-99&end=soon&tier=abc")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter a month as YYYY-MM" in content
    assert "Showing" in content and "instead" in content


def test_product_lines_of_a_filtered_scope_add_up_the_stored_groups_of_exactly_those_partners(client, eco):
    """A tier (or type) filter reads the engine's `LineRevenue` groups; the figures equal the raw lines of the
    won deals of that tier's partners, and no deal is read at request time."""
    w = eco.world
    tier = Partner.objects.filter(tier__isnull=False).values_list("tier", flat=True).first()
    client.force_login(w.manager)
    chart = client.get(f"/manage/?{eco.query}&tier={tier}").context["charts"]["revenue_by_line"]
    expected: dict[str, Decimal] = {}
    for line in _won_lines(eco.period, tier_id=tier):
        name = line.product.product_line.name
        expected[name] = expected.get(name, Decimal(0)) + line.total
    assert expected
    assert {row[0]: Decimal(str(row[1])) for row in chart.rows} == expected
