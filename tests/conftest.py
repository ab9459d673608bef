"""Shared fixtures: the roles of DESIGN §1 over two partners in two regions, and rows a module's tests share."""

from __future__ import annotations

import copy
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from celery._state import _set_task_join_will_block
from django.core.cache import cache
from django.db import transaction

from tests import factories as f

# API clients by token, the anonymous client and a small catalog, for every folder's API tests.
pytest_plugins = ["tests.fixtures.api"]

T = TypeVar("T")

# Module-scoped fixtures declared with `shared_by_module`: their rows are shared by the tests of a module.
SHARED_BY_MODULE: set[str] = set()
# Fixtures that make a test commit (or flush) for real: they cannot run inside a module's shared rows.
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_addoption(parser):
    parser.addoption(
        "--reverse",
        action="store_true",
        help="run the tests in reverse order, to check that no test depends on one that ran before it",
    )


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql", "pgsql"))


def pytest_collection_modifyitems(config, items):
    """Skip service-bound tests on a bare machine, saying why; in CI (CI=true) nothing skips."""
    _check_modules_sharing_rows(items)
    if config.getoption("reverse"):
        items.reverse()
    in_ci = os.environ.get("CI") == "true"
    for item in items:
        if in_ci:
            continue
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))
        if "celery_worker" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis for a real Celery worker: set REDIS_URL=redis://…"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://…"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache and no API rate-limit count: no counter of an earlier test
    (every test client logs in from 127.0.0.1) throttles or locks out this one."""
    from core.api.throttles import rate_limiter

    cache.clear()
    rate_limiter().storage.reset()
    yield
    cache.clear()
    rate_limiter().storage.reset()


@pytest.fixture
def gunicorn_server(tmp_path) -> Iterator[Callable[..., str]]:
    """Start prm under gunicorn as in production (`-c gunicorn.conf.py`, one worker) on a free port of
    127.0.0.1 and return its base URL; `env` adds environment variables. Every server stops after the test."""
    servers: list[subprocess.Popen] = []

    def start(**env: str) -> str:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        full_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        full_env.update(
            DJANGO_SETTINGS_MODULE="prm.settings",
            DATABASE_URL=f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY="1",
        )
        full_env.update(env)
        root = Path(__file__).resolve().parents[1]
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "prm.wsgi:application"]
        server = subprocess.Popen(command, cwd=root, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/static/favicon.svg", timeout=5).close()  # noqa: S310 - 127.0.0.1
                return url
            except urllib.error.HTTPError:
                return url  # it answers
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.2)

    yield start
    for server in servers:
        server.terminate()
        server.wait(10)
        server.stderr.close()


def shared_by_module(function: Callable) -> Callable:
    """Declare a module-scoped fixture whose rows all the tests of a module share (see `rows_for_module`)."""
    SHARED_BY_MODULE.add(function.__name__)
    return pytest.fixture(scope="module")(function)


def rows_for_module(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Write rows once for all the tests of a module, as Django's `TestCase.setUpTestData` does for a class.

    `build` runs inside a transaction that stays open while the module's tests run and is rolled back after
    the last one. Each test's own transaction (pytest-django's `db`) is a savepoint inside it, so what a test
    writes is still undone after that test. Tests that commit for real (transactional, live server, real
    workers) cannot run inside it: `_check_modules_sharing_rows` refuses a module that mixes them.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        built = build()
        with django_db_blocker.block():  # between tests, as without shared rows: only tests that ask may query
            yield built
        transaction.set_rollback(True)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool(TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())))


def _uses_database(item: pytest.Item) -> bool:
    names = set(getattr(item, "fixturenames", ()))
    return bool(item.get_closest_marker("django_db") or {"db", *TRANSACTIONAL_FIXTURES} & names)


def _check_modules_sharing_rows(items: list[pytest.Item]) -> None:
    """In a module where a test shares rows, every test that uses the database must share them too.

    A test that built its own copy of those rows after the shared ones were written would find both, and a
    transactional test would commit or flush inside the shared transaction; either way the result would
    depend on the order the tests run in. Refusing the module at collection makes that impossible.
    """
    by_module: dict[object, list[pytest.Item]] = defaultdict(list)
    for item in items:
        by_module[getattr(item, "module", None)].append(item)
    problems = []
    for module_items in by_module.values():
        shared = set().union(*(SHARED_BY_MODULE & set(getattr(item, "fixturenames", ())) for item in module_items))
        if not shared:
            continue
        for item in module_items:
            if _is_transactional(item):
                problems.append(f"{item.nodeid}: a transactional test in a module whose tests share rows")
            elif _uses_database(item) and not shared & set(getattr(item, "fixturenames", ())):
                problems.append(
                    f"{item.nodeid}: uses the database without the rows its module shares (add "
                    f"`pytest.mark.usefixtures({', '.join(map(repr, sorted(shared)))})` to the module's pytestmark)"
                )
    if problems:
        raise pytest.UsageError("Rows shared by a module:\n" + "\n".join(problems))


@dataclass
class World:
    """Two partners in different regions, a distributor supplying one reseller, and a user per role."""

    emea: object
    amer: object
    partner_a: object
    partner_b: object
    distributor: object
    reseller_of_distributor: object
    manager: object
    regional_manager: object
    admin_a: object
    user_a: object
    admin_b: object
    user_b: object
    distributor_admin: object
    superuser: object


@pytest.fixture
def world(request, db) -> World:
    """A new world, or in a module that shares one (`usefixtures("shared_world")`), this test's copy of it."""
    if "shared_world" in request.fixturenames:
        cache.clear()  # rate limits and debounces are keyed by ids the module's tests share
        return copy.deepcopy(request.getfixturevalue("shared_world"))
    return build_world()


@shared_by_module
def shared_world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """The world's rows once for all the tests of a module."""
    yield from rows_for_module(django_db_blocker, build_world)


def build_world() -> World:
    """The rows of `World`; for a fixture that shares them across a module's tests, see `rows_for_module`."""
    emea = f.RegionFactory(code="emea", name="EMEA")
    amer = f.RegionFactory(code="amer", name="Americas")
    partner_a = f.PartnerFactory(name="Alpha Systems", region=emea, country="DE")
    partner_b = f.PartnerFactory(name="Bravo Networks", region=amer, country="US")
    distributor = f.PartnerFactory(name="Delta Distribution", partner_type="distributor", region=emea, country="FR")
    reseller = f.PartnerFactory(name="Echo Reseller", region=emea, country="FR", parent=distributor)
    return World(
        emea=emea,
        amer=amer,
        partner_a=partner_a,
        partner_b=partner_b,
        distributor=distributor,
        reseller_of_distributor=reseller,
        manager=f.ManagerFactory(username="manager"),
        regional_manager=f.ManagerFactory(username="amer_manager", regions=[amer]),
        admin_a=f.PartnerAdminFactory(username="admin_a", partner=partner_a),
        user_a=f.PartnerUserFactory(username="user_a", partner=partner_a),
        admin_b=f.PartnerAdminFactory(username="admin_b", partner=partner_b),
        user_b=f.PartnerUserFactory(username="user_b", partner=partner_b),
        distributor_admin=f.PartnerAdminFactory(username="dist_admin", partner=distributor),
        superuser=f.UserFactory(username="root", is_superuser=True, is_staff=True),
    )


@pytest.fixture(autouse=True)
def celery_join_flag_cleared():
    """Every test starts outside a task, as far as Celery knows.

    Eager tasks run from several threads at once (the concurrency tests) race on Celery's process-wide
    "inside a task" flag, which can be left set and would make a later test's `result.get()` refuse.
    """
    yield
    _set_task_join_will_block(False)
