"""Figures in sentences (notifications, messages, history notes) written as the pages write them."""

from __future__ import annotations

from decimal import Decimal


def money(amount: Decimal | float | int | None, currency: str) -> str:
    """ "12,500.00 USD": two decimals, thousands separated, then the currency, as the pages show amounts
    (`floatformat:2|intcomma` and the currency); "—" when there is no amount."""
    if amount is None:
        return "—"
    return f"{Decimal(str(amount)):,.2f} {currency}".strip()


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 registration", "3 registrations", "1,200 rows": the number with the noun it takes, never "(s)"."""
    noun = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {noun}"
