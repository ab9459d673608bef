"""Number display for dashboards: a formatter per kind of number, "—" for empty, changes in words not colour alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html

from analytics.definitions import KPIS, Kpi

from ..presenters.tiles import basis_text

register = template.Library()

EMPTY = "—"
BANDS = {"healthy": "Healthy", "watch": "Watch", "at_risk": "At risk"}


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register.filter
def fmt(value: Any, kind: str = "number") -> str:
    """Format a number for a table cell or tile: `kind` is money, count, percent, number, score, hours, days…"""
    if kind == "text":
        return EMPTY if value in (None, "") else str(value)
    number = _float(value)
    if number is None:
        return EMPTY
    if kind == "money":
        return intcomma(f"{number:.0f}")
    if kind == "count":
        return intcomma(f"{number:.0f}")
    if kind == "percent":
        return f"{number * 100:.1f} %"
    if kind == "score":
        return f"{number:.0f}"
    if kind == "hours":
        return f"{intcomma(f'{number:.1f}')} h"
    if kind == "days":
        return f"{intcomma(f'{number:.1f}')} d"
    if kind == "per_thousand":
        return f"{number:.2f}"
    if kind == "share":
        return f"{number:.3f}"
    if kind == "pvalue":
        return "< 0.0001" if number < 0.0001 else f"{number:.4f}"
    return intcomma(f"{number:.1f}")


@register.filter
def money_short(value: Any) -> str:
    """12,345,678 → "12.3 M" for tiles; the exact figure goes in the title attribute."""
    number = _float(value)
    if number is None:
        return EMPTY
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(number) >= size:
            return f"{number / size:.1f}{suffix}"
    return f"{number:.0f}"


def change(current: Any, previous: Any, kind: str) -> tuple[float | None, str]:
    """The change from `previous` to `current`: percentage points for rates, relative % otherwise."""
    now, before = _float(current), _float(previous)
    if now is None or before is None:
        return None, ""
    if kind == "percent":
        return (now - before) * 100, "pts"
    if kind == "score":
        return now - before, "pts"
    if before == 0:
        return (0.0, "%") if now == 0 else (None, "")
    return (now - before) / abs(before) * 100, "%"


@register.simple_tag
def delta(
    current: Any, previous: Any, kind: str, label: str, lower_is_better: bool | None = False, kpi: Kpi | None = None
) -> str:
    """ "▲ 12.0 % vs Feb 2026" in green when better, red when worse, grey when neither direction is better;
    "no comparison" when either side is empty.

    With `kpi` (an entry of the KPI registry) better and worse follow its direction or target band
    (`Kpi.compare`: days of cover moving into 15–60 days is better, whichever way it moves); otherwise
    `lower_is_better` says which way is better (None: neither).
    """
    amount, unit = change(current, previous, kind)
    if amount is None:
        return format_html('<span class="delta delta-none">no comparison with {}</span>', label)
    if abs(amount) < 0.05:
        return format_html('<span class="delta delta-flat">unchanged vs {}</span>', label)
    if kpi is not None:
        judged = kpi.compare(float(current), float(previous))
    elif lower_is_better is None:
        judged = None
    else:
        judged = 1 if ((amount < 0) if lower_is_better else (amount > 0)) else -1
    arrow, word = ("▲", "up") if amount > 0 else ("▼", "down")
    css = {1: "delta-good", -1: "delta-bad"}.get(judged, "delta-flat")
    return format_html(
        '<span class="delta {}"><span aria-hidden="true">{}</span><span class="visually-hidden">{}</span> '
        "{} {} vs {}</span>",
        css,
        arrow,
        word,
        f"{abs(amount):.1f}",
        unit,
        label,
    )


@register.filter
def rate_basis(values: Any, key: str) -> str:
    """ "3 of 3 closed" for a rate column of a row (a dict or an annotated object); empty for other columns."""
    kpi = KPIS.get(key)
    return basis_text(kpi, values) if kpi else ""


@register.simple_tag
def band_badge(band: str | None, score: Any = None) -> str:
    """The health band as a badge with its words (colour only repeats them)."""
    if not band:
        return format_html('<span class="badge text-bg-light border">{}</span>', "No score")
    text = BANDS.get(band, band)
    if score is not None and _float(score) is not None:
        return format_html('<span class="badge band-badge band-bg-{}">{} · {}</span>', band, fmt(score, "score"), text)
    return format_html('<span class="badge band-badge band-bg-{}">{}</span>', band, text)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    if mapping is None:
        return None
    if isinstance(mapping, dict):
        return mapping.get(key)
    if isinstance(key, str) and hasattr(mapping, key):
        return getattr(mapping, key)
    try:
        return mapping[key]
    except (IndexError, KeyError, TypeError):
        return None


@register.filter
def get_field_label(form: Any, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else name.replace("_", " ").capitalize()


@register.filter
def as_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
