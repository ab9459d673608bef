"""The deal list's fast path: what DealSerializer writes for a page of deals, written from plain rows.

A page of 100 deals is the API's busiest answer, and DRF's field-by-field work over model instances
costs many times the page's queries (docs/benchmarks.md has the figures). The fields are declared once,
on `DealSerializer`: this module derives from its declared fields which columns a page reads (one
`values()` query for the deals, one for their lines, one for the conflicts of flagged deals) and how
each value is written, as DRF writes it, and compiles that into one function that builds a deal's
dict in a single expression (as `dataclasses` builds its methods). A field of a kind it does not know
fails at first use, not with a different answer. tests/api/test_deal_fast_path.py checks the output
against `DealSerializer` over varied data (every status, conflicts, lines, managers and partners,
time zones).

Kinds of field: model columns and paths over foreign keys (`partner.name`; a path through a nullable
foreign key is read by a scalar subquery, which PostgreSQL plans faster than a LEFT JOIN), nested
serializers over a foreign key, a `many=True` serializer over a reverse foreign key (one query for the
page), model properties (computed by the model's own property from the row), and the method fields
named in `METHOD_FIELDS`.
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
from django.utils import timezone
from rest_framework import serializers
from rest_framework.settings import api_settings

from deals.models import DealRegistration

from .serializers import DealSerializer, _datetime, conflict_rows, conflicts_shown

# Method fields and what they are on a row (rows carry their conflict links under CONFLICTS).
CONFLICTS = "fast__conflicts"
METHOD_FIELDS: dict[str, Callable[[dict, dict], Any]] = {
    "conflict_count": lambda row, context: len(row[CONFLICTS]),
    "conflicts": lambda row, context: conflicts_shown(row[CONFLICTS], context),
}
TEXT_FIELDS = (models.CharField, models.TextField)  # the database hands these back as str already


def _date(value) -> str:
    return value.isoformat()


def _decimal(declared: serializers.DecimalField) -> Callable[[Decimal], str]:
    coerce = getattr(declared, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if not coerce or declared.localize or declared.normalize_output:
        raise TypeError("the deal fast path writes decimals as plain strings, as the API does")
    quantum = Decimal(1).scaleb(-declared.decimal_places)
    return lambda value: f"{value.quantize(quantum):f}"


def _writer(declared: serializers.Field, model_field: models.Field | None) -> Callable | str | None:
    """How DRF writes a non-null value of this field: a function, "datetime", or None (as it is)."""
    if isinstance(declared, serializers.DateTimeField):
        return "datetime"  # needs the page's time zone
    if isinstance(declared, serializers.DateField):
        return _date
    if isinstance(declared, serializers.DecimalField):
        return _decimal(declared)
    if isinstance(declared, serializers.CharField | serializers.ChoiceField):
        return None if isinstance(model_field, TEXT_FIELDS) else str
    if isinstance(declared, serializers.IntegerField | serializers.BooleanField):
        return None
    raise TypeError(f"the deal fast path does not know how to write {type(declared).__name__}")


@dataclass
class Plan:
    """Which columns one serializer's fields read, and the source of the expression that writes them."""

    model: type[models.Model]
    prefix: str = ""  # the path from the row's model to this plan's model (nested serializers)
    names: list[str] = field(default_factory=list)  # values() positional lookups (the row keys)
    expressions: dict[str, Any] = field(default_factory=dict)  # values() keyword arguments: key → subquery
    functions: dict[str, Any] = field(default_factory=dict)  # what the compiled source calls, by name
    children: dict[str, Plan] = field(default_factory=dict)  # many=True fields: name → the child's plan
    child_keys: dict[str, str] = field(default_factory=dict)  # name → the child's foreign key to the parent
    child_writers: dict[str, Callable] = field(default_factory=dict)  # name → the child's compiled writer

    def nested(self, source: str) -> Plan:
        """The plan of a serializer nested over the foreign key `source`, reading into the same rows."""
        related = self.model._meta.get_field(source).related_model
        return Plan(
            model=related,
            prefix=f"{self.prefix}{source}__",
            names=self.names,
            expressions=self.expressions,
            functions=self.functions,
        )

    def read(self, path: str) -> tuple[str, models.Field, bool]:
        """(row key, model field, whether it may be NULL) of the value at `path` from this plan's model."""
        lookup = self.prefix + path
        first, _, rest = path.partition("__")
        model_field = self.model._meta.get_field(first)
        if rest and isinstance(model_field, models.ForeignKey):
            target = model_field.related_model._meta.get_field(rest.split("__")[0])
            if model_field.null and "__" not in rest:
                key = lookup.replace("__", "_") + "_subquery"
                outer = OuterRef(self.prefix + model_field.attname)
                related = model_field.related_model._default_manager.filter(pk=outer)
                self.expressions.setdefault(key, Subquery(related.values(rest)[:1]))
                return key, target, True
            return self._name(lookup), target, model_field.null or target.null
        return self._name(lookup), model_field, model_field.null

    def _name(self, lookup: str) -> str:
        if lookup not in self.names:
            self.names.append(lookup)
        return lookup

    def bind(self, value: Any) -> str:
        """A name for `value` in the compiled source."""
        name = f"_f{len(self.functions)}"
        self.functions[name] = value
        return name

    def values(self, queryset: QuerySet) -> QuerySet:
        """The rows of a queryset that carries this plan's annotations (`annotate`)."""
        return queryset.values(*self.names, *self.expressions)

    def annotate(self, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(**self.expressions) if self.expressions else queryset


def _value_source(plan: Plan, key: str, write, nullable: bool) -> str:
    read = f"row[{key!r}]"
    if write is None:
        return read
    argument = "v" if nullable else read
    call = f"{plan.bind(_datetime)}({argument}, tz)" if write == "datetime" else f"{plan.bind(write)}({argument})"
    return f"(None if (v := {read}) is None else {call})" if nullable else call


def _source(serializer: serializers.Serializer, plan: Plan) -> str:
    """The dict display that writes a row as the serializer would."""
    items = []
    for name, declared in serializer.fields.items():
        source = declared.source.replace(".", "__")
        if isinstance(declared, serializers.SerializerMethodField):
            if name not in METHOD_FIELDS:
                raise TypeError(f"the deal fast path has no rule for the method field {name!r}")
            value = f"{plan.bind(METHOD_FIELDS[name])}(row, context)"
        elif isinstance(declared, serializers.ListSerializer):
            relation = plan.model._meta.get_field(source)
            child = Plan(model=relation.related_model)
            plan.child_writers[name] = _compile(declared.child, child)
            for concrete in relation.related_model._meta.concrete_fields:  # what the model's properties use
                child.read(concrete.attname)
            plan.children[name] = child
            plan.child_keys[name] = child.read(relation.field.attname)[0]
            value = f"row[{name!r}]"
        elif isinstance(declared, serializers.Serializer):
            value = _source(declared, plan.nested(source))
        elif isinstance(getattr(plan.model, source, None), property):
            getter = getattr(plan.model, source).fget
            write = _writer(declared, None)
            value = f"{plan.bind(getter)}({plan.bind(SimpleNamespace)}(**row))"
            if write is not None:
                value = f"(None if (v := {value}) is None else {plan.bind(write)}(v))"
        else:
            key, model_field, nullable = plan.read(source)
            value = _value_source(plan, key, _writer(declared, model_field), nullable)
        items.append(f"{name!r}: {value}")
    return "{" + ", ".join(items) + "}"


def _compile(serializer: serializers.Serializer, plan: Plan) -> Callable[[dict, dict, Any], dict]:
    """One function `write(row, context, tz)` returning the serializer's output for a row."""
    body = _source(serializer, plan)
    namespace = dict(plan.functions)
    # The source comes from the declared fields only (names, keys and the names of bound functions), never from input.
    exec(f"def write(row, context, tz):\n    return {body}\n", namespace)  # noqa: S102
    return namespace["write"]


@functools.cache
def deal_plan() -> tuple[Plan, Callable[[dict, dict, Any], dict]]:
    plan = Plan(model=DealRegistration)
    write = _compile(DealSerializer(), plan)
    plan.read("id")
    plan.read("has_conflict")  # which deals have conflict links to read
    return plan, write


def deal_queryset(queryset: QuerySet[DealRegistration]) -> QuerySet[DealRegistration]:
    """The queryset with what the rows read by subquery annotated. Done once, on the viewset's class
    queryset: resolving the subqueries on every request cost a quarter of a millisecond."""
    plan, _ = deal_plan()
    return plan.annotate(queryset)


def deal_rows(queryset: QuerySet[DealRegistration]) -> QuerySet:
    """The rows the fast path writes, from a `deal_queryset` (its filters and order kept)."""
    plan, _ = deal_plan()
    return plan.values(queryset)


def deal_page(rows: Iterable[dict], *, context: dict) -> list[dict]:
    """What `DealSerializer(deal, context=context).data` is for each deal of a page of `deal_rows`."""
    plan, write = deal_plan()
    tz = timezone.get_current_timezone()
    rows = list(rows)
    ids = [row["id"] for row in rows]
    for name, child in plan.children.items():
        key, write_child = plan.child_keys[name], plan.child_writers[name]
        by_parent: dict[int, list] = {pk: [] for pk in ids}
        query = child.model._default_manager.filter(**{f"{key}__in": ids}).order_by("pk")
        for child_row in child.values(child.annotate(query)):
            by_parent[child_row[key]].append(write_child(child_row, context, tz))
        for row in rows:
            row[name] = by_parent[row["id"]]
    flagged = [row["id"] for row in rows if row["has_conflict"]]  # only flagged deals have links
    conflicts = conflict_rows(flagged, user=context["request"].user)
    for row in rows:
        row[CONFLICTS] = conflicts.get(row["id"], [])
    return [write(row, context, tz) for row in rows]
