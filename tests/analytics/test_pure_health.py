"""Health scoring (DESIGN §4) as pure functions: bounds, renormalisation, monotonicity, ties, explanations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.definitions import HEALTH_COMPONENTS
from analytics.health import band_of, cover_score, explain_component, ordinal, percentile_rank, score_health

DEFAULTS = {name: weight for name, (_, weight) in HEALTH_COMPONENTS.items()}


def inputs(rows: list[dict], tier: int = 1) -> pd.DataFrame:
    base = {
        "point": 0,
        "tier_key": tier,
        "revenue_90d": 0.0,
        "revenue_prior_90d": 0.0,
        "pipeline": 0.0,
        "engagement_90d": 0,
        "won_180d": 0,
        "lost_180d": 0,
        "units_sold_90d": 0,
        "on_hand": np.nan,
        "claims_90d": 0,
    }
    return pd.DataFrame([{**base, "partner_id": i + 1, **row} for i, row in enumerate(rows)])


partner_rows = st.lists(
    st.fixed_dictionaries(
        {
            "revenue_90d": st.floats(0, 1e7, allow_nan=False),
            "revenue_prior_90d": st.floats(0, 1e7, allow_nan=False),
            "pipeline": st.floats(0, 1e7, allow_nan=False),
            "engagement_90d": st.integers(0, 500),
            "won_180d": st.integers(0, 50),
            "lost_180d": st.integers(0, 50),
            "units_sold_90d": st.integers(0, 5000),
            "on_hand": st.one_of(st.just(np.nan), st.integers(0, 5000).map(float)),
            "claims_90d": st.integers(0, 40),
            "tier_key": st.sampled_from([1, 2]),
        }
    ),
    min_size=1,
    max_size=25,
)
weights = st.fixed_dictionaries({name: st.floats(0, 1) for name in HEALTH_COMPONENTS})


@settings(max_examples=150, deadline=None)
@given(partner_rows, weights)
def test_scores_are_bounded_and_weights_renormalise(rows, w):
    scored = score_health(inputs(rows), w)
    present = scored["score"].dropna()
    assert ((present >= 0) & (present <= 100)).all()
    used = scored[[f"{n}_weight" for n in HEALTH_COMPONENTS]]
    has_score = scored["score"].notna()
    assert np.allclose(used[has_score].sum(axis=1, skipna=True), 1.0)
    for name in HEALTH_COMPONENTS:
        pct = scored[f"{name}_pct"].dropna()
        assert ((pct > 0) & (pct < 100)).all()
        assert scored.loc[scored[f"{name}_metric"].isna(), f"{name}_weight"].isna().all()
    recomputed = sum((scored[f"{n}_weight"] * scored[f"{n}_pct"]).fillna(0) for n in HEALTH_COMPONENTS)
    assert np.allclose(scored.loc[has_score, "score"], recomputed[has_score].round(1))


def test_a_component_without_data_is_left_out_and_the_rest_renormalised():
    rows = [
        {"revenue_90d": 100.0, "revenue_prior_90d": 0.0, "pipeline": 5.0, "engagement_90d": 3},
        {"revenue_90d": 300.0, "revenue_prior_90d": 150.0, "pipeline": 1.0, "engagement_90d": 9, "won_180d": 2},
    ]
    scored = score_health(inputs(rows), DEFAULTS).set_index("partner_id")
    first = scored.loc[1]
    assert np.isnan(first["growth_weight"]) and np.isnan(first["deal_quality_weight"])
    assert np.isnan(first["operations_weight"])
    kept = DEFAULTS["revenue"] + DEFAULTS["pipeline"] + DEFAULTS["engagement"]
    assert first["revenue_weight"] == pytest.approx(DEFAULTS["revenue"] / kept)
    assert set(first["reasons"]) == {"growth", "deal_quality", "operations"}
    assert first["score"] == pytest.approx(
        round((0.30 * 25 + 0.15 * 75 + 0.15 * 25) / kept, 1)
    )  # revenue lowest of 2 (25th), pipeline highest (75th), engagement lowest (25th)
    second = scored.loc[2]
    assert second["growth_pct"] == 50.0  # the only partner with growth data sits in the middle
    assert not np.isnan(second["deal_quality_weight"])


def test_a_zero_weight_is_left_out_with_its_reason():
    scored = score_health(inputs([{"revenue_90d": 1.0}, {"revenue_90d": 2.0}]), {**DEFAULTS, "revenue": 0.0})
    assert scored["revenue_weight"].isna().all()
    assert all(r["revenue"] == "its weight is set to 0" for r in scored["reasons"])


@settings(max_examples=100, deadline=None)
@given(partner_rows, st.integers(0, 24), st.floats(0.01, 1e7, allow_nan=False))
def test_more_won_revenue_never_lowers_the_revenue_component(rows, which, extra):
    which %= len(rows)
    before = score_health(inputs(rows), DEFAULTS)
    richer = [dict(r) for r in rows]
    richer[which]["revenue_90d"] += extra
    after = score_health(inputs(richer), DEFAULTS)
    assert after.loc[which, "revenue_pct"] >= before.loc[which, "revenue_pct"]


def test_ties_share_the_mean_rank_and_groups_are_ranked_apart():
    values = pd.Series([10.0, 10.0, 20.0, 30.0, np.nan, 5.0])
    groups = [pd.Series([0, 0, 0, 0, 0, 1])]
    ranks = percentile_rank(values, groups)
    assert ranks.tolist()[:4] == [25.0, 25.0, 62.5, 87.5]  # ranks 1.5, 1.5, 3, 4 of 4 → 100 × (r − ½) / 4
    assert np.isnan(ranks[4]) and ranks[5] == 50.0


def test_the_explanation_states_the_stored_percentile_and_peer_group():
    rows = [{"revenue_90d": float(v)} for v in (10, 20, 30, 40, 50, 60, 70)]
    scored = score_health(inputs(rows), DEFAULTS)
    for pct in scored["revenue_pct"]:
        line = explain_component("revenue", pct, "Gold")
        number = int(re.match(r"revenue: (\d+)(st|nd|rd|th) percentile of Gold partners$", line).group(1))
        assert number == round(pct)
    assert explain_component("revenue", 81.6, "Gold") == "revenue: 82nd percentile of Gold partners"
    assert explain_component("growth", None, "Gold", "no won revenue") == "growth: not used — no won revenue"
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 100)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "100th",
    ]


def test_bands_and_cover_score():
    assert [band_of(v) for v in (100.0, 70.0, 69.9, 40.0, 39.9, 0.0)] == [
        "healthy",
        "healthy",
        "watch",
        "watch",
        "at_risk",
        "at_risk",
    ]
    assert band_of(None) == "" and band_of(float("nan")) == ""
    scores = cover_score(pd.Series([0.0, 7.5, 15.0, 40.0, 60.0, 120.0, np.nan])).tolist()
    assert scores[:6] == [0.0, 50.0, 100.0, 100.0, 100.0, 50.0] and np.isnan(scores[6])


def test_operations_mixes_cover_and_the_inverted_claims_percentile():
    rows = [
        {"units_sold_90d": 90, "on_hand": 30.0, "claims_90d": 0},  # 30 days of cover, fewest claims
        {"units_sold_90d": 90, "on_hand": 30.0, "claims_90d": 9},  # same cover, most claims
    ]
    scored = score_health(inputs(rows), DEFAULTS).set_index("partner_id")
    assert scored.loc[1, "cover_days"] == 30.0 and scored.loc[2, "claims_per_1000_units"] == 100.0
    assert scored.loc[1, "operations_metric"] == (100 + 75) / 2 and scored.loc[2, "operations_metric"] == (100 + 25) / 2
    assert scored.loc[1, "operations_pct"] > scored.loc[2, "operations_pct"]


def test_an_exact_60_day_cover_stays_in_the_band_and_ties_with_its_equal():
    """22 on hand after 33 sold in 90 days is exactly 60 days of cover (on_hand × days / units); computed as
    on_hand / (units / days) it was 60.00000000000001, fell out of the 15–60 band and broke the tie."""
    rows = [
        {"units_sold_90d": 33, "on_hand": 22.0, "claims_90d": 0},
        {"units_sold_90d": 90, "on_hand": 60.0, "claims_90d": 0},
    ]
    scored = score_health(inputs(rows), DEFAULTS).set_index("partner_id")
    assert scored.loc[1, "cover_days"] == scored.loc[2, "cover_days"] == 60.0
    assert scored.loc[1, "operations_metric"] == scored.loc[2, "operations_metric"] == 100.0 - 50.0 / 2
    assert scored.loc[1, "operations_pct"] == scored.loc[2, "operations_pct"] == 50.0
    assert scored.loc[1, "score"] == scored.loc[2, "score"]


def test_equal_partners_share_a_rank_whatever_the_float_noise_of_their_metrics():
    """0.30 / 0.10 is 2.9999999999999996 in floating point, 3.00 / 1.00 is 3.0: the same growth. Metrics are
    rounded to METRIC_DECIMALS before ranking, so the two partners share the mean rank."""
    rows = [
        {"revenue_90d": 0.30, "revenue_prior_90d": 0.10, "won_180d": 1, "lost_180d": 2},
        {"revenue_90d": 3.00, "revenue_prior_90d": 1.00, "won_180d": 2, "lost_180d": 4},
        {"revenue_90d": 9.00, "revenue_prior_90d": 1.00, "won_180d": 9, "lost_180d": 0},
    ]
    assert 0.30 / 0.10 != 3.00 / 1.00  # the noise this guards against
    scored = score_health(inputs(rows), DEFAULTS).set_index("partner_id")
    assert scored.loc[1, "growth_metric"] == scored.loc[2, "growth_metric"] == 3.0
    assert scored.loc[1, "growth_pct"] == scored.loc[2, "growth_pct"] == 100 * (1.5 - 0.5) / 3
    assert scored.loc[1, "deal_quality_pct"] == scored.loc[2, "deal_quality_pct"]
