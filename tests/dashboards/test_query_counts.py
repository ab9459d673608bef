"""Every dashboard reads a fixed number of queries however many partners there are."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories as f
from tests.dashboards.conftest import activity, recompute

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
    ("user_a", "/portal/scorecard/?{q}"),
    ("user_a", "/portal/scorecard/?period=custom&start={start}&end={end}"),
]


def _load(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize(("role", "template"), PAGES)
def test_query_count_does_not_grow_with_partners(
    client, eco, django_capture_on_commit_callbacks, django_assert_max_num_queries, role, template
):
    w = eco.world
    url = template.format(
        q=eco.query,
        tier=w.partner_a.tier_id,
        region=w.emea.pk,
        pk=w.partner_a.pk,
        start=eco.period.shifted(-2).start.strftime("%Y-%m"),
        end=eco.period.start.strftime("%Y-%m"),
    )
    client.force_login(getattr(w, role))
    _load(client, url)  # warm the session and caches
    with CaptureQueriesContext(connection) as first:
        _load(client, url)
    rng = random.Random(9)
    months = [eco.period.shifted(-i).start for i in range(3)]
    for i in range(12):
        partner = f.PartnerFactory(region=w.emea if i % 2 else w.amer, partner_type="reseller")
        activity(partner, rng, months, eco.products, size=1, stock=(100 + i, 10))
    recompute(django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(len(first.captured_queries)):
        _load(client, url)
    assert len(first.captured_queries) <= 30
