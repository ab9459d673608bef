"""Health scores (DESIGN §4; pure: pandas in, pandas out, no ORM).

Three steps: `health_inputs` measures each partner's trailing windows at each
as-of point; `score_health` turns them into components (percentile ranks among
active partners of the same tier), weights and a 0–100 score; `ecosystem_health`
summarises the scores of one as-of point.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import currency
from .currency import Rates
from .definitions import (
    BANDS,
    COVER_TARGET_DAYS,
    HEALTH_COMPONENTS,
    HEALTH_INPUTS,
    METRIC_DECIMALS,
    QUALITY_DAYS,
    SCORE_DECIMALS,
    TRAILING_DAYS,
)
from .kpis import interval_sum, key_codes, pipeline_sums, to_frame
from .periods import DAY

WINDOW = TRAILING_DAYS * DAY
QUALITY_WINDOW = QUALITY_DAYS * DAY

REASONS = {
    "growth": "no won revenue in the 90 days before the last 90",
    "deal_quality": "no deals won or lost in the last 180 days",
    "operations": "no units sold in the last 90 days",
    "zero_weight": "its weight is set to 0",
}


def _f(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def health_inputs(
    deals: pd.DataFrame,
    inventory: pd.DataFrame,
    claims: pd.DataFrame,
    keys: Sequence,
    points: np.ndarray,
    rates: Rates | None = None,
) -> pd.DataFrame:
    """Raw trailing-window measures per partner at each as-of instant T (ascending).

    revenue_90d = Σ amount of deals won with closed_at in [T − 90 d, T); revenue_prior_90d = the same over
    [T − 180 d, T − 90 d); pipeline = pipeline value at T (DESIGN §3 rule with E = T); engagement_90d =
    deals submitted + claims submitted + stock reports (distinct report dates) in [T − 90 d, T); won_180d /
    lost_180d = deals closed won / lost in [T − 180 d, T); units_sold_90d = Σ units_sold dated in
    [T − 90 d, T); on_hand = Σ latest on_hand per product dated before T (NaN when none); claims_90d =
    claims submitted in [T − 90 d, T). Frames are those of `kpis` with key = partner id. Money is in the
    reporting currency (`rates`): revenue at the rate of each close date, pipeline at the rate of the day before T;
    amounts with no rate are left out.
    """
    n = len(keys)
    d_codes = key_codes(deals["key"], keys)
    submitted, closed = _f(deals, "submitted"), _f(deals, "closed")
    amount = currency.converted(deals, "closed", rates)
    status = deals["status"].to_numpy()
    won, lost = status == "won", status == "lost"

    def window(codes: np.ndarray, t: np.ndarray, weights: np.ndarray | None, start: float, end: float) -> np.ndarray:
        # t in [T − start, T − end) ⇔ t + end < T ≤ t + start
        return interval_sum(codes, t + end, t + start, weights, points, n)

    i_codes = key_codes(inventory["key"], keys)
    inv = inventory.assign(_code=i_codes).sort_values(["partner_id", "product_id", "day"], kind="stable")
    day, on_hand = _f(inv, "day"), _f(inv, "on_hand")
    pid, prod = inv["partner_id"].to_numpy(), inv["product_id"].to_numpy()
    same = (pid == np.roll(pid, -1)) & (prod == np.roll(prod, -1))
    if len(same):
        same[-1] = False
    next_day = np.where(same, np.roll(day, -1), np.nan)
    inv_codes = inv["_code"].to_numpy()
    positions = interval_sum(inv_codes, day, next_day, None, points, n)
    reports = inv.drop_duplicates(["_code", "partner_id", "day"])
    c_codes = key_codes(claims["key"], keys)
    c_sub = _f(claims, "submitted")

    engagement = (
        window(d_codes, submitted, None, WINDOW, 0.0)
        + window(c_codes, c_sub, None, WINDOW, 0.0)
        + window(reports["_code"].to_numpy(), _f(reports, "day"), None, WINDOW, 0.0)
    )
    columns = {
        "revenue_90d": window(d_codes[won], closed[won], amount[won], WINDOW, 0.0),
        "revenue_prior_90d": window(d_codes[won], closed[won], amount[won], 2 * WINDOW, WINDOW),
        "pipeline": pipeline_sums(deals, d_codes, n, points, rates)[0],
        "engagement_90d": engagement,
        "won_180d": window(d_codes[won], closed[won], None, QUALITY_WINDOW, 0.0),
        "lost_180d": window(d_codes[lost], closed[lost], None, QUALITY_WINDOW, 0.0),
        "units_sold_90d": window(inv_codes, day, _f(inv, "units_sold"), WINDOW, 0.0),
        "on_hand": np.where(positions > 0, interval_sum(inv_codes, day, next_day, on_hand, points, n), np.nan),
        "claims_90d": window(c_codes, c_sub, None, WINDOW, 0.0),
    }
    frame = to_frame(columns, keys, len(points))
    for name in ("revenue_90d", "revenue_prior_90d", "pipeline"):
        frame[name] = frame[name].round(2)
    return frame


def line_activity(rows: pd.DataFrame, time_column: str, keys: Sequence, points: np.ndarray) -> np.ndarray:
    """Per key (product line) and point T: rows with `time_column` in [T − 90 d, T).

    Product-line coverage counts the lines where this is above 0 for the rows of active partners, adding up
    registrations (submitted) and stock reports (day) handed in by separate steps.
    """
    codes = key_codes(rows["key"], keys)
    t = _f(rows, time_column)
    return interval_sum(codes, t, t + WINDOW, None, points, len(keys))


def percentile_rank(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Percentile rank within each group: 100 × (mean rank − ½) / n over the values present.

    Ties share the mean of their ranks; a lone partner, or a group where all are equal, sits at 50.
    Empty values stay empty and do not count in n.
    """
    grouped = values.groupby(groups, dropna=False)
    ranks = grouped.rank(method="average")
    counts = grouped.transform("count")
    return 100.0 * (ranks - 0.5) / counts


def cover_score(days: pd.Series) -> pd.Series:
    """100 inside 15–60 days of cover; below, falls linearly to 0 at 0 days; above, 100 × 60 / days."""
    low, high = COVER_TARGET_DAYS
    values = days.to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(values < low, 100.0 * values / low, np.where(values <= high, 100.0, 100.0 * high / values))
    return pd.Series(score, index=days.index)


def band_of(score: float | None) -> str:
    """healthy ≥ 70, watch 40–69, at_risk < 40 (on the stored, rounded score); "" when there is no score."""
    if score is None or (isinstance(score, float) and np.isnan(score)):
        return ""
    return next(name for name, floor in BANDS if score >= floor)


def score_health(inputs: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Components, weights and score for active partners.

    `inputs`: one row per partner and as-of point with `point`, `tier_key` and the `health_inputs` columns.
    Metrics: revenue = revenue_90d; growth = revenue_90d / revenue_prior_90d (none without prior revenue);
    pipeline; engagement = engagement_90d; deal_quality = won / (won + lost) over 180 days; operations = mean of
    the days-of-cover score (`cover_score` of on_hand × 90 / units_sold_90d) and 100 − the percentile of
    claims per 1,000 units (1000 × claims_90d / units_sold_90d) — none without units sold. Every metric is
    rounded to METRIC_DECIMALS before it is ranked or scored against the cover band, so equal figures tie.
    Each component is the metric's `percentile_rank` among the rows of the same point and tier (higher is
    better). Components without data or with weight 0 are left out and the other weights renormalised; score
    = Σ weight × percentile, rounded to SCORE_DECIMALS; band by `band_of` on the rounded score.
    """
    f = inputs.copy()
    numbers = [c for c in HEALTH_INPUTS if c in f]
    f[numbers] = f[numbers].apply(pd.to_numeric, errors="coerce").astype("float64")
    f["tier_key"] = pd.to_numeric(f["tier_key"], errors="coerce")
    peers = [f["point"], f["tier_key"].fillna(-1)]
    units = f["units_sold_90d"].astype("float64")
    has_units = units > 0
    # on_hand × days / units, not on_hand / (units / days): the quotient of whole numbers is exact when it can be.
    cover = (f["on_hand"] * TRAILING_DAYS / units).where(has_units & f["on_hand"].notna())
    f["cover_days"] = cover.round(METRIC_DECIMALS)
    f["claims_per_1000_units"] = (1000.0 * f["claims_90d"] / units).where(has_units).round(METRIC_DECIMALS)
    claims_score = 100.0 - percentile_rank(f["claims_per_1000_units"], peers)
    parts = pd.concat([cover_score(f["cover_days"]), claims_score], axis=1)
    f["operations_metric"] = parts.mean(axis=1, skipna=True).where(parts.notna().any(axis=1)).round(METRIC_DECIMALS)
    f["revenue_metric"] = f["revenue_90d"].astype("float64")
    prior = f["revenue_prior_90d"].astype("float64")
    f["growth_metric"] = (f["revenue_90d"] / prior).where(prior > 0).round(METRIC_DECIMALS)
    f["pipeline_metric"] = f["pipeline"].astype("float64")
    f["engagement_metric"] = f["engagement_90d"].astype("float64")
    closed = f["won_180d"] + f["lost_180d"]
    f["deal_quality_metric"] = (f["won_180d"] / closed.where(closed > 0)).astype("float64").round(METRIC_DECIMALS)
    f["peer_count"] = f.groupby(peers)["point"].transform("size")

    used_weight = pd.Series(0.0, index=f.index)
    for name in HEALTH_COMPONENTS:
        metric = f[f"{name}_metric"]
        f[f"{name}_pct"] = percentile_rank(metric, peers)
        used = metric.notna() & (weights.get(name, 0.0) > 0)
        f[f"_{name}_used"] = used
        used_weight += used * weights.get(name, 0.0)
    total = pd.Series(0.0, index=f.index)
    denominator = used_weight.where(used_weight > 0)
    for name in HEALTH_COMPONENTS:
        effective = (weights.get(name, 0.0) / denominator).where(f[f"_{name}_used"])
        f[f"{name}_weight"] = effective
        total += (effective * f[f"{name}_pct"]).fillna(0.0)
    f["score"] = total.round(SCORE_DECIMALS).where(denominator.notna())
    f["band"] = [band_of(s) for s in f["score"]]
    missing = f[[f"{n}_metric" for n in HEALTH_COMPONENTS]].isna().to_numpy()
    patterns = missing @ (1 << np.arange(len(HEALTH_COMPONENTS)))
    reasons = {int(p): _reasons(int(p), weights) for p in np.unique(patterns)}
    f["reasons"] = [reasons[int(p)] for p in patterns]
    return f.drop(columns=[f"_{n}_used" for n in HEALTH_COMPONENTS])


def _reasons(pattern: int, weights: dict[str, float]) -> dict[str, str]:
    """Why components are left out, for a bit pattern of the components without data."""
    out = {}
    for bit, name in enumerate(HEALTH_COMPONENTS):
        if weights.get(name, 0.0) <= 0:
            out[name] = REASONS["zero_weight"]
        elif pattern & (1 << bit):
            out[name] = REASONS.get(name, "no data")
    return out


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def explain_component(name: str, percentile: float | None, peers: str, reason: str = "") -> str:
    """The one line the UI shows, e.g. "revenue: 82nd percentile of Gold partners"."""
    label = HEALTH_COMPONENTS[name][0]
    if reason:
        return f"{label}: not used — {reason}"
    if percentile is None or np.isnan(percentile):
        return f"{label}: no data"
    return f"{label}: {ordinal(int(round(percentile)))} percentile of {peers} partners"


def ecosystem_health(scores: pd.DataFrame, revenue: pd.DataFrame) -> pd.DataFrame:
    """Ecosystem health per point.

    `scores`: point, score, band, revenue_90d of scored (active) partners; `revenue`: point, revenue_90d of every
    partner. score = Σ score × revenue_90d / Σ revenue_90d over scored partners (empty when that revenue is 0);
    mean_score = plain mean; *_share = share of scored partners in each band; top10_revenue_share = revenue of
    the 10 largest partners / all revenue; herfindahl_index = Σ (partner revenue / all revenue)².
    """
    rows = []
    for point in sorted(set(scores["point"]) | set(revenue["point"])):
        # Sorted, so the sums do not depend on the order the rows arrived in.
        s = scores[(scores["point"] == point) & scores["score"].notna()].sort_values(["revenue_90d", "score"])
        r = revenue.loc[revenue["point"] == point, "revenue_90d"].astype("float64").sort_values()
        weight = s["revenue_90d"].astype("float64")
        total = float(r.sum())
        shares = (r / total) if total > 0 else None
        rows.append(
            {
                "point": point,
                "score": float((s["score"] * weight).sum() / weight.sum()) if weight.sum() > 0 else np.nan,
                "mean_score": float(s["score"].mean()) if len(s) else np.nan,
                "partners_scored": len(s),
                **{f"{band}_share": (float((s["band"] == band).mean()) if len(s) else np.nan) for band, _ in BANDS},
                "revenue_90d": round(total, 2),
                "top10_revenue_share": float(r.nlargest(10).sum() / total) if total > 0 else np.nan,
                "herfindahl_index": float((shares**2).sum()) if shares is not None else np.nan,
            }
        )
    return pd.DataFrame(rows)
