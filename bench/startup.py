"""Start-up time: `manage.py check` beside a minimal Django project, and `make run` to a served page.

Run with `python -m bench startup` (or `make bench BENCH_ARGS=startup`); it needs no loaded data set and
no service. It measures, in one run:

1. `manage.py check` of prm against the same command of a minimal project generated in a temporary
   directory (the contrib apps, the admin and Django REST framework; SQLite), same interpreter, in
   alternating rounds so that load from elsewhere on the machine hits both alike. Target: ratio ≤ 2.
2. What `make run` runs (`manage.py start_demo`, auto-reloader included) on a new SQLite file in a
   temporary directory with a free port: the first start (migrations, the small demo data, the analytics)
   and then a second start, each timed from launch until `/login/` answers 200; the server is stopped after
   each. Target for the second start: under 10 s.

Writes bench/results/startup.json and the "Start-up" section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench import write_section

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "startup.json"
SECTION = "## Start-up"
ROUNDS = 7
CHECK_RATIO_TARGET = 2.0
SECOND_RUN_TARGET_S = 10.0

MINIMAL_SETTINGS = """
SECRET_KEY = "minimal-project-for-the-start-up-benchmark-0123456789abcdefghijklmnop"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "minimal.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}}
STATIC_URL = "static/"
USE_TZ = True
"""

MINIMAL_URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [path("admin/", admin.site.urls), path("api-auth/", include("rest_framework.urls"))]
"""

MINIMAL_MANAGE = """
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minimal.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a newcomer's shell: no database, broker or settings chosen, and Python's default of
    caching compiled modules (with PYTHONDONTWRITEBYTECODE every start compiles each of prm's modules again)."""
    drop = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "RUN_MAIN", "DEBUG", "SECRET_KEY"}
    drop |= {"PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra)
    return env


def _minimal_project(directory: Path) -> Path:
    (directory / "minimal").mkdir(parents=True)
    (directory / "minimal" / "__init__.py").write_text("")
    (directory / "minimal" / "settings.py").write_text(MINIMAL_SETTINGS)
    (directory / "minimal" / "urls.py").write_text(MINIMAL_URLS)
    (directory / "manage.py").write_text(MINIMAL_MANAGE)
    return directory


def _time_check(cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "check"], cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def measure_check(work: Path) -> dict:
    """Median seconds of `manage.py check` for prm and for the minimal project, alternating, one warm-up each."""
    minimal = _minimal_project(work / "minimal-project")
    prm_env = _clean_env(DATABASE_URL=f"sqlite:///{work / 'check.sqlite3'}")
    minimal_env = _clean_env()
    _time_check(ROOT, prm_env), _time_check(minimal, minimal_env)  # warm the file cache and .pyc files
    ours, theirs = [], []
    for _ in range(ROUNDS):
        ours.append(_time_check(ROOT, prm_env))
        theirs.append(_time_check(minimal, minimal_env))
    prm_s, minimal_s = statistics.median(ours), statistics.median(theirs)
    return {
        "prm_s": round(prm_s, 3),
        "minimal_s": round(minimal_s, 3),
        "ratio": round(prm_s / minimal_s, 2),
        "prm_runs_s": [round(t, 3) for t in ours],
        "minimal_runs_s": [round(t, 3) for t in theirs],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve_until_ok(env: dict[str, str], port: int, timeout: float) -> tuple[float, str]:
    """Start `manage.py start_demo` as `make run` does; seconds until /login/ answers 200, and its output."""
    command = [sys.executable, "manage.py", "start_demo", "--addr", f"127.0.0.1:{port}"]
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            while True:
                elapsed = time.perf_counter() - started
                if server.poll() is not None or elapsed > timeout:
                    output.seek(0)
                    raise RuntimeError(f"no page after {elapsed:.1f} s (exit {server.returncode}):\n{output.read()}")
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                time.sleep(0.05)
        finally:
            # The reloader's parent and its serving child share one process group, started for them here.
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        output.seek(0)
        return elapsed, output.read()


def measure_run(work: Path) -> dict:
    """First and second `make run` (start_demo) on a new SQLite database, to the first 200 of /login/."""
    env = _clean_env(DATABASE_URL=f"sqlite:///{work / 'run.sqlite3'}")
    first, first_output = _serve_until_ok(env, _free_port(), timeout=600)
    second, second_output = _serve_until_ok(env, _free_port(), timeout=120)
    longest = max(len(line) for line in (first_output + second_output).splitlines())
    return {
        "first_s": round(first, 2),
        "second_s": round(second, 2),
        "output_lines_first": len(first_output.splitlines()),
        "longest_output_line": longest,
    }


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"


def _write_doc(result: dict) -> None:
    check, run = result["check"], result["run"]
    ok_check = "yes" if check["ratio"] <= CHECK_RATIO_TARGET else "**no**"
    ok_run = "yes" if run["second_s"] < SECOND_RUN_TARGET_S else "**no**"
    lines = [
        SECTION,
        "",
        "What `python -m bench startup` (or `make bench BENCH_ARGS=startup`) measures; no data set or service is",
        "needed. `manage.py check` of prm against the same command of a minimal project generated by the",
        f"benchmark (the contrib apps, the admin and Django REST framework), median of {ROUNDS} alternating runs each;",
        "then what `make run` runs (`manage.py start_demo`, auto-reloader included) on a new SQLite file with a",
        "free port, timed from launch until `/login/` answers 200: the first start (migrations, the small demo",
        "data, the analytics) and a second one (nothing to prepare).",
        "",
        f"Measured {result['measured_at']}, load average (1 / 5 min) {result['load_before']} before and "
        f"{result['load_after']} after, Python {result['python']}.",
        "",
        "| figure | value | target | met |",
        "|---|---:|---|---|",
        f"| `manage.py check`, prm | {check['prm_s']:.2f} s | | |",
        f"| `manage.py check`, minimal project | {check['minimal_s']:.2f} s | | |",
        f"| ratio prm / minimal | {check['ratio']:.2f} × | ≤ {CHECK_RATIO_TARGET:g} × | {ok_check} |",
        f"| first `make run` to the log-in page | {run['first_s']:.1f} s | | |",
        f"| second `make run` to the log-in page | {run['second_s']:.1f} s | < {SECOND_RUN_TARGET_S:g} s | {ok_run} |",
        f"| longest line printed by both starts | {run['longest_output_line']} characters | | |",
        "",
    ]
    write_section(SECTION, "\n".join(lines))


def main() -> int:
    load_before = _load()
    with tempfile.TemporaryDirectory(prefix="prm-startup-") as directory:
        work = Path(directory)
        check = measure_check(work)
        print(
            f"manage.py check: prm {check['prm_s']:.2f} s, minimal {check['minimal_s']:.2f} s, "
            f"ratio {check['ratio']:.2f} (target ≤ {CHECK_RATIO_TARGET:g})",
            flush=True,
        )
        run = measure_run(work)
        print(
            f"make run to /login/: first {run['first_s']:.1f} s, second {run['second_s']:.1f} s "
            f"(target < {SECOND_RUN_TARGET_S:g} s)",
            flush=True,
        )
    result = {
        "measured_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_before": load_before,
        "load_after": _load(),
        "python": sys.version.split()[0],
        "check": check,
        "run": run,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _write_doc(result)
    met = check["ratio"] <= CHECK_RATIO_TARGET and run["second_s"] < SECOND_RUN_TARGET_S
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
