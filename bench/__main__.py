"""`make bench`: run every benchmark against the large data set, each beside its reference.

Each module compares our figure with a limit measured in the same run (e.g. API ingest against
PostgreSQL COPY, the KPI job against one hand-written SQL aggregate) and prints a table; results
land in bench/results/*.json. The database is DATABASE_URL (default: the prm_bench database).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

MODULES = ("bench.analytics", "bench.api", "bench.sellout", "bench.dashboards", "bench.startup")


def main(argv: list[str]) -> int:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/prm_bench")
    selected = [m for m in MODULES if not argv or m.rsplit(".", 1)[-1] in argv]
    failures = 0
    for name in selected:
        if importlib.util.find_spec(name) is None:
            print(f"-- {name}: not present, skipped")
            continue
        print(f"== {name}", flush=True)
        failures += subprocess.call([sys.executable, "-m", name]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
