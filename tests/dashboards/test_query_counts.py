"""Every dashboard reads a fixed number of queries however many partners there are."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.conftest import rows_for_module, shared_by_module
from tests.dashboards.conftest import Eco, activity, recompute

PAGES = [
    ("manager", "/manage/?{q}"),
    ("manager", "/manage/?{q}&tier={tier}&region={region}"),
    ("manager", "/manage/?period=custom&start={start}&end={end}"),
    ("regional_manager", "/manage/?{q}"),
    ("manager", "/manage/partners/?{q}&sort=-won_revenue"),
    ("manager", "/manage/partners/?band=watch&sort=health_score"),
    ("manager", "/manage/partners/?{q}&export=csv"),
    ("manager", "/manage/partners/{pk}/?{q}"),
    ("manager", "/manage/insights/inventory/?{q}"),
    ("manager", "/manage/insights/warranty/?{q}"),
    ("regional_manager", "/manage/insights/warranty/?{q}&partner_type=reseller"),
    ("manager", "/manage/insights/sellout/?{q}"),
    ("manager", "/manage/insights/sellout/?{q}&download=sellout_by_line_country"),
    ("regional_manager", "/manage/insights/sellout/?{q}&partner_type=reseller"),
    ("user_a", "/portal/scorecard/?{q}"),
    ("user_a", "/portal/scorecard/?period=custom&start={start}&end={end}"),
]


def _url(eco: Eco, template: str) -> str:
    w = eco.world
    return template.format(
        q=eco.query,
        tier=w.partner_a.tier_id,
        region=w.emea.pk,
        pk=w.partner_a.pk,
        start=eco.period.shifted(-2).start.strftime("%Y-%m"),
        end=eco.period.start.strftime("%Y-%m"),
    )


def _load(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)


def _count_queries(eco: Eco, role: str, template: str) -> int:
    """Queries of one page load by a signed-in user, once the session and caches are warm."""
    client = Client()
    client.force_login(getattr(eco.world, role))
    url = _url(eco, template)
    _load(client, url)
    with CaptureQueriesContext(connection) as load:
        _load(client, url)
    return len(load.captured_queries)


@shared_by_module
def queries_before_growth(dashboards_ecosystem, django_db_blocker) -> Iterator[dict[tuple[str, str], int]]:
    """Each page's query count on the ecosystem; then 12 more partners with three months of activity, computed.

    The tests measure the pages again on the grown ecosystem; the growth is written once for all of them.
    """
    eco = dashboards_ecosystem

    def measure_then_grow() -> dict[tuple[str, str], int]:
        counts = {page: _count_queries(eco, *page) for page in PAGES}
        rng = random.Random(9)
        months = [eco.period.shifted(-i).start for i in range(3)]
        for i in range(12):
            partner = f.PartnerFactory(region=eco.world.emea if i % 2 else eco.world.amer, partner_type="reseller")
            activity(partner, rng, months, eco.products, size=1, stock=(100 + i, 10))
        recompute(TestCase.captureOnCommitCallbacks)
        return counts

    yield from rows_for_module(django_db_blocker, measure_then_grow)


@pytest.mark.parametrize(("role", "template"), PAGES)
def test_query_count_does_not_grow_with_partners(
    client, eco, queries_before_growth, django_assert_max_num_queries, role, template
):
    before = queries_before_growth[(role, template)]
    assert before <= 30
    url = _url(eco, template)
    client.force_login(getattr(eco.world, role))
    _load(client, url)  # warm the session and caches
    with django_assert_max_num_queries(before):
        _load(client, url)
