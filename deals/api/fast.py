"""The deal list's fast path: what DealSerializer writes for a page of deals, written from plain rows.

A page of 100 deals is the API's busiest answer, and DRF's field-by-field work over model instances
costs many times the page's queries (docs/benchmarks.md has the figures). The fields are declared once,
on `DealSerializer`: this module derives from its declared fields which columns a page reads (one
`values()` query for the deals, one for their lines, one for the conflicts of flagged deals) and how
each value is written, as DRF writes it. A field of a kind it does not know fails at import, not with
a different answer. tests/api/test_deal_fast_path.py checks the output against `DealSerializer` over
varied data (every status, conflicts, lines, managers and partners, time zones).

Kinds of field: model columns and one-to-one paths (`partner.name`; a path through a nullable
foreign key is read by a scalar subquery, which PostgreSQL plans faster than a LEFT JOIN), nested
serializers over a foreign key, a `many=True` serializer over a reverse foreign key (read by one query
for the page), model properties (computed by the model's own property from the row), and the method
fields named in `METHOD_FIELDS`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import models
from django.db.models import OuterRef, QuerySet, Subquery
from rest_framework import serializers
from rest_framework.settings import api_settings

from deals.models import DealRegistration

from .serializers import DealSerializer, _datetime, conflict_rows, conflicts_shown

Writer = Callable[[Any], Any]


def _date(value) -> str:
    return value.isoformat()


def _decimal(places: int) -> Writer:
    quantum = Decimal(1).scaleb(-places)
    return lambda value: f"{value.quantize(quantum):f}"


def _writer(declared: serializers.Field) -> Writer | None:
    """How DRF writes a non-null value of this field; None when it writes the value as it is."""
    if isinstance(declared, serializers.DateTimeField):
        return _datetime
    if isinstance(declared, serializers.DateField):
        return _date
    if isinstance(declared, serializers.DecimalField):
        coerce = getattr(declared, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        if not coerce or declared.localize or declared.normalize_output:
            raise TypeError("the deal fast path writes decimals as plain strings, as the API does")
        return _decimal(declared.decimal_places)
    if isinstance(declared, serializers.CharField | serializers.ChoiceField):
        return str
    if isinstance(declared, serializers.IntegerField | serializers.BooleanField):
        return None
    raise TypeError(f"the deal fast path does not know how to write {type(declared).__name__}")


@dataclass
class Plan:
    """How to write one serializer's fields from a row: (name, kind, payload) per field, in order."""

    model: type[models.Model]
    prefix: str = ""  # the path from the row's model to this plan's model (nested serializers)
    steps: list[tuple[str, str, Any]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # values() positional lookups (the row keys)
    expressions: dict[str, Any] = field(default_factory=dict)  # values() keyword arguments: key → subquery
    children: dict[str, Plan] = field(default_factory=dict)  # many=True fields: name → the child's plan
    child_keys: dict[str, str] = field(default_factory=dict)  # name → the child's foreign key to the parent

    def nested(self, source: str) -> Plan:
        """The plan of a serializer nested over the foreign key `source`, reading into the same rows."""
        related = self.model._meta.get_field(source).related_model
        return Plan(model=related, prefix=f"{self.prefix}{source}__", names=self.names, expressions=self.expressions)

    def read(self, path: str) -> str:
        """The row key the value at `path` (from this plan's model) is read under."""
        lookup = self.prefix + path
        first, _, rest = path.partition("__")
        model_field = self.model._meta.get_field(first)
        if rest and isinstance(model_field, models.ForeignKey) and model_field.null and "__" not in rest:
            key = lookup.replace("__", "_") + "_subquery"
            if key not in self.expressions:
                target = model_field.related_model._default_manager.filter(
                    pk=OuterRef(self.prefix + model_field.attname)
                )
                self.expressions[key] = Subquery(target.values(rest)[:1])
            return key
        if lookup not in self.names:
            self.names.append(lookup)
        return lookup

    def values(self, queryset: QuerySet) -> QuerySet:
        return queryset.values(*self.names, **self.expressions)


# Method fields and what they are on a row (rows carry their conflicts under CONFLICTS).
CONFLICTS = "fast__conflicts"
METHOD_FIELDS: dict[str, Callable[[dict, dict], Any]] = {
    "conflict_count": lambda row, context: len(row[CONFLICTS]),
    "conflicts": lambda row, context: conflicts_shown(row[CONFLICTS], context),
}


def _property(model: type[models.Model], name: str) -> property | None:
    attribute = getattr(model, name, None)
    return attribute if isinstance(attribute, property) else None


def compile_plan(serializer: serializers.Serializer, plan: Plan) -> Plan:
    """Add the steps of a serializer's declared fields to `plan`."""
    for name, declared in serializer.fields.items():
        source = declared.source.replace(".", "__")
        if isinstance(declared, serializers.SerializerMethodField):
            if name not in METHOD_FIELDS:
                raise TypeError(f"the deal fast path has no rule for the method field {name!r}")
            plan.steps.append((name, "method", METHOD_FIELDS[name]))
        elif isinstance(declared, serializers.ListSerializer):
            relation = plan.model._meta.get_field(source)
            child = compile_plan(declared.child, Plan(model=relation.related_model))
            for concrete in relation.related_model._meta.concrete_fields:  # what the model's properties use
                child.read(concrete.attname)
            plan.children[name] = child
            plan.child_keys[name] = child.read(relation.field.attname)
            plan.steps.append((name, "many", name))
        elif isinstance(declared, serializers.Serializer):
            plan.steps.append((name, "nested", compile_plan(declared, plan.nested(source))))
        elif _property(plan.model, source) is not None:
            plan.steps.append((name, "property", (_property(plan.model, source), _writer(declared))))
        else:
            plan.steps.append((name, "column", (plan.read(source), _writer(declared))))
    return plan


def _write(plan: Plan, row: dict, context: dict) -> dict:
    out = {}
    for name, kind, payload in plan.steps:
        if kind == "column":
            key, write = payload
            value = row[key]
            out[name] = value if value is None or write is None else write(value)
        elif kind == "nested":
            out[name] = _write(payload, row, context)
        elif kind == "many":
            out[name] = row[payload]
        elif kind == "method":
            out[name] = payload(row, context)
        else:  # a model property, computed from the row's columns
            getter, write = payload
            value = getter.fget(SimpleNamespace(**row))
            out[name] = value if value is None or write is None else write(value)
    return out


@functools.cache
def deal_plan() -> Plan:
    plan = compile_plan(DealSerializer(), Plan(model=DealRegistration))
    plan.read("id")
    plan.read("has_conflict")  # which deals have conflict links to read
    return plan


def deal_rows(queryset: QuerySet[DealRegistration]) -> QuerySet:
    """The queryset as the rows the fast path writes (values(); its filters and order kept)."""
    return deal_plan().values(queryset.select_related(None).prefetch_related(None))


def deal_page(rows: Iterable[dict], *, context: dict) -> list[dict]:
    """What `DealSerializer(deal, context=context).data` is for each deal of a page of `deal_rows`."""
    plan = deal_plan()
    rows = list(rows)
    ids = [row["id"] for row in rows]
    for name, child in plan.children.items():
        key = plan.child_keys[name]
        by_parent: dict[int, list] = {pk: [] for pk in ids}
        query = child.model._default_manager.filter(**{f"{key}__in": ids}).order_by("pk")
        for child_row in child.values(query):
            by_parent[child_row[key]].append(_write(child, child_row, context))
        for row in rows:
            row[name] = by_parent[row["id"]]
    conflicts = conflict_rows([row["id"] for row in rows if row["has_conflict"]])  # only flagged deals have links
    for row in rows:
        row[CONFLICTS] = conflicts.get(row["id"], [])
    return [_write(plan, row, context) for row in rows]
