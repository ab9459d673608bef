"""API benchmark (`python -m bench.api`, part of `make bench`): ingest and list speed beside references.

1. Bulk inventory ingest through the API: 100,000 rows in 10 requests of 10,000 to gunicorn, as rows/s,
   and as a ratio to PostgreSQL COPY of the same rows into the same table (target ≥ 0.25).
2. A filtered deal list page of 100 (status=approved, one region, as an unrestricted manager's token):
   median and p95 latency over 200 requests walking the cursor pages (target p95 < 100 ms).
3. Throughput of that page with gunicorn against a minimal Django view returning the same rows
   (plain `values()` into JsonResponse, no DRF, no auth): requests/s and ratio (target ≥ 0.5),
   measured in alternating rounds so that load from elsewhere on the machine hits both alike.

Traffic goes only to 127.0.0.1, loops are bounded. The rows and users it creates are removed at the
end. Results: bench/results/api.json. Database: DATABASE_URL (default the prm_bench database).
"""

from __future__ import annotations

import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS, PER_REQUEST = 100_000, 10_000
LIST_REQUESTS, PAGES_WALKED = 200, 20
THROUGHPUT_CLIENTS, THROUGHPUT_REQUESTS, THROUGHPUT_ROUNDS = 4, 800, 8
BENCH_PREFIX = "bench-api-"
FIRST_DAY = date(1990, 1, 1)  # far before any demo data, so the rows are easy to find and remove
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.api_server",
    "DEBUG": "False",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "False",
    "SESSION_COOKIE_SECURE": "False",
    "CSRF_COOKIE_SECURE": "False",
    "CONN_MAX_AGE": "60",
    "LOG_LEVEL": "WARNING",
    # The benchmark measures speed, not the rate limit.
    "API_THROTTLE_USER": "100000000/min",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, token: str, body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body is not None else "GET")  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:  # noqa: S310 (127.0.0.1 only)
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _prepare():
    """Bench users with tokens, the products and partner the rows go to, and the region of the list."""
    from django.db.models import Count

    from accounts.models import Role, User
    from catalog.models import Product
    from deals.models import DealRegistration
    from integrations.tokens import api_token_create
    from partners.models import Partner

    deals = DealRegistration.objects.count()
    partner = Partner.objects.filter(status="active", partner_type="reseller").order_by("pk").first()
    products = list(Product.objects.order_by("pk").values_list("pk", "sku"))
    if partner is None or not products:
        sys.exit("bench.api: the database has no partners or products; load demo data first (seed_demo).")
    region = (
        DealRegistration.objects.filter(status="approved")
        .values("partner__region_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    manager, _ = User.objects.update_or_create(
        username=f"{BENCH_PREFIX}manager", defaults={"role": Role.CHANNEL_MANAGER}
    )
    manager.regions.clear()
    reporter, _ = User.objects.update_or_create(
        username=f"{BENCH_PREFIX}partner", defaults={"role": Role.PARTNER_ADMIN, "partner": partner}
    )
    return {
        "deals": deals,
        "partner": partner,
        "products": products,
        "region_id": region["partner__region_id"] if region else None,
        "manager_token": api_token_create(user=manager, name="bench").plaintext,
        "partner_token": api_token_create(user=reporter, name="bench").plaintext,
    }


def _rows(products: list[tuple[int, str]]) -> list[tuple[int, str, date, int, int, int]]:
    rows = []
    day = 0
    while len(rows) < ROWS:
        for pk, sku in products:
            if len(rows) == ROWS:
                break
            n = len(rows)
            rows.append((pk, sku, FIRST_DAY + timedelta(days=day), n % 97, n % 13, n % 5))
        day += 1
    return rows


def _cleanup(partner_id: int) -> None:
    from accounts.models import User
    from inventory.models import InventoryReport

    InventoryReport.objects.filter(partner_id=partner_id, date__lt=date(2000, 1, 1)).delete()
    User.objects.filter(username__startswith=BENCH_PREFIX).delete()


def _copy(partner_id: int, rows) -> float:
    """Seconds PostgreSQL COPY takes to load the same rows (CSV prepared beforehand, commit included)."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now().isoformat()
    buffer = io.StringIO()
    for pk, _sku, day, on_hand, sold, on_order in rows:
        buffer.write(f"{now},{now},{partner_id},{pk},{day.isoformat()},{on_hand},{sold},{on_order},api\n")
    data = buffer.getvalue()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY inventory_inventoryreport (created_at, updated_at, partner_id, product_id, date, on_hand, "
            "units_sold, on_order, source) FROM STDIN WITH (FORMAT csv)",
            io.StringIO(data),
        )
    return time.perf_counter() - started


def _api_ingest(base: str, token: str, rows) -> float:
    bodies = [
        json.dumps(
            {
                "items": [
                    {"sku": sku, "date": day.isoformat(), "on_hand": a, "units_sold": b, "on_order": c}
                    for _pk, sku, day, a, b, c in rows[start : start + PER_REQUEST]
                ]
            }
        ).encode()
        for start in range(0, len(rows), PER_REQUEST)
    ]
    started = time.perf_counter()
    for body in bodies:
        status, answer = _request(f"{base}/api/v1/inventory/bulk/", token, body)
        if status != 200:
            raise RuntimeError(f"bulk ingest answered {status}: {answer[:300]!r}")
    return time.perf_counter() - started


def _latencies(base: str, token: str, query: str) -> list[float]:
    first = f"{base}/api/v1/deals/?{query}"
    url, timings = first, []
    for number in range(LIST_REQUESTS):
        started = time.perf_counter()
        status, answer = _request(url, token)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"deal list answered {status}: {answer[:300]!r}")
        following = json.loads(answer)["next"]
        url = following if following and (number + 1) % PAGES_WALKED else first
    return timings


def _throughput(url: str, token: str, requests: int) -> tuple[int, float]:
    """(requests, seconds) for `requests` spread over THROUGHPUT_CLIENTS concurrent clients."""
    per_client = requests // THROUGHPUT_CLIENTS
    errors: list[int] = []

    def client():
        for _ in range(per_client):
            status, _ = _request(url, token)
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=client) for _ in range(THROUGHPUT_CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return per_client * THROUGHPUT_CLIENTS, time.perf_counter() - started


def _compare_throughput(api_url: str, minimal_url: str, token: str) -> tuple[float, float]:
    """Requests/s of both, measured in alternating rounds so that load from elsewhere hits both alike."""
    totals = {"api": [0, 0.0], "minimal": [0, 0.0]}
    per_round = THROUGHPUT_REQUESTS // THROUGHPUT_ROUNDS
    for _ in range(THROUGHPUT_ROUNDS):
        for name, url in (("api", api_url), ("minimal", minimal_url)):
            count, seconds = _throughput(url, token, per_round)
            totals[name][0] += count
            totals[name][1] += seconds
    return totals["api"][0] / totals["api"][1], totals["minimal"][0] / totals["minimal"][1]


def _start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, **SERVER_ENV}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "prm.wsgi:application",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
        except urllib.error.HTTPError:
            return server  # 401: up and answering
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def main() -> int:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm_bench")
    for name, value in SERVER_ENV.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench.api needs PostgreSQL (DATABASE_URL=postgres://…): it compares with COPY.")
    setup = _prepare()
    partner_id = setup["partner"].pk
    _cleanup_rows_only(partner_id)
    rows = _rows(setup["products"])
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(port)
    try:
        copy_seconds = _copy(partner_id, rows)
        _cleanup_rows_only(partner_id)
        api_seconds = _api_ingest(base, setup["partner_token"], rows)
        query = f"status=approved&region={setup['region_id']}&page_size=100"
        timings = _latencies(base, setup["manager_token"], query)
        api_rps, minimal_rps = _compare_throughput(
            f"{base}/api/v1/deals/?{query}", f"{base}/bench/minimal-deals/?{query}", setup["manager_token"]
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        _cleanup(partner_id)
    results = {
        "deals_in_database": setup["deals"],
        "ingest": {
            "rows": ROWS,
            "requests": ROWS // PER_REQUEST,
            "api_seconds": round(api_seconds, 3),
            "api_rows_per_second": round(ROWS / api_seconds),
            "copy_seconds": round(copy_seconds, 3),
            "copy_rows_per_second": round(ROWS / copy_seconds),
            "ratio_to_copy": round(copy_seconds / api_seconds, 3),
            "target_ratio": 0.25,
        },
        "deal_list": {
            "query": query,
            "requests": LIST_REQUESTS,
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(_percentile(timings, 0.95), 1),
            "target_p95_ms": 100,
        },
        "throughput": {
            "clients": THROUGHPUT_CLIENTS,
            "requests_each": THROUGHPUT_REQUESTS,
            "alternating_rounds": THROUGHPUT_ROUNDS,
            "gunicorn_workers": 2,
            "api_requests_per_second": round(api_rps, 1),
            "minimal_view_requests_per_second": round(minimal_rps, 1),
            "ratio": round(api_rps / minimal_rps, 3),
            "target_ratio": 0.5,
        },
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "api.json").write_text(json.dumps(results, indent=2) + "\n")
    ingest, listing, load = results["ingest"], results["deal_list"], results["throughput"]
    print(f"deals in database: {setup['deals']:,}")
    print(
        f"ingest: API {ingest['api_rows_per_second']:,} rows/s vs COPY {ingest['copy_rows_per_second']:,} rows/s "
        f"→ ratio {ingest['ratio_to_copy']} (target ≥ 0.25)"
    )
    print(f"deal list page of 100: median {listing['median_ms']} ms, p95 {listing['p95_ms']} ms (target p95 < 100)")
    print(
        f"throughput: API {load['api_requests_per_second']} req/s vs minimal view "
        f"{load['minimal_view_requests_per_second']} req/s → ratio {load['ratio']} (target ≥ 0.5)"
    )
    return 0


def _cleanup_rows_only(partner_id: int) -> None:
    from inventory.models import InventoryReport

    InventoryReport.objects.filter(partner_id=partner_id, date__lt=date(2000, 1, 1)).delete()


if __name__ == "__main__":
    sys.exit(main())
