"""Claims per failure code: the engine's `FailureCodeCount` rows against a count of the raw claims, and the
reader that pages use (visibility, partner filters, product line, periods)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from analytics import selectors
from analytics.models import FailureCodeCount
from tests import factories as f
from tests.analytics.conftest import NOW, SharedEco, build_computed_ecosystem
from tests.conftest import rows_for_module, shared_by_module
from warranty.models import WarrantyClaim

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("analytics_ecosystem")]

FIRST_MONTH = date(2024, 4, 1)  # the recompute's 15 months before NOW's month


@dataclass(frozen=True)
class Span:
    kind: str
    start: date
    end: date


def more_claims(eco) -> None:
    """More failure codes, an untiered partner and a claim in the last second of a month."""
    fan = f.FailureCodeFactory(code="FAN", description="Fan or cooling failure")
    isle = f.PartnerFactory(name="Isle", tier=None, region=eco.amer, partner_type="service_partner")
    for i, status in enumerate(["submitted", "approved", "paid", "rejected", "under_review"]):
        submitted = datetime(2025, 5, 3 + i, 9, tzinfo=UTC)
        f.WarrantyClaimFactory(
            partner=isle,
            product=eco.products[i % 3],
            failure_code=fan,
            submitted_at=submitted,
            status=status,
            decided_at=submitted + timedelta(days=2) if status in ("approved", "paid", "rejected") else None,
        )
    f.WarrantyClaimFactory(
        partner=eco.partners[0],
        product=eco.products[2],
        failure_code=fan,
        submitted_at=datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC),
        status="approved",
        decided_at=datetime(2025, 6, 2, tzinfo=UTC),
    )


@shared_by_module
def analytics_ecosystem(django_db_setup, django_db_blocker) -> Iterator[SharedEco]:
    """The computed ecosystem with `more_claims`, once for the tests of this module."""
    yield from rows_for_module(django_db_blocker, lambda: build_computed_ecosystem(more_claims))


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def expected_counts() -> Counter:
    """(granularity, period start, region, tier, type, product line, code) → [claims, approved], counted
    claim by claim from the raw rows."""
    counts: Counter = Counter()
    for claim in WarrantyClaim.objects.select_related("partner", "product"):
        month = claim.submitted_at.astimezone(UTC).date().replace(day=1)
        group = (
            claim.partner.region_id,
            claim.partner.tier_id,
            claim.partner.partner_type,
            claim.product.product_line_id,
            claim.failure_code_id,
        )
        approved = claim.status in ("approved", "paid")
        for granularity, start in (
            ("month", month),
            ("quarter", quarter_start(month)),
            ("year", month.replace(month=1)),
        ):
            if start >= FIRST_MONTH:  # periods starting before the recomputed window are not rewritten
                counts[(granularity, start, *group, "claims")] += 1
                counts[(granularity, start, *group, "approved")] += approved
    return counts


def stored_counts() -> Counter:
    counts: Counter = Counter()
    for row in FailureCodeCount.objects.all():
        group = (row.region_id, row.tier_id, row.partner_type, row.product_line_id, row.failure_code_id)
        counts[(row.granularity, row.period_start, *group, "claims")] = row.claims_submitted
        counts[(row.granularity, row.period_start, *group, "approved")] = row.claims_approved
        assert row.period_end > row.period_start
    return counts


def test_counts_per_failure_code_match_the_raw_claims(eco, run_recompute):
    run_recompute(chunk_partners=3)  # groups span chunks: their counts are added up by the roll-up
    expected = +expected_counts()
    assert stored_counts() == expected
    assert FailureCodeCount.objects.filter(tier__isnull=True).exists()  # the untiered partner's group
    may = FailureCodeCount.objects.filter(granularity="month", period_start=date(2025, 5, 1), failure_code__code="FAN")
    assert sum(r.claims_submitted for r in may) == 6  # the last second of May is May's


def test_reader_follows_visibility_filters_and_periods(computed):
    may = Span("month", date(2025, 5, 1), date(2025, 6, 1))
    manager = f.ManagerFactory()
    everything = {
        r["code"]: r for r in selectors.claims_by_failure_code(user=manager, scope=selectors.Scope(), period=may)
    }
    raw = WarrantyClaim.objects.filter(
        submitted_at__gte=datetime(2025, 5, 1, tzinfo=UTC), submitted_at__lt=datetime(2025, 6, 1, tzinfo=UTC)
    )
    assert {code: r["claims"] for code, r in everything.items()} == Counter(
        raw.values_list("failure_code__code", flat=True)
    )
    assert (
        everything["FAN"]["approved"] == raw.filter(failure_code__code="FAN", status__in=["approved", "paid"]).count()
    )

    regional = f.ManagerFactory()
    regional.regions.set([computed.amer])
    americas = selectors.claims_by_failure_code(user=regional, scope=selectors.Scope(), period=may)
    assert {r["code"]: r["claims"] for r in americas} == Counter(
        raw.filter(partner__region=computed.amer).values_list("failure_code__code", flat=True)
    )
    untiered = selectors.claims_by_failure_code(
        user=manager,
        scope=selectors.Scope(partner_type="service_partner", product_line_id=computed.storage.pk),
        period=may,
    )
    assert {r["code"]: r["claims"] for r in untiered} == Counter(
        raw.filter(partner__partner_type="service_partner", product__product_line=computed.storage).values_list(
            "failure_code__code", flat=True
        )
    )
    spring = Span("custom", date(2025, 3, 1), date(2025, 6, 1))
    in_spring = WarrantyClaim.objects.filter(
        submitted_at__gte=datetime(2025, 3, 1, tzinfo=UTC), submitted_at__lt=datetime(2025, 6, 1, tzinfo=UTC)
    )
    ranged = selectors.claims_by_failure_code(user=manager, scope=selectors.Scope(), period=spring)
    assert {r["code"]: r["claims"] for r in ranged} == Counter(in_spring.values_list("failure_code__code", flat=True))

    partner_user = f.PartnerUserFactory(partner=computed.partners[0])
    assert selectors.claims_by_failure_code(user=partner_user, scope=selectors.Scope(), period=may) == []


def test_an_hourly_refresh_rewrites_only_its_own_periods(computed, run_recompute):
    before = stored_counts()
    run_recompute(kind="current_period", now=NOW + timedelta(hours=1))
    assert stored_counts() == before
