"""Showing activation figures: a share as "78 %", a lag as "12 days", nothing as "—" (never 0)."""

from __future__ import annotations

from django import template

register = template.Library()
EMPTY = "—"


@register.filter
def pct(value: float | None) -> str:
    """A fraction as a whole percentage ("0.784" → "78 %")."""
    return EMPTY if value is None else f"{round(value * 100):d} %"


@register.filter
def days(value: float | None) -> str:
    if value is None:
        return EMPTY
    shown = f"{value:.1f}".removesuffix(".0")
    return f"{shown} day" if shown == "1" else f"{shown} days"
