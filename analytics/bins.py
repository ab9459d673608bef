"""Small vectorised helpers the KPI formulas share (pure numpy and pandas): a row's key code, sums, medians
and open-interval sums per (key, period), and the frame every KPI function returns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def key_codes(values: pd.Series | np.ndarray, keys: Sequence) -> np.ndarray:
    """Position of each row's key in `keys` (-1 when the key is not asked for)."""
    return pd.Index(list(keys)).get_indexer(pd.Index(np.asarray(values)))


def _f(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype="float64", na_value=np.nan)


def bin_sum(codes: np.ndarray, idx: np.ndarray, weights: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    """Σ weights (or a count) per (key, period) of rows falling in a period."""
    ok = (codes >= 0) & (idx >= 0)
    if weights is not None:
        ok &= ~np.isnan(weights)
    flat = codes[ok] * shape[1] + idx[ok]
    w = None if weights is None else weights[ok]
    return np.bincount(flat, weights=w, minlength=shape[0] * shape[1]).reshape(shape).astype("float64")


def interval_sum(
    codes: np.ndarray, lo: np.ndarray, hi: np.ndarray, weights: np.ndarray | None, points: np.ndarray, nkeys: int
) -> np.ndarray:
    """Σ weights per (key, point) of rows with lo < point ≤ hi (hi NaN = open-ended); points ascending.

    Each row adds its weight at the first point after `lo` and removes it after the
    last point not beyond `hi`; a running sum per key then gives every point at once.
    """
    n = len(points)
    hi = np.where(np.isnan(hi), np.inf, hi)
    w = np.ones(len(codes)) if weights is None else np.nan_to_num(weights)
    i1 = np.searchsorted(points, lo, side="right")
    i2 = np.searchsorted(points, hi, side="right")
    keep = (codes >= 0) & ~np.isnan(lo) & (i2 > i1)
    width = n + 1
    diff = np.bincount(codes[keep] * width + i1[keep], weights=w[keep], minlength=nkeys * width)
    diff -= np.bincount(codes[keep] * width + i2[keep], weights=w[keep], minlength=nkeys * width)
    return np.cumsum(diff.reshape(nkeys, width), axis=1)[:, :n]


def bin_median(codes: np.ndarray, idx: np.ndarray, values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Median of values per (key, period); NaN where a period has none."""
    out = np.full(shape, np.nan)
    ok = (codes >= 0) & (idx >= 0) & ~np.isnan(values)
    if ok.any():
        medians = pd.Series(values[ok]).groupby([codes[ok], idx[ok]]).median()
        out[medians.index.get_level_values(0), medians.index.get_level_values(1)] = medians.to_numpy()
    return out


def _ms(seconds: np.ndarray) -> np.ndarray:
    return np.round(seconds * 1000.0)


def to_frame(columns: dict[str, np.ndarray], keys: Sequence, periods: int) -> pd.DataFrame:
    index = pd.MultiIndex.from_product([list(keys), range(periods)], names=["key", "period"])
    return pd.DataFrame({name: arr.reshape(-1) for name, arr in columns.items()}, index=index)
