"""Template pieces of the shared list page (core.lists): sortable headers and page links that keep the filters."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from core.lists import view_query

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str, align: str = "") -> str:
    """A `<th>` whose link sorts the list by `key`; a second click reverses; aria-sort names the current order.

    A key outside the view's sort whitelist renders a plain heading.
    """
    sort = context.get("list_sort") or {}
    css = format_html(' class="text-{}"', align) if align else ""
    if key not in sort.get("fields", {}):
        return format_html('<th scope="col"{}>{}</th>', css, label)
    current = sort.get("key") == key
    descending = current and sort.get("desc")
    # A click on the sorted column reverses it; on another column it sorts ascending.
    target = key if (not current or descending) else f"-{key}"
    query = view_query(context["request"].GET, **{sort.get("param", "sort"): target})
    if current:
        aria = format_html(' aria-sort="{}"', "descending" if descending else "ascending")
        arrow = format_html(' <span aria-hidden="true">{}</span>', "▼" if descending else "▲")
        hint = "sort ascending" if descending else "sort descending"
    else:
        aria, arrow, hint = "", "", "sort ascending"
    return format_html(
        '<th scope="col"{}{}><a class="sort-link" href="?{}">{}{}<span class="visually-hidden"> — {}</span></a></th>',
        css,
        aria,
        query,
        label,
        arrow,
        hint,
    )


@register.simple_tag(takes_context=True)
def page_query(context: dict[str, Any], number: int) -> str:
    """`?…&page=N` keeping every other parameter of the current request."""
    return "?" + view_query(context["request"].GET, page=number)


@register.simple_tag
def page_window(page_obj: Any, on_each_side: int = 2) -> list[Any]:
    """The page numbers around the current one (first and last are separate links), with "…" for gaps."""
    return list(page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=0))


@register.simple_tag(takes_context=True)
def sort_query(context: dict[str, Any], value: str = "") -> str:
    """`?…&sort=value` keeping the filters (an empty value: the list's default order), back to page 1."""
    sort = context.get("list_sort") or {}
    return "?" + view_query(context["request"].GET, **{sort.get("param", "sort"): value or None})
