"""PostgreSQL's set-based sell-out upsert writes exactly what the portable ORM path writes."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ingest.services import import_batch_open
from sellout import services
from sellout.models import EndCustomerCandidate, SellOutCorrection, SellOutLine, SellOutSerial
from tests.factories import CustomerFactory, PartnerFactory, ProductFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL=postgres://…"),
]
DAY = date.today() - timedelta(days=9)


class RollbackError(Exception):
    pass


def _line(product, n, **over):
    values = {
        "invoice_number": f"INV-{n // 3}",
        "invoice_line": n % 3 + 1,
        "date": DAY - timedelta(days=n % 5),
        "transaction_type": ["sale", "sale", "return", "transfer", "drop_ship"][n % 5],
        "product": product,
        "quantity": 1 + n % 4,
        "unit_price": Decimal("19.99") + n,
        "currency": "EUR" if n % 2 else "USD",
        "end_customer_name": ["Acme GmbH", "Globex Corp", "", "Initech, Inc.", "Umbrella plc"][n % 5],
        "end_customer_domain": ["acme.example", "", "", "initech.example", ""][n % 5],
        "end_customer_country": ["DE", "US", "", "US", "GB"][n % 5],
        "serials": [f"SN-{n}-{k}" for k in range(n % 3)] + (["a-lower", "B-upper"] if n == 4 else []),
    }
    values.update(over)
    return values


def _state(reporter):
    """Everything the upsert wrote, keyed by invoice and line, free of ids that differ between runs."""
    key = {line.pk: (line.invoice_number, line.invoice_line) for line in SellOutLine.objects.filter(reporter=reporter)}
    candidates = dict(EndCustomerCandidate.objects.values_list("pk", "normalised_name"))
    fields = [*services.LINE_FIELDS, "customer_id", "customer_match", "source", "batch_id", "revision"]
    lines = {
        key[row["id"]]: {**{f: row[f] for f in fields}, "candidate": candidates.get(row["customer_candidate_id"])}
        for row in SellOutLine.objects.filter(reporter=reporter).values("id", "customer_candidate_id", *fields)
    }
    serials = sorted(
        (key[line_id], product, serial)
        for line_id, product, serial in SellOutSerial.objects.filter(line__reporter=reporter).values_list(
            "line_id", "product_id", "serial"
        )
    )
    corrections = sorted(
        (key[c.line_id], c.revision, c.batch_id, c.changed_by_id, sorted(c.changed_fields), c.previous)
        for c in SellOutCorrection.objects.filter(line__reporter=reporter)
    )
    return lines, serials, corrections


def _run(reporter, deliveries, monkeypatch, portable: bool):
    if portable:

        def through_orm(*, reporter_id, rows, batch_id, source, user_id, now):
            batch = services.ImportBatch.objects.get(pk=batch_id)
            user = UserFactory._meta.model.objects.filter(pk=user_id).first()
            return services._upsert_portable(
                reporter=reporter, rows=rows, batch=batch, source=source, user=user, now=now
            )

        monkeypatch.setattr(services, "upsert_postgres", through_orm)
    counts = []
    result = None
    try:
        with transaction.atomic():
            for batch, user, rows in deliveries:
                counts.append(services.sellout_lines_upsert(reporter=reporter, rows=rows, batch=batch, user=user))
            result = (counts, _state(reporter))
            raise RollbackError
    except RollbackError:
        pass
    monkeypatch.undo()
    return result


def test_both_paths_write_the_same_lines_serials_and_corrections(monkeypatch):
    reporter, user = PartnerFactory(), UserFactory()
    products = [ProductFactory(), ProductFactory()]
    CustomerFactory(name="ACME", domain="acme.example")
    CustomerFactory(name="Globex Corporation", domain="")
    batches = [import_batch_open(kind="sellout", channel=c, partner=reporter) for c in ("csv", "api", "edi")]
    first = [_line(products[n % 2], n) for n in range(30)]
    second = [  # the same lines, some changed: quantity, price, customer, serials added and removed, product
        _line(products[n % 2], n, **({"quantity": 9} if n % 7 == 0 else {}))
        if n % 4
        else _line(products[(n + 1) % 2], n, unit_price=Decimal("1.00"), serials=["X-1"], end_customer_name="New Co")
        for n in range(10, 40)
    ]
    third = [_line(products[n % 2], n) for n in range(5, 20)]  # puts some lines back as they first were
    deliveries = [(batches[0], user, first), (batches[1], None, second), (batches[2], user, third)]
    portable = _run(reporter, deliveries, monkeypatch, portable=True)
    fast = _run(reporter, deliveries, monkeypatch, portable=False)
    assert (
        portable[0]
        == fast[0]
        == [
            {"created": 30, "updated": 0, "unchanged": 0},
            {"created": 10, "updated": 7, "unchanged": 13},
            {"created": 0, "updated": 3, "unchanged": 12},
        ]
    )
    assert len(fast[1][2]) == 10  # seven corrections, then three put back
    assert portable[1][0] == fast[1][0]
    assert portable[1][1] == fast[1][1]
    assert portable[1][2] == fast[1][2]
