"""Start-up hygiene: what a fresh process imports, and what eager Celery prints, each checked in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "numpy", "plotly", "openpyxl")
DEV_TOOLS = ("pytest", "factory", "faker", "hypothesis", "schemathesis", "playwright", "importlinter", "ruff")


def run_python(code: str) -> subprocess.CompletedProcess:
    """Run `code` with the project's settings and no services (as `make run` does)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["DJANGO_SETTINGS_MODULE"] = "prm.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )


def test_url_configuration_loads_no_heavy_or_development_library():
    """Every manage.py command loads the URL configuration (the checks do): pandas, numpy, plotly and openpyxl
    load with the first computation, chart or workbook instead, and nothing needs a test tool to run."""
    probe = (
        "import json, sys, django; django.setup();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "from django.core.management import call_command; call_command('check', verbosity=0);"
        f"print(json.dumps(sorted(m for m in {HEAVY + DEV_TOOLS!r} if m in sys.modules)))"
    )
    loaded = json.loads(run_python(probe).stdout.strip().splitlines()[-1])
    assert loaded == []


def test_heavy_libraries_still_load_where_they_are_used():
    """The counter-check: the probe above would see them, since the compute and chart modules import them."""
    probe = (
        "import json, sys, django; django.setup(); import analytics.runs, dashboards.charts;"
        "dashboards.charts.line_chart('k', 't', months=[], series=[], kind='count', y_title='', empty_message='');"
        f"print(json.dumps(sorted(m for m in {HEAVY[:2]!r} if m in sys.modules)))"
    )
    assert json.loads(run_python(probe).stdout.strip().splitlines()[-1]) == ["numpy", "pandas"]


EAGER_PROBE = """
import django
django.setup()
from celery import group
from prm.celery import app

@app.task(name="startup_probe.large_result")
def large_result():
    return {"rows": ["x" * 40 for _ in range(60)]}

group(large_result.s(), large_result.s()).apply_async().get()
large_result.delay().get()
print("ran")
"""


def test_eager_tasks_run_without_worker_chatter():
    """Without REDIS_URL tasks run inside the process: no kombu hostname warning, no per-task success lines
    (each repeats the task's return value, over 1,000 characters for the analytics tasks)."""
    done = run_python(EAGER_PROBE)
    output = done.stdout + done.stderr
    assert done.stdout.strip() == "ran"
    assert "No hostname was supplied" not in output
    assert "succeeded in" not in output
    assert all(len(line) < 300 for line in output.splitlines())
