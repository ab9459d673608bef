"""Dashboard pages on the large data set: server time (median of 20 loads) and query count of each page.

Run with `python -m bench.dashboards` (or `make bench BENCH_ARGS=dashboards`) after the large demo data
is loaded and analytics computed in DATABASE_URL (default: the prm_bench PostgreSQL database). Pages are
requested in-process with Django's test Client, DEBUG off, as a channel manager with every region, a
regional manager, and a partner user; the time is the whole request/response cycle inside Django
(middleware, views, queries, templates), without a network or a browser. Writes
bench/results/dashboards.json and the "Dashboards" section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import data_scale, write_section

LOADS = 20
WARMUP = 2
TARGET_MS = 300.0
ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "dashboards.json"
SECTION = "## Dashboards"


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-for-production-0123456789abcdefghijklmnopqrstuv")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("CONN_MAX_AGE", "60")  # as the deployed web process: no reconnect per request
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django
    from django.conf import settings

    django.setup()
    # Pages link static files by name; the hashed manifest (collectstatic) is not needed to time them.
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


def _users():
    from accounts.models import Role, User
    from analytics.models import PartnerHealthScore
    from partners.models import Partner

    manager = User.objects.filter(role=Role.CHANNEL_MANAGER, regions__isnull=True, is_active=True).first()
    regional = User.objects.filter(role=Role.CHANNEL_MANAGER, regions__isnull=False, is_active=True).first()
    scored = PartnerHealthScore.objects.values_list("partner_id", flat=True)
    partner_user = (
        User.objects.filter(
            role__in=[Role.PARTNER_ADMIN, Role.PARTNER_USER], is_active=True, partner_id__in=scored
        ).first()
        or User.objects.filter(role__in=[Role.PARTNER_ADMIN, Role.PARTNER_USER], is_active=True).first()
    )
    busy = Partner.objects.filter(pk__in=scored).order_by("pk").first() or Partner.objects.order_by("pk").first()
    return manager, regional, partner_user, busy


def _pages(busy_partner_pk: int) -> list[tuple[str, str, str]]:
    """(who, label, url) for every dashboard page, in the states a user most often asks for."""
    detail = f"/manage/partners/{busy_partner_pk}/"
    return [
        ("manager", "Ecosystem overview (last month)", "/manage/"),
        ("manager", "Ecosystem overview (year, Gold tier)", "/manage/?period=year&tier=__tier__"),
        ("regional", "Ecosystem overview, regional manager", "/manage/"),
        ("manager", "Partner list (page 1)", "/manage/partners/"),
        ("manager", "Partner list sorted by won revenue", "/manage/partners/?sort=-won_revenue"),
        ("manager", "Partner list sorted by health, page 50", "/manage/partners/?sort=health_score&page=50"),
        ("manager", "Partner list search", "/manage/partners/?q=tech"),
        ("manager", "Partner scorecard", detail),
        ("manager", "Partner scorecard (quarter)", detail + "?period=quarter"),
        ("manager", "Inventory insights", "/manage/insights/inventory/"),
        ("manager", "Warranty insights (quarter)", "/manage/insights/warranty/?period=quarter"),
        ("partner", "Portal scorecard", "/portal/scorecard/"),
    ]


def _measure(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    timings = []
    for _ in range(LOADS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "median_ms": round(statistics.median(timings), 1),
        "p90_ms": round(sorted(timings)[int(0.9 * (len(timings) - 1))], 1),
        "max_ms": round(max(timings), 1),
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def _write_doc(result: dict) -> None:
    lines = [
        SECTION,
        "",
        "Server time of each dashboard page on the large data set (PostgreSQL), measured in-process with",
        f"Django's test Client and DEBUG off: median, 90th percentile and maximum over {LOADS} loads after",
        f"{WARMUP} warm-up loads, and the number of SQL queries of one load. Target: median under {TARGET_MS:.0f} ms.",
        "",
        "Reproduce: `DATABASE_URL=postgres://…/prm_bench python -m bench.dashboards` (after `seed_demo --size "
        "large` and a full analytics recompute).",
        "",
        f"Data: {result['scale']['partners']:,} partners, {result['scale']['deals']:,} deal registrations, "
        f"{result['scale']['inventory_rows']:,} inventory rows, {result['scale']['claims']:,} warranty claims. "
        f"Measured {result['measured_at']}.",
        "",
        "| page | who | median ms | p90 ms | max ms | queries | within target |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for page in result["pages"]:
        ok = "yes" if page["median_ms"] < TARGET_MS else "**no**"
        lines.append(
            f"| {page['label']} | {page['who']} | {page['median_ms']} | {page['p90_ms']} | {page['max_ms']} "
            f"| {page['queries']} | {ok} |"
        )
    lines.append("")
    write_section(SECTION, "\n".join(lines))


def _analyze() -> None:
    """Refresh planner statistics of the tables the pages read, as autovacuum does after a recompute.

    A full recompute rewrites the analytics tables; with autovacuum off (as on a bulk-load server) the
    planner would otherwise plan on the empty tables' statistics.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "analytics_kpisnapshot",
            "analytics_partnerhealthscore",
            "analytics_ecosystemhealth",
            "analytics_failurecodecount",
        ):
            cursor.execute(f"ANALYZE {table}")


def main() -> int:
    _setup()
    from django.test import Client

    from partners.models import Tier

    _analyze()
    manager, regional, partner_user, busy = _users()
    if not (manager and partner_user and busy):
        print("The database has no demo users or partners: run seed_demo --size large first.")
        return 1
    tier = Tier.objects.order_by("rank").values_list("pk", flat=True)
    gold = str(tier[1] if len(tier) > 1 else tier[0])
    clients = {}
    for who, user in (("manager", manager), ("regional", regional or manager), ("partner", partner_user)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients[who] = client
    pages = []
    for who, label, url in _pages(busy.pk):
        url = url.replace("__tier__", gold)
        figures = _measure(clients[who], url)
        pages.append({"who": who, "label": label, "url": url, **figures})
        print(f"{label:<45} {who:<9} median {figures['median_ms']:>7} ms  queries {figures['queries']:>3}", flush=True)
    result = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loads": LOADS,
        "target_ms": TARGET_MS,
        "scale": data_scale(),
        "pages": pages,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _write_doc(result)
    slow = [p for p in pages if p["median_ms"] >= TARGET_MS]
    print(f"{len(pages) - len(slow)} of {len(pages)} pages within {TARGET_MS:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
