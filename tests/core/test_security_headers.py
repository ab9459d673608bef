"""Security headers: the Content-Security-Policy, Cache-Control on private answers, no server banner,
and `check --deploy` clean with them."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, world):
    client.force_login(world.admin_a)
    for url in (reverse("login"), reverse("portal_home"), reverse("integrations:api_settings")):
        directives = policy(client.get(url))
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]  # no nonce unless a page uses one; never unsafe-inline
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]
        assert "unsafe-inline" not in client.get(url)["Content-Security-Policy"]


@pytest.mark.django_db
def test_templates_hold_no_inline_script_style_or_event_handler():
    """What the policy forbids must not be in our templates (ReDoc's start-up script carries the nonce)."""
    import re

    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"))  # template comments may name them
        for found in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            if "csp_nonce" not in found.group(0):
                offenders.append(f"{path.name}: {found.group(0)}")
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.name}: {m.group(0)}" for m in re.finditer(r"\sstyle\s*=|<style", text)]
    assert offenders == []


@pytest.mark.django_db
def test_the_redoc_page_runs_its_script_with_the_nonce_and_api_uis_get_inline_styles(client, world):
    client.force_login(world.manager)
    redoc = client.get("/api/redoc/")
    directives = policy(redoc)
    (nonce,) = [source for source in directives["script-src"] if source.startswith("'nonce-")]
    assert f'<script nonce="{nonce[7:-1]}">' in redoc.content.decode()
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert policy(client.get(reverse("manage_home")))["style-src"] == ["'self'"]


@pytest.mark.django_db
def test_signed_in_pages_exports_and_api_answers_are_not_stored(client, world):
    from tests.fixtures.api import token_client

    client.force_login(world.manager)
    for url in (reverse("manage_home"), reverse("integrations:api_settings"), "/api/v1/deals/"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"], url
    export = client.get(reverse("dashboards:partner_list") + "?export=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert "no-store" in export["Cache-Control"]
    api = token_client(world.admin_a).get("/api/v1/deals/")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    assert "no-store" in client.get("/api/v1/does-not-exist/")["Cache-Control"]


@pytest.mark.django_db
def test_anonymous_pages_are_not_stored_either(client, settings):
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    assert "no-store" in client.get(reverse("accounts:password_reset"))["Cache-Control"]


def test_gunicorn_sends_no_server_banner(gunicorn_server):
    """gunicorn started as in production (-c gunicorn.conf.py) answers without a Server header."""
    url = gunicorn_server()
    with urllib.request.urlopen(url + "/login/", timeout=5) as answer:  # noqa: S310 - our own server on 127.0.0.1
        headers = answer.headers
    with urllib.request.urlopen(url + "/static/css/prm.css", timeout=5) as answer:  # noqa: S310
        static_headers = answer.headers
    assert "Server" not in headers and "Server" not in static_headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "no-store" in headers["Cache-Control"]
    assert "no-store" not in static_headers.get("Cache-Control", "")  # static files stay cacheable


def test_check_deploy_is_clean_with_the_new_headers():
    """What CI runs: `check --deploy --fail-level WARNING` with DEBUG=0 and production values."""
    ignored = {"DEBUG", "PRM_WEBHOOK_ALLOW_HTTP", "PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}  # the browser tests set the last one
    env.update(
        DJANGO_SETTINGS_MODULE="prm.settings",
        DEBUG="0",
        SECRET_KEY="check-only-a-long-random-looking-secret-value-0123456789-abcdefghij",
        ALLOWED_HOSTS="prm.example.com",
        SECURE_HSTS_SECONDS="31536000",
        REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_lockout_page_is_not_stored(client, settings):
    f.UserFactory(username="someone")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        answer = client.post(reverse("login"), {"username": "someone", "password": "wrong"})
    assert answer.status_code == 429 and "no-store" in answer["Cache-Control"]


def test_favicon_ico_redirects_to_the_sites_icon(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301 and answer["Location"].endswith("/favicon.svg")
