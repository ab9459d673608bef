"""The overview's open alerts: the count in its link, the alerts it lists and the partner list it leads to agree."""

from __future__ import annotations

from django.utils import timezone

from analytics.models import PartnerHealthScore
from partners.models import Partner


def _set_bands(now_bands: dict, before_bands: dict, since) -> None:
    """Give partners a current band and a band at the last month end (the rows are rolled back after the test)."""
    scores = {"healthy": 80.0, "watch": 55.0, "at_risk": 20.0}
    for partner, band in now_bands.items():
        PartnerHealthScore.objects.filter(partner=partner, is_current=True).update(band=band, score=scores[band])
    for partner, band in before_bands.items():
        PartnerHealthScore.objects.filter(partner=partner, is_current=False, as_of=since).update(
            band=band, score=scores[band]
        )


def test_alert_count_label_and_list_agree(client, eco, monkeypatch):
    w = eco.world
    since = timezone.now().date().replace(day=1)
    scored = list(Partner.objects.filter(health_scores__is_current=True, health_scores__as_of__isnull=False).distinct())
    assert len(scored) >= 8
    # Two at risk, three fallen from healthy to watch, one in watch that was already in watch, the rest healthy.
    at_risk, fallen, still_watch = scored[:2], scored[2:5], scored[5:6]
    now_bands = dict.fromkeys(scored, "healthy") | dict.fromkeys(at_risk, "at_risk")
    now_bands |= dict.fromkeys(fallen + still_watch, "watch")
    before_bands = dict.fromkeys(scored, "healthy") | dict.fromkeys(still_watch, "watch")
    _set_bands(now_bands, before_bands, since)
    monkeypatch.setattr("dashboards.presenters.health.ALERTS_SHOWN", 2)

    # Independently, from the stored rows: at risk now, or watch now after healthy at the month end.
    current = {r.partner_id: r.band for r in PartnerHealthScore.objects.filter(is_current=True, score__isnull=False)}
    before = {r.partner_id: r.band for r in PartnerHealthScore.objects.filter(is_current=False, as_of=since)}
    expected = {
        pk for pk, band in current.items() if band == "at_risk" or (band == "watch" and before.get(pk) == "healthy")
    }
    assert len(expected) == 5

    client.force_login(w.manager)
    response = client.get(f"/manage/?{eco.query}")
    assert response.context["alerts_total"] == len(expected)
    assert response.context["eco"].at_risk == sum(1 for band in current.values() if band == "at_risk") == 2
    content = response.content.decode()
    assert f"All {len(expected)} partners with an open alert" in content
    assert "partners at risk</a>" not in content

    listed = client.get(f"/manage/partners/?{response.context['alerts_query']}")
    assert listed.status_code == 200
    assert {p.pk for p in listed.context["object_list"]} == expected
    assert listed.context["paginator"].count == len(expected)


def test_alert_link_keeps_the_overview_filters(client, eco):
    w = eco.world
    since = timezone.now().date().replace(day=1)
    _set_bands({w.partner_a: "at_risk", w.partner_b: "at_risk"}, {}, since)
    client.force_login(w.manager)
    region = w.partner_b.region
    response = client.get(f"/manage/?{eco.query}&region={region.pk}")
    expected = set(
        PartnerHealthScore.objects.filter(is_current=True, band="at_risk", partner__region=region).values_list(
            "partner_id", flat=True
        )
    )
    assert response.context["alerts_total"] == len(expected)
    listed = client.get(f"/manage/partners/?{response.context['alerts_query']}")
    assert {p.pk for p in listed.context["object_list"]} == expected
