"""Finding out what the database already holds, and removing earlier demo data before a reload.

Demo rows are: partners with is_demo=True and everything that hangs off them (users, deals and
their lines/events/conflicts, inventory, claims, support tickets, certifications, and any row another app keeps
about them), demo users (published logins and contacts, recognised by their `.example` e-mail),
and end customers with a `.example` domain that nothing else refers to any more. Shared reference
data (regions, tiers, program, catalog, failure codes) is kept.

When the database holds demo data only, the big tables (and every table whose rows all belong to a
partner) are emptied in one statement (TRUNCATE on PostgreSQL); otherwise rows are deleted by
reference to the demo partners, so real data stays.
Constraints are deferred to commit on both supported databases, so deletion order within the
transaction does not matter as long as every reference is gone by then.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models

from accounts.models import User
from core.text import counted
from customers.models import Customer
from deals.models import DealConflict, DealEvent, DealLine, DealRegistration
from inventory.models import InventoryReport
from partners.models import Partner
from sellout.models import EndCustomerCandidate
from support.models import Ticket, TicketComment, TicketEvent
from warranty.models import ClaimEvent, WarrantyClaim

from .activations import purge_demo_activations
from .config import DEMO_EMAIL_SUFFIX, DEMO_USERNAMES

# The big tables: emptied wholesale when every partner is a demo one (with every other table whose
# rows all belong to a partner, and whatever refers to them).
FACT_MODELS: tuple[type[models.Model], ...] = (
    DealLine,
    DealEvent,
    DealConflict,
    DealRegistration,
    InventoryReport,
    ClaimEvent,
    WarrantyClaim,
    # Tickets refer to claims and deals (nullable links): emptied with them, so the links never block it.
    TicketComment,
    TicketEvent,
    Ticket,
)


def has_demo_data() -> bool:
    return Partner.objects.filter(is_demo=True).exists()


def real_data_reasons() -> list[str]:
    """Why the database counts as holding real (non-demo) data; empty when it does not."""
    reasons = []
    real_partners = Partner.objects.filter(is_demo=False).count()
    if real_partners:
        reasons.append(f"{counted(real_partners, 'partner')} not created by seed_demo")
    taken = User.objects.filter(username__in=DEMO_USERNAMES).exclude(email__endswith=DEMO_EMAIL_SUFFIX)
    names = sorted(taken.values_list("username", flat=True))
    if names:
        reasons.append(f"existing {'user' if len(names) == 1 else 'users'} with a demo login name: {', '.join(names)}")
    return reasons


def purge_demo_data() -> dict[str, int]:
    """Delete every demo row (see module docstring); returns how many tables were emptied and rows deleted."""
    removed: dict[str, int] = {}
    only_demo = not Partner.objects.filter(is_demo=False).exists()
    wholesale = _wholesale_tables() if only_demo else None
    if wholesale:
        _empty(wholesale)
    demo_partners = Partner.objects.filter(is_demo=True)
    demo_users = User.objects.filter(email__endswith=DEMO_EMAIL_SUFFIX).filter(
        models.Q(partner__in=demo_partners) | models.Q(partner__isnull=True)
    )
    removed["activations"] = sum(purge_demo_activations().values())
    _delete(WarrantyClaim, WarrantyClaim._base_manager.filter(partner__in=demo_partners), removed, set())
    _delete(DealRegistration, DealRegistration._base_manager.filter(partner__in=demo_partners), removed, set())
    _delete(InventoryReport, InventoryReport._base_manager.filter(partner__in=demo_partners), removed, set())
    _delete(User, demo_users, removed, set())
    _delete(Partner, demo_partners, removed, set())
    # New end customers the demo's sell-out named (all under the reserved domain) go with their lines.
    candidates = EndCustomerCandidate._base_manager.filter(domain__endswith=DEMO_EMAIL_SUFFIX)
    _delete(EndCustomerCandidate, candidates, removed, set())
    orphan_customers = Customer._base_manager.filter(domain__endswith=DEMO_EMAIL_SUFFIX)
    for model, field in _references_to(Customer):
        orphan_customers = orphan_customers.exclude(pk__in=model._base_manager.values(field.attname))
    _delete(Customer, orphan_customers, removed, set())
    return {"tables emptied": len(wholesale or ()), "rows deleted": sum(removed.values())}


def _references_to(target: type[models.Model]) -> list[tuple[type[models.Model], models.ForeignKey]]:
    """Every (model, foreign key) in the project that points at `target`, M2M through tables included."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is target:
                found.append((model, field))
    return found


def _wholesale_tables() -> list[type[models.Model]] | None:
    """The tables that may be emptied outright when every partner is a demo one.

    The big fact tables, plus every table whose rows all belong to a partner (a required key to
    it), each with whatever refers to them; a table that cannot be emptied safely is left to
    deletion by reference.
    """
    tables = _with_dependants(FACT_MODELS)
    if tables is None:
        return None
    for model, field in _references_to(Partner):
        if field.null or model is Partner or model in tables:
            continue
        wider = _with_dependants((*tables, model))
        tables = wider if wider is not None else tables
    return tables


def _with_dependants(roots: tuple[type[models.Model], ...]) -> list[type[models.Model]] | None:
    """`roots` plus every model that (transitively) refers to one of them, to be emptied together.

    None when some table refers to them through a nullable key: it may hold rows unrelated to the
    demo, so emptying it wholesale would be wrong; row-by-reference deletion is used instead.
    """
    result = list(roots)
    for model in result:
        for dependant, field in _references_to(model):
            if dependant in result:
                continue
            if field.null:
                return None
            result.append(dependant)
    return result


def _empty(model_list: list[type[models.Model]]) -> None:
    tables = [connection.ops.quote_name(m._meta.db_table) for m in model_list]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from model metadata


def _delete(model: type[models.Model], queryset: models.QuerySet, removed: dict[str, int], seen: set) -> None:
    """Delete `queryset` and, first, whatever refers to those rows (cascade) or un-link it (SET_NULL).

    Set-based: one statement per table with a subquery, never row by row, so it scales to the
    large data set. Self-references are cut first (set to NULL) so the rows can go in one statement.
    """
    for dependant, field in _references_to(model):
        key = (dependant, field.name)
        referring = dependant._base_manager.filter(**{f"{field.attname}__in": queryset.values("pk")})
        on_delete = getattr(field.remote_field, "on_delete", None)
        if dependant is model or on_delete in (models.SET_NULL, models.DO_NOTHING):
            if field.null:
                referring.update(**{field.attname: None})
            continue
        if key in seen:
            continue
        _delete(dependant, referring, removed, seen | {key})
    sql, params = queryset.values("pk").query.sql_with_params()
    table, pk = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({sql})", params)  # noqa: S608 - names from metadata
        removed[model._meta.db_table] = removed.get(model._meta.db_table, 0) + max(cursor.rowcount, 0)
