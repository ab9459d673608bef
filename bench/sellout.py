"""Sell-out ingest benchmark (`python -m bench.sellout`, part of `make bench`).

100,000 sell-out lines (end customers named, a fifth with serials, some returns) sent to gunicorn in 10 bulk
requests of 10,000 through `POST /api/v1/sellout/` with a partner admin's token, against PostgreSQL COPY of
the same lines (and their serials) into the same tables in the same run: rows/s and the ratio
COPY seconds / API seconds (target ≥ 0.5). Then the same 100,000 lines sent again with one in ten changed:
the correction path (compare, record the replaced values, update), as a ratio to the same COPY.

Traffic goes only to 127.0.0.1. The lines and users it creates are removed at the end. Results:
bench/results/sellout.json. Database: DATABASE_URL (default the prm_bench database).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bench.api import BENCH_PREFIX, ROOT, SERVER_ENV, _free_port, _request, _start_server

ROWS, PER_REQUEST = 100_000, 10_000
INVOICE_PREFIX = "BENCH-SO-"
FIRST_DAY = date(2001, 1, 1)
TARGET = 0.5


def _lines(products: list[tuple[int, str]], *, changed_every: int = 0) -> list[dict]:
    """Deterministic lines: three per invoice, a name per 50 lines, a fifth with two serials, one in 20 a return."""
    lines = []
    for n in range(ROWS):
        pk, sku = products[n % len(products)]
        quantity = 2 + n % 6  # at least the two serials a fifth of the lines carry
        if changed_every and n % changed_every == 0:
            quantity += 1
        lines.append(
            {
                "invoice_number": f"{INVOICE_PREFIX}{n // 3:07d}",
                "invoice_line": n % 3 + 1,
                "date": (FIRST_DAY + timedelta(days=n % 700)).isoformat(),
                "transaction_type": "return" if n % 20 == 19 else "sale",
                "sku": sku,
                "product_id": pk,
                "quantity": quantity,
                "unit_price": f"{100 + n % 900}.{n % 100:02d}",
                "currency": "USD",
                "end_customer_name": f"Bench Customer {n // 50:05d} Ltd",
                "end_customer_country": "DE",
                "end_customer_postcode": f"{10000 + n % 80000}",
                "end_customer_domain": "",
                "serials": [f"BS-{n}-A", f"BS-{n}-B"] if n % 5 == 0 else [],
            }
        )
    return lines


def _prepare():
    from accounts.models import Role, User
    from catalog.models import Product
    from integrations.tokens import api_token_create
    from partners.models import Partner

    partner = Partner.objects.filter(status="active", partner_type="reseller").order_by("pk").first()
    products = list(Product.objects.order_by("pk").values_list("pk", "sku")[:200])
    if partner is None or not products:
        sys.exit("bench.sellout: the database has no partners or products; load demo data first (seed_demo).")
    user, _ = User.objects.update_or_create(
        username=f"{BENCH_PREFIX}sellout", defaults={"role": Role.PARTNER_ADMIN, "partner": partner}
    )
    return partner, products, api_token_create(user=user, name="bench").plaintext


def _cleanup(partner_id: int) -> None:
    from django.db import connection

    from ingest.models import ImportBatch
    from sellout.models import EndCustomerCandidate, SellOutLine

    lines = SellOutLine.objects.filter(reporter_id=partner_id, invoice_number__startswith=INVOICE_PREFIX)
    batches = set(lines.exclude(batch=None).values_list("batch_id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM sellout_selloutcorrection WHERE line_id IN (SELECT id FROM sellout_selloutline"
            " WHERE reporter_id = %s AND invoice_number LIKE %s)",
            [partner_id, f"{INVOICE_PREFIX}%"],
        )
        cursor.execute(
            "DELETE FROM sellout_selloutserial WHERE line_id IN (SELECT id FROM sellout_selloutline"
            " WHERE reporter_id = %s AND invoice_number LIKE %s)",
            [partner_id, f"{INVOICE_PREFIX}%"],
        )
    lines.delete()
    ImportBatch.objects.filter(pk__in=batches).delete()
    EndCustomerCandidate.objects.filter(name__startswith="Bench Customer ").delete()


def _copy(partner_id: int, lines: list[dict]) -> float:
    """Seconds PostgreSQL COPY takes to load the same lines and serials (text prepared beforehand, commit
    included); the serials need the lines' ids, taken from the sequence in one call first."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now().isoformat()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('sellout_selloutline', 'id')) FROM generate_series(1, %s)",
            [len(lines)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    line_text, serial_text = io.StringIO(), io.StringIO()
    for pk, line in zip(ids, lines, strict=True):
        line_text.write(
            f"{pk}\t{now}\t{now}\t{partner_id}\t{line['invoice_number']}\t{line['invoice_line']}\t{line['date']}\t"
            f"{line['transaction_type']}\t{line['product_id']}\t{line['quantity']}\t{line['unit_price']}\t"
            f"{line['currency']}\t\t{line['end_customer_name']}\t{line['end_customer_country']}\t"
            f"{line['end_customer_postcode']}\t\tcandidate\tapi\t1\n"
        )
        for serial in line["serials"]:
            serial_text.write(f"{pk}\t{line['product_id']}\t{serial}\n")
    line_data, serial_data = line_text.getvalue(), serial_text.getvalue()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            "COPY sellout_selloutline (id, created_at, updated_at, reporter_id, invoice_number, invoice_line, date,"
            " transaction_type, product_id, quantity, unit_price, currency, sold_to_name, end_customer_name,"
            " end_customer_country, end_customer_postcode, end_customer_domain, customer_match, source, revision)"
            " FROM STDIN",
            io.StringIO(line_data),
        )
        cursor.cursor.copy_expert(
            "COPY sellout_selloutserial (line_id, product_id, serial) FROM STDIN", io.StringIO(serial_data)
        )
    return time.perf_counter() - started


def _api(base: str, token: str, lines: list[dict]) -> float:
    keep = ("product_id",)
    bodies = [
        json.dumps(
            {"items": [{k: v for k, v in line.items() if k not in keep} for line in lines[i : i + PER_REQUEST]]}
        ).encode()
        for i in range(0, len(lines), PER_REQUEST)
    ]
    started = time.perf_counter()
    for body in bodies:
        status, answer = _request(f"{base}/api/v1/sellout/", token, body)
        if status not in (200, 201):
            raise RuntimeError(f"sell-out ingest answered {status}: {answer[:400]!r}")
    return time.perf_counter() - started


def main() -> int:
    for name, value in SERVER_ENV.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench.sellout needs PostgreSQL (DATABASE_URL=postgres://…): it compares with COPY.")
    partner, products, token = _prepare()
    _cleanup(partner.pk)
    lines = _lines(products)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(port)
    try:
        copy_seconds = _copy(partner.pk, lines)
        _cleanup(partner.pk)
        api_seconds = _api(base, token, lines)
        corrected_seconds = _api(base, token, _lines(products, changed_every=10))
    finally:
        server.terminate()
        server.wait(timeout=30)
        _cleanup(partner.pk)
        from accounts.models import User

        User.objects.filter(username=f"{BENCH_PREFIX}sellout").delete()
    results = {
        "rows": ROWS,
        "requests": ROWS // PER_REQUEST,
        "copy_seconds": round(copy_seconds, 3),
        "copy_rows_per_second": round(ROWS / copy_seconds),
        "api_seconds": round(api_seconds, 3),
        "api_rows_per_second": round(ROWS / api_seconds),
        "ratio_to_copy": round(copy_seconds / api_seconds, 3),
        "resend_with_corrections_seconds": round(corrected_seconds, 3),
        "resend_ratio_to_copy": round(copy_seconds / corrected_seconds, 3),
        "target_ratio": TARGET,
    }
    out = Path(ROOT) / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sellout.json").write_text(json.dumps(results, indent=2) + "\n")
    print(
        f"sell-out ingest: API {results['api_rows_per_second']:,} lines/s vs COPY {results['copy_rows_per_second']:,}"
        f" lines/s → ratio {results['ratio_to_copy']} (target ≥ {TARGET}); re-sent with a tenth corrected:"
        f" ratio {results['resend_ratio_to_copy']}"
    )
    return 0 if results["ratio_to_copy"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
