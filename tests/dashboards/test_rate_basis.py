"""A rate is shown with its basis ("100.0 % (3 of 3 closed)"), counted independently here from the deal rows."""

from __future__ import annotations

from datetime import UTC, datetime

from deals.models import DealRegistration, DealStatus


def _utc(day) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def closed(period, **partner_filters) -> tuple[int, int]:
    """(won, won + lost) of deals closed in the period, straight from the deal rows (DESIGN §3 win rate)."""
    deals = DealRegistration.objects.filter(
        closed_at__gte=_utc(period.start),
        closed_at__lt=_utc(period.end),
        **{f"partner__{k}": v for k, v in partner_filters.items()},
    )
    won = deals.filter(status=DealStatus.WON).count()
    return won, won + deals.filter(status=DealStatus.LOST).count()


def decided(period) -> tuple[int, int]:
    deals = DealRegistration.objects.filter(decided_at__gte=_utc(period.start), decided_at__lt=_utc(period.end))
    rejected = deals.filter(status=DealStatus.REJECTED).count()
    return deals.count() - rejected, deals.count()


def test_overview_tiles_show_what_each_rate_is_a_share_of(client, eco):
    client.force_login(eco.world.manager)
    response = client.get(f"/manage/?{eco.query}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    won, total = closed(eco.period)
    assert total > 0
    assert tiles["win_rate"].note == f"{won:,} of {total:,} closed"
    assert abs(tiles["win_rate"].value - won / total) < 1e-9
    approved, all_decided = decided(eco.period)
    assert tiles["approval_rate"].note == f"{approved:,} of {all_decided:,} decided"
    assert tiles["won_revenue"].note == ""  # not a rate
    assert f"{won:,} of {total:,} closed" in response.content.decode()


def test_partner_list_shows_the_win_rate_basis_beside_registrations(client, eco):
    w = eco.world
    client.force_login(w.manager)
    response = client.get(f"/manage/partners/?{eco.query}&q={w.partner_a.name}")
    (row,) = [p for p in response.context["object_list"] if p.pk == w.partner_a.pk]
    won, total = closed(eco.period, pk=w.partner_a.pk)
    assert total > 0
    assert (row.deals_won, row.deals_won + row.deals_lost) == (won, total)
    assert f"{won:,} of {total:,} closed" in response.content.decode()


def test_scorecard_tiles_carry_the_basis(client, eco):
    w = eco.world
    client.force_login(w.manager)
    response = client.get(f"/manage/partners/{w.partner_b.pk}/?{eco.query}")
    tiles = {t.kpi.name: t for t in response.context["tiles"]}
    won, total = closed(eco.period, pk=w.partner_b.pk)
    expected = f"{won:,} of {total:,} closed" if total else ""
    assert tiles["win_rate"].note == expected


def test_portal_scorecard_shows_the_basis_of_your_rates(client, eco):
    w = eco.world
    client.force_login(w.user_a)
    response = client.get(f"/portal/scorecard/?{eco.query}")
    rows = {r.kpi: r for r in response.context["benchmarks"]}
    won, total = closed(eco.period, pk=w.partner_a.pk)
    assert total > 0
    assert rows["win_rate"].basis == f"{won:,} of {total:,} closed"
    assert rows["won_revenue"].basis == ""
    assert f"{won:,} of {total:,} closed" in response.content.decode()
