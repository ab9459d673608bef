"""inventory_upsert: replacement on (partner, product, date), permissions, one event per call."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core import events
from core.exceptions import ActionNotPermittedError
from inventory.models import InventoryReport
from inventory.services import inventory_upsert, inventory_validate_rows
from tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_world")]


@pytest.fixture
def captured_events():
    seen: list[events.Event] = []
    events.subscribe(seen.append)
    yield seen
    events._subscribers.remove(seen.append)


def _row(product, day, on_hand=10, units_sold=2, on_order=0):
    return {"product": product, "date": day, "on_hand": on_hand, "units_sold": units_sold, "on_order": on_order}


def test_creates_rows_and_counts_them(world, products, yesterday):
    counts = inventory_upsert(
        partner=world.partner_a, user=world.user_a, rows=[_row(p, yesterday) for p in products], source="portal"
    )
    assert counts == {"created": 3, "updated": 0}
    row = InventoryReport.objects.get(partner=world.partner_a, product=products[0])
    assert (row.on_hand, row.units_sold, row.source, row.reported_by) == (10, 2, "portal", world.user_a)


def test_resending_a_row_replaces_it(world, products, yesterday):
    inventory_upsert(partner=world.partner_a, user=world.user_a, rows=[_row(products[0], yesterday)], source="portal")
    first = InventoryReport.objects.get()
    counts = inventory_upsert(
        partner=world.partner_a,
        user=world.admin_a,
        rows=[_row(products[0], yesterday, on_hand=3, units_sold=9, on_order=4), _row(products[1], yesterday)],
        source="csv",
    )
    assert counts == {"created": 1, "updated": 1}
    replaced = InventoryReport.objects.get(product=products[0])
    assert replaced.pk == first.pk and replaced.created_at == first.created_at
    assert (replaced.on_hand, replaced.units_sold, replaced.on_order) == (3, 9, 4)
    assert (replaced.source, replaced.reported_by) == ("csv", world.admin_a)
    assert InventoryReport.objects.count() == 2


def test_same_product_and_date_for_another_partner_is_a_separate_row(world, products, yesterday):
    inventory_upsert(partner=world.partner_a, user=world.user_a, rows=[_row(products[0], yesterday)], source="api")
    counts = inventory_upsert(
        partner=world.partner_b, user=world.user_b, rows=[_row(products[0], yesterday)], source="api"
    )
    assert counts == {"created": 1, "updated": 0}


def test_one_event_per_call_after_commit(
    world, products, yesterday, captured_events, django_capture_on_commit_callbacks
):
    rows = [_row(p, yesterday - timedelta(days=d)) for p in products for d in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        inventory_upsert(partner=world.partner_a, user=world.user_a, rows=rows, source="csv")
    reported = [e for e in captured_events if e.name == "inventory.reported"]
    assert len(reported) == 1
    event = reported[0]
    assert event.partner_id == world.partner_a.pk
    assert event.data["created"] == 9 and event.data["updated"] == 0 and event.data["rows"] == 9
    assert event.data["first_date"] == (yesterday - timedelta(days=2)).isoformat()


def test_nothing_to_write_writes_and_announces_nothing(world, captured_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert inventory_upsert(partner=world.partner_a, user=world.user_a, rows=[], source="api") == {
            "created": 0,
            "updated": 0,
        }
    assert captured_events == []


@pytest.mark.parametrize(
    ("user", "partner"),
    [
        ("distributor_admin", "reseller_of_distributor"),  # reads its resellers' inventory, may not write it
        ("user_a", "partner_b"),
        ("regional_manager", "partner_a"),  # the Americas manager cannot act for an EMEA partner
    ],
)
def test_user_must_be_able_to_edit_the_partner(world, products, yesterday, user, partner):
    with pytest.raises(ActionNotPermittedError):
        inventory_upsert(
            partner=getattr(world, partner),
            user=getattr(world, user),
            rows=[_row(products[0], yesterday)],
            source="api",
        )
    assert not InventoryReport.objects.exists()


def test_distributor_writes_its_own_inventory(world, products, yesterday):
    counts = inventory_upsert(
        partner=world.distributor, user=world.distributor_admin, rows=[_row(products[0], yesterday)], source="api"
    )
    assert counts["created"] == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on_hand": -1}, "0 or more"),
        ({"units_sold": "7"}, "whole numbers"),
        ({"date": date.today() + timedelta(days=1)}, "future"),
        ({"product": None}, "product is required"),
    ],
)
def test_bad_rows_are_refused_before_writing(world, products, yesterday, change, message):
    good = _row(products[1], yesterday)
    with pytest.raises(ValidationError) as info:
        inventory_upsert(
            partner=world.partner_a,
            user=world.user_a,
            rows=[good, {**_row(products[0], yesterday), **change}],
            source="api",
        )
    assert message in " ".join(info.value.message_dict["rows"])
    assert not InventoryReport.objects.exists()


def test_the_same_product_and_date_twice_in_one_call_is_refused(world, products, yesterday):
    with pytest.raises(ValidationError, match="twice"):
        inventory_upsert(
            partner=world.partner_a,
            user=world.user_a,
            rows=[_row(products[0], yesterday), _row(products[0], yesterday, on_hand=1)],
            source="api",
        )


def test_thousands_of_rows_take_a_few_queries(world, yesterday, django_assert_max_num_queries):
    products = f.ProductFactory.create_batch(50)
    rows = [_row(p, yesterday - timedelta(days=d)) for p in products for d in range(100)]  # 5,000 rows
    inventory_upsert(partner=world.partner_a, user=world.user_a, rows=rows[:1000], source="csv")
    # Not one query per row: the permission check, then per chunk of 2,000 one lookup of existing keys and
    # as few INSERT … ON CONFLICT statements as the database allows (SQLite caps parameters per statement).
    fields = [f for f in InventoryReport._meta.concrete_fields if not f.primary_key]
    per_insert = connection.ops.bulk_batch_size(fields, rows) or len(rows)
    with django_assert_max_num_queries(5 + 3 + math.ceil(len(rows) / per_insert) + 3):
        counts = inventory_upsert(partner=world.partner_a, user=world.user_a, rows=rows, source="csv")
    assert counts == {"created": 4000, "updated": 1000}
    assert InventoryReport.objects.count() == 5000


def test_validate_rows_accepts_api_style_values(products, yesterday):
    result = inventory_validate_rows(
        rows=[
            {"sku": "NET-100", "date": yesterday, "on_hand": 4, "units_sold": 1},
            {"sku": "NET-200", "date": yesterday.isoformat(), "on_hand": "4", "units_sold": True, "on_order": 2},
            {"product": products[2], "date": yesterday, "on_hand": 1, "units_sold": 1, "on_order": None},
        ]
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "units_sold")]
    assert [r["row"] for r in result.valid] == [1, 3]
    assert result.valid[1]["on_order"] == 0
