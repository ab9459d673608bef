"""Analytics engine on the large data set: full recompute on real workers against one SQL query, refresh latency.

Run with `python -m bench.analytics` (or `make bench BENCH_ARGS=analytics`) after `seed_demo --size large`
in DATABASE_URL (default: the prm_bench PostgreSQL database) with Redis running (REDIS_URL, default
redis://127.0.0.1:6379/9). It measures, in one run:

1. the floor: ONE hand-written SQL statement computing the per-partner monthly deal KPIs (registered,
   conflicting, approved, rejected, won, lost, won revenue, sales-cycle days, median hours to decision and
   the pipeline value at each month end) for the same months — best of three;
2. a full recompute (every KPI of DESIGN §3 for every partner, month, quarter and year, the ecosystem and its
   breakdowns, and every health score) through Redis on a Celery worker with 2 prefork processes, timed
   from queueing to the job's `finished_at`, with the peak resident memory of each worker process;
3. the refresh of one partner (the task body: its KPIs for every period and its current health), median
   over 25 partners.

Writes bench/results/analytics.json and the "Analytics" section of docs/benchmarks.md. The recompute
replaces the analytics tables of that database, as the nightly job would.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import data_scale, write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "analytics.json"
SECTION = "## Analytics"
TARGET_RATIO, TARGET_REFRESH_MS, TARGET_RSS_MB = 3.0, 250.0, 1536.0


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm_bench")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    os.environ["DEBUG"] = "False"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-for-production-0123456789abcdefghijklmnopqrstuv")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    import django

    django.setup()


FLOOR_SQL = """
WITH d AS (
    SELECT partner_id, submitted_at, decided_at, closed_at, protection_expires_at, status, amount, has_conflict
    FROM deals_dealregistration WHERE status <> 'draft'
),
events AS (
    SELECT partner_id, date_trunc('month', submitted_at AT TIME ZONE 'UTC') AS month, 1 AS registered,
           has_conflict::int AS conflicting, 0 AS approved, 0 AS rejected, 0 AS won, 0 AS lost,
           0::numeric AS won_revenue, 0::float8 AS cycle_days, NULL::float8 AS hours
    FROM d WHERE submitted_at >= %(start)s AND submitted_at < %(end)s
    UNION ALL
    SELECT partner_id, date_trunc('month', decided_at AT TIME ZONE 'UTC'), 0, 0, (status <> 'rejected')::int,
           (status = 'rejected')::int, 0, 0, 0, 0, EXTRACT(EPOCH FROM decided_at - submitted_at) / 3600
    FROM d WHERE decided_at >= %(start)s AND decided_at < %(end)s
    UNION ALL
    SELECT partner_id, date_trunc('month', closed_at AT TIME ZONE 'UTC'), 0, 0, 0, 0, (status = 'won')::int,
           (status = 'lost')::int, CASE WHEN status = 'won' THEN amount ELSE 0 END,
           CASE WHEN status = 'won' THEN EXTRACT(EPOCH FROM closed_at - submitted_at) / 86400 ELSE 0 END, NULL
    FROM d WHERE closed_at >= %(start)s AND closed_at < %(end)s AND status IN ('won', 'lost')
),
counts AS (
    SELECT partner_id, month, SUM(registered) AS registered, SUM(conflicting) AS conflicting,
           SUM(approved) AS approved, SUM(rejected) AS rejected, SUM(won) AS won, SUM(lost) AS lost,
           SUM(won_revenue) AS won_revenue, SUM(cycle_days) AS cycle_days,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median_hours
    FROM events GROUP BY partner_id, month
),
-- Pipeline at each month end (now for the month in progress): +amount from the month of approval,
-- -amount from the month it closed or its protection ended, summed up month by month.
moves AS (
    SELECT partner_id, date_trunc('month', decided_at AT TIME ZONE 'UTC') AS month, amount AS delta
    FROM d WHERE decided_at IS NOT NULL AND status <> 'rejected' AND decided_at < %(now)s
    UNION ALL
    SELECT partner_id, date_trunc('month', LEAST(COALESCE(closed_at, protection_expires_at), protection_expires_at)
           AT TIME ZONE 'UTC'), -amount
    FROM d WHERE decided_at IS NOT NULL AND status <> 'rejected' AND decided_at < %(now)s
      AND LEAST(COALESCE(closed_at, protection_expires_at), protection_expires_at) < %(now)s
),
pipeline AS (
    SELECT partner_id, month, SUM(SUM(delta)) OVER (PARTITION BY partner_id ORDER BY month) AS pipeline_value
    FROM moves GROUP BY partner_id, month
)
SELECT partner_id, month, c.registered, c.conflicting, c.approved, c.rejected, c.won, c.lost, c.won_revenue,
       c.cycle_days / NULLIF(c.won, 0) AS sales_cycle_days, c.median_hours, p.pipeline_value
FROM counts c FULL JOIN pipeline p USING (partner_id, month)
WHERE month >= %(start)s
"""


def _floor(start: datetime, end: datetime, now: datetime) -> tuple[float, int]:
    from django.db import connection

    best, rows = float("inf"), 0
    for _ in range(3):
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, {"start": start, "end": end, "now": now})
            rows = len(cursor.fetchall())
        best = min(best, time.perf_counter() - began)
    return best, rows


def _process_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _full_recompute() -> dict:
    from analytics import services
    from analytics.models import JobRun
    from prm.celery import app

    app.control.purge()
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"}
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "prm",
        "worker",
        "-Q",
        "analytics,default",
        "-c",
        "2",
        "-P",
        "prefork",
        "-n",
        "bench-analytics@%h",
        "--loglevel=warning",
        "--without-gossip",
        "--without-mingle",
    ]
    log = open(ROOT / "bench" / "results" / "analytics-worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1.0) and time.monotonic() < deadline:
            time.sleep(0.5)
        peaks: dict[int, float] = {}
        run = services.recompute_start(kind=JobRun.Kind.FULL_RECOMPUTE)
        while True:
            for pid in _process_group(worker.pid):
                peaks[pid] = max(peaks.get(pid, 0.0), _peak_rss_mb(pid))
            run.refresh_from_db()
            if run.status in (JobRun.Status.SUCCEEDED, JobRun.Status.FAILED):
                break
            time.sleep(0.25)
        for pid in _process_group(worker.pid):
            peaks[pid] = max(peaks.get(pid, 0.0), _peak_rss_mb(pid))
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    if run.status != JobRun.Status.SUCCEEDED:
        raise SystemExit(f"recompute failed: {run.error}")
    pool = sorted((mb for pid, mb in peaks.items() if pid != worker.pid), reverse=True)
    return {
        "seconds": round((run.finished_at - run.created_at).total_seconds(), 2),
        "chunks": run.chunks_total,
        "chunk_partners": run.params["chunk_partners"],
        "peak_rss_mb_per_process": round(max(pool, default=0.0), 1),
        "peak_rss_mb_all_worker_processes": round(sum(peaks.values()), 1),
        "job_id": run.pk,
    }


ANALYTICS_TABLES = [
    "analytics_kpisnapshot",
    "analytics_partnerhealthscore",
    "analytics_ecosystemhealth",
    "analytics_healthinput",
    "analytics_jobrun",
]


def _housekeeping() -> bool:
    """VACUUM ANALYZE the analytics tables when the server's autovacuum is off; True if it ran.

    Every recompute replaces most of these tables' rows. With autovacuum on (PostgreSQL's default), the
    server keeps their statistics current by itself; with it off, the planner would go on planning for the
    tables as they were before the first recompute (empty), and the benchmark would measure that instead.
    Runs outside the timed steps, as autovacuum does.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        if cursor.fetchone()[0] == "on":
            return False
        for table in ANALYTICS_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return True


def _refresh_latency(samples: int = 25) -> dict:
    from analytics.runs import partner_refresh
    from partners.models import Partner

    ids = list(Partner.objects.filter(status=Partner.Status.ACTIVE).values_list("pk", flat=True))
    random.Random(7).shuffle(ids)
    partner_refresh(partner_id=ids[0])  # warm-up: imports and connection
    times = []
    for partner_id in ids[1 : samples + 1]:
        began = time.perf_counter()
        partner_refresh(partner_id=partner_id)
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(0.9 * len(times))], 1),
        "samples": len(times),
    }


def _write_doc(result: dict) -> None:
    r, f, rf = result["recompute"], result["floor"], result["refresh"]
    ok = {True: "yes", False: "**no**"}
    lines = [
        SECTION,
        "",
        "What `python -m bench.analytics` (or `make bench BENCH_ARGS=analytics`) measures on the `large` data:",
        "",
        f"1. **Full recompute** of every KPI for every partner over {result['months']} months (the current month "
        "and the 24 before it) with their quarters and years, the ecosystem and its breakdowns by tier, type, "
        "region and product line, and every health score (monthly history and today) — queued through Redis "
        "and run by one Celery worker with 2 prefork processes (`-c 2`), timed from queueing to the job's "
        "`finished_at`.",
        "2. **The floor**: one hand-written SQL statement (in `bench/analytics.py`) computing the per-partner "
        "monthly deal KPIs for the same months — counts, won revenue, sales cycle, median hours to decision "
        "(`percentile_cont`) and pipeline value at each month end; best of three runs.",
        "3. **Refresh of one partner** (what runs after a change: all its periods and its health as of now), "
        "median of 25 partners, measured in-process.",
        "4. **Peak memory** (VmHWM) of the worker processes during the recompute.",
        "",
        "To reproduce:",
        "",
        "```sh",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_bench .venv/bin/python manage.py seed_demo --size large "
        "--seed 42",
        "DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_bench REDIS_URL=redis://127.0.0.1:6379/9 "
        ".venv/bin/python -m bench.analytics",
        "cat bench/results/analytics.json",
        "```",
        "",
        f"Data: {result['scale']['partners']:,} partners, {result['scale']['deals']:,} deal registrations, "
        f"{result['scale']['inventory_rows']:,} inventory rows, {result['scale']['claims']:,} warranty claims. "
        f"Measured {result['measured_at']} (load average before the run: {result['load_average']}).",
        *(
            [
                "The server ran with autovacuum off, so the benchmark ran `VACUUM ANALYZE` on the analytics "
                "tables before the recompute and before the refreshes (untimed), as autovacuum would have."
            ]
            if result.get("vacuumed_between_steps")
            else []
        ),
        "",
        "| figure | value | target | met |",
        "|---|---:|---:|---|",
        f"| full recompute, 2 worker processes | {r['seconds']} s ({r['chunks']} tasks) | | |",
        f"| floor: one SQL statement, deal KPIs only | {f['seconds']} s ({f['rows']:,} rows) | | |",
        f"| ratio recompute / floor | {result['ratio']} × | ≤ {TARGET_RATIO:g} × "
        f"| {ok[result['ratio'] <= TARGET_RATIO]} |",
        f"| refresh one partner, median (p90) | {rf['median_ms']} ms ({rf['p90_ms']} ms) | < {TARGET_REFRESH_MS:g} ms "
        f"| {ok[rf['median_ms'] < TARGET_REFRESH_MS]} |",
        f"| peak RSS of one worker process | {r['peak_rss_mb_per_process']} MB | < {TARGET_RSS_MB:g} MB "
        f"| {ok[r['peak_rss_mb_per_process'] < TARGET_RSS_MB]} |",
        f"| peak RSS, all worker processes together | {r['peak_rss_mb_all_worker_processes']} MB | | |",
        "",
    ]
    write_section(SECTION, "\n".join(lines))


def main() -> int:
    _setup()
    from django.utils import timezone

    from analytics.conf import history_months
    from analytics.periods import Window, seconds_to_datetime

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    scale = data_scale()
    if scale["deals"] < 1000:
        print("The database has almost no deals: run seed_demo --size large first.")
        return 1
    load = os.getloadavg()[0]
    now = timezone.now()
    window = Window.full(now, history_months())
    start, end = seconds_to_datetime(window.months.start_s[0]), seconds_to_datetime(window.months.end_s[-1])
    floor_s, floor_rows = _floor(start, end, now)
    print(f"floor (one SQL statement)         {floor_s:8.2f} s  {floor_rows:,} rows", flush=True)
    vacuumed = _housekeeping()
    recompute = _full_recompute()
    print(f"full recompute (2 processes)      {recompute['seconds']:8.2f} s  {recompute['chunks']} tasks", flush=True)
    vacuumed = _housekeeping() or vacuumed
    refresh = _refresh_latency()
    ratio = round(recompute["seconds"] / floor_s, 2)
    print(f"ratio                             {ratio:8.2f} x  (target <= {TARGET_RATIO:g})")
    print(f"refresh one partner, median       {refresh['median_ms']:8.1f} ms (p90 {refresh['p90_ms']} ms)")
    print(f"peak RSS per worker process       {recompute['peak_rss_mb_per_process']:8.1f} MB")
    result = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": round(load, 2),
        "scale": scale,
        "months": len(window.months),
        "floor": {"seconds": round(floor_s, 2), "rows": floor_rows},
        "recompute": recompute,
        "ratio": ratio,
        "refresh": refresh,
        "vacuumed_between_steps": vacuumed,
    }
    RESULTS.write_text(json.dumps(result, indent=2))
    _write_doc(result)
    ok = ratio <= TARGET_RATIO and refresh["median_ms"] < TARGET_REFRESH_MS
    return 0 if ok and recompute["peak_rss_mb_per_process"] < TARGET_RSS_MB else 2


if __name__ == "__main__":
    sys.exit(main())
