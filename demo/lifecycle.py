"""Where each deal registration is in its lifecycle on the anchor date, and when it got there.

Random draws are taken once (`draw`), may be overridden (`force`: showcase partners need every
status; conflicting registrations are mostly turned down), and are then resolved into timestamps
and a status as of the anchor (`resolve`). Resolving is a pure function of the draws, so a changed
submission time can simply be resolved again.

Rules mirrored from the deal services: decision = submission + hours to days; approval protects
for the program's period from the decision, extendable once; an approved deal not won or lost
before its protection ends expires (the hourly job stamps closed_at); withdrawal, win, loss and
expiry all set closed_at.
"""

from __future__ import annotations

import numpy as np

HOUR = np.timedelta64(3600, "s")
DAY = np.timedelta64(86400, "s")
NAT = np.datetime64("NaT", "s")

APPROVE_BY_TIER = np.array([0.9, 0.86, 0.8, 0.74])
WIN_BY_TIER = np.array([0.66, 0.58, 0.5, 0.42])
FORCIBLE = ("draft", "submitted", "approved", "rejected", "withdrawn", "won", "lost", "expired")


def draw(rng: np.random.Generator, tier: np.ndarray, trend: np.ndarray) -> dict[str, np.ndarray]:
    """Independent random draws per deal; `trend` (yearly log-growth) nudges the win rate."""
    n = len(tier)
    win = np.clip(WIN_BY_TIER[tier] + 0.08 * np.tanh(trend), 0.2, 0.85)
    outcome = rng.random(n)
    return {
        "draft": rng.random(n),
        "delay_h": np.clip(rng.lognormal(np.log(26), 1.2, n), 0.3, 21 * 24),
        "pre_withdraw": rng.random(n) < 0.025,
        "withdraw_frac": rng.uniform(0.1, 0.9, n),
        "approve": rng.random(n) < APPROVE_BY_TIER[tier],
        "cycle_d": np.clip(rng.lognormal(np.log(48), 0.6, n), 6, 300),
        # 0 won, 1 lost, 2 withdrawn after approval
        "outcome": np.where(outcome < win, 0, np.where(outcome < 0.975, 1, 2)),
        "extend": rng.random(n) < 0.35,
        "extend_lead_d": rng.uniform(2, 10, n),
        "extend_wait_h": rng.uniform(2, 48, n),
        "plan": rng.uniform(0.6, 1.3, n),
        "job_min": rng.uniform(0, 59, n),
    }


def force(
    rng: np.random.Generator, draws: dict, submitted: np.ndarray, rows: np.ndarray, status: str, anchor: np.datetime64
) -> None:
    """Override draws (and submission times) of `rows` so that they resolve to `status` at the anchor."""
    k = len(rows)

    def days(low: float, high: float) -> np.ndarray:
        return (rng.uniform(low, high, k) * 86400).astype("timedelta64[s]")

    draws["draft"][rows] = 1.0 if status != "draft" else 0.0
    draws["pre_withdraw"][rows] = status == "withdrawn"
    draws["approve"][rows] = status in ("approved", "won", "lost", "expired")
    draws["extend"][rows] = False
    draws["delay_h"][rows] = rng.uniform(2, 30, k)
    if status == "draft":
        submitted[rows] = anchor - days(1, 10)
    elif status == "submitted":
        submitted[rows] = anchor - days(0.1, 1.2)
        draws["delay_h"][rows] = 40 + rng.uniform(0, 48, k)
    elif status == "approved":
        submitted[rows] = anchor - days(15, 45)
        draws["cycle_d"][rows] = 200
    else:
        submitted[rows] = anchor - days(130, 400)
        draws["cycle_d"][rows] = 250 if status == "expired" else rng.uniform(20, 70, k)
        draws["outcome"][rows] = 1 if status == "lost" else 0


def resolve(
    draws: dict, submitted: np.ndarray, anchor: np.datetime64, protection_days: int, extension_days: int
) -> dict:
    """Timestamps and status of every deal as of `anchor` (datetime64[s] arrays, NaT where not reached)."""
    n = len(submitted)
    recent = submitted > anchor - 45 * DAY
    draft = draws["draft"] < np.where(recent, 0.12, 0.002)
    decided = submitted + (draws["delay_h"] * 3600).astype("timedelta64[s]")
    pre_withdrawn_at = submitted + (draws["delay_h"] * draws["withdraw_frac"] * 3600).astype("timedelta64[s]")
    pre_withdraw = ~draft & draws["pre_withdraw"] & (pre_withdrawn_at <= anchor)
    undecided = ~draft & ~pre_withdraw & (decided > anchor)
    was_decided = ~draft & ~pre_withdraw & ~undecided
    approved = was_decided & draws["approve"]
    rejected = was_decided & ~draws["approve"]

    protection = decided + protection_days * DAY
    close_at = decided + (draws["cycle_d"] * 86400).astype("timedelta64[s]")
    wants_more = approved & draws["extend"] & (close_at > protection)
    requested = protection - (draws["extend_lead_d"] * 86400).astype("timedelta64[s]")
    extended_at = requested + (draws["extend_wait_h"] * 3600).astype("timedelta64[s]")
    requested_ok = wants_more & (requested <= anchor)
    extended_ok = wants_more & (extended_at <= anchor)
    final_protection = np.where(extended_ok, protection + extension_days * DAY, protection)
    closes = approved & (close_at <= final_protection) & (close_at <= anchor)
    expired = approved & ~closes & (final_protection <= anchor)
    still_open = approved & ~closes & ~expired
    expired_at = final_protection + (draws["job_min"] * 60).astype("timedelta64[s]")

    outcome_names = np.array(["won", "lost", "withdrawn"])
    status = np.full(n, "submitted", dtype="U9")
    status[draft] = "draft"
    status[pre_withdraw] = "withdrawn"
    status[rejected] = "rejected"
    status[closes] = outcome_names[draws["outcome"][closes]]
    status[expired] = "expired"
    status[still_open] = "approved"

    closed = np.full(n, NAT)
    closed[pre_withdraw] = pre_withdrawn_at[pre_withdraw]
    closed[closes] = close_at[closes]
    closed[expired] = expired_at[expired]
    warn_at = final_protection - 7 * DAY + (draws["job_min"] * 60).astype("timedelta64[s]")
    # The warning job writes once, a week before protection ends, unless the deal was closed by then.
    warned = approved & (warn_at <= anchor) & ~(closes & (close_at <= warn_at))

    plan_days = draws["cycle_d"] * draws["plan"] + draws["delay_h"] / 24
    expected_close = (submitted + (plan_days * 86400).astype("timedelta64[s]")).astype("datetime64[D]")
    return {
        "status": status,
        "created": submitted.copy(),  # a portal registration is created and submitted in one step
        "submitted": np.where(draft, NAT, submitted),
        "decided": np.where(was_decided, decided, NAT),
        "approved": approved,
        "protection": np.where(approved, final_protection, NAT),
        "requested": np.where(requested_ok, requested, NAT),
        "extended": np.where(extended_ok, extended_at, NAT),
        "extension_days": extension_days,
        "warned": np.where(warned, warn_at, NAT),
        "closed": closed,
        "expected_close": np.maximum(expected_close, submitted.astype("datetime64[D]") + 1),
    }
