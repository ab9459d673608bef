"""The engine's conversion (analytics.currency) against the rate table's own rule, row by row (no database)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pandas as pd

from analytics import currency
from analytics.periods import to_seconds
from currencies.selectors import RateTable

START = date(2025, 1, 1)


def _table() -> RateTable:
    rng = random.Random(3)
    daily_days = sorted(rng.sample([START + timedelta(days=i) for i in range(180)], 40))
    return RateTable(
        reporting="USD",
        daily={"EUR": (daily_days, [Decimal(f"1.{rng.randint(0, 9999):04d}") for _ in daily_days])},
        monthly={("EUR", date(2025, m, 1)): Decimal(f"1.0{m}5") for m in (1, 2, 4, 5)}
        | {("GBP", date(2025, m, 1)): Decimal(f"1.2{m}7") for m in (1, 3, 5, 6)},
    )


def test_rates_and_conversions_follow_the_rate_table_rule_for_every_row():
    table = _table()
    rng = random.Random(11)
    days = [START + timedelta(days=rng.randint(0, 190)) for _ in range(2000)]
    codes = [rng.choice(["USD", "EUR", "GBP", "JPY"]) for _ in days]
    amounts = [Decimal(rng.randint(1, 10_000_000)) / 100 for _ in days]
    seconds = np.array([to_seconds(d) + rng.randint(0, 86_399) for d in days], dtype="float64")
    frame = pd.DataFrame({"currency": codes, "closed": seconds, "amount": [float(a) for a in amounts]})
    rates = currency.Rates.from_table(table)
    looked_up = currency.rates_at(frame["currency"].to_numpy(), seconds, rates)
    converted = currency.converted(frame, "closed", rates)
    for i, (code, day, amount) in enumerate(zip(codes, days, amounts, strict=True)):
        expected_rate = table.rate(code, day)
        expected = table.convert(amount, code, day)
        if expected_rate is None:
            assert np.isnan(looked_up[i]) and np.isnan(converted[i]), (code, day)
        else:
            assert looked_up[i] == float(expected_rate), (code, day)
            assert Decimal(f"{converted[i]:.2f}") == expected, (code, day, amount)


def test_reporting_currency_is_never_touched_and_nothing_missing_is_one():
    rates = currency.Rates.from_table(RateTable(reporting="USD"))
    frame = pd.DataFrame({"currency": ["USD", "EUR"], "closed": [to_seconds(START)] * 2, "amount": [10.005, 5.0]})
    out = currency.converted(frame, "closed", rates)
    assert out[0] == 10.005 and np.isnan(out[1])
    report = currency.unconverted(frame, "closed", rates, "won")
    assert report.to_dict("records") == [
        {"kind": "won", "currency": "EUR", "month": date(2025, 1, 1), "items": 1, "amount": 5.0}
    ]


def test_open_sums_convert_each_currency_at_each_point_and_report_the_gaps():
    table = RateTable(reporting="USD", monthly={("EUR", date(2025, 1, 1)): Decimal("1.1")})
    rates = currency.Rates.from_table(table)
    points = np.array([to_seconds(date(2025, 2, 1)), to_seconds(date(2025, 3, 1))])  # ends of January, February
    codes = np.array([0, 0, 0])
    labels = np.array(["EUR", "USD", "EUR"], dtype=object)
    amounts = np.array([100.0, 7.0, 50.0])

    def summed(mask, weights):
        out = np.zeros((1, len(points)))
        for i in np.flatnonzero(mask):
            out[0] += 1.0 if weights is None else weights[i]
        return out

    total, missing = currency.open_sums(codes, labels, amounts, points, rates, summed)
    assert total.tolist() == [[7.0 + 165.0, 7.0]]  # January's EUR rate; February has none
    gone, count = missing["EUR"]
    assert gone.tolist() == [[0.0, 150.0]] and count.tolist() == [[0.0, 2.0]]


def test_exact_half_cents_round_to_even_as_the_decimal_conversion():
    """Float products that are exactly half a cent come out a hair either side; they are redone in Decimal."""

    class Table:
        reporting = "USD"

        def rate(self, currency, day):
            return Decimal("1.5")

    amounts = [0.01, 0.03, 0.05, 12.33, 1.07, 100.01]
    frame = pd.DataFrame({"amount": amounts, "currency": ["EUR"] * 6, "closed": [86_400.0 * 20_000] * 6})
    got = currency.converted(frame, "closed", currency.Rates.from_table(Table()))
    expected = [
        float((Decimal(str(a)) * Decimal("1.5")).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)) for a in amounts
    ]
    assert got.tolist() == expected == [0.02, 0.04, 0.08, 18.5, 1.6, 150.02]
