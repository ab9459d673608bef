"""Settings come from the environment; each case loads the settings module fresh in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    "'broker': settings.CELERY_BROKER_URL, 'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS,"
    "'email': settings.EMAIL_BACKEND, 'tz': settings.TIME_ZONE, 'cache': settings.CACHES['default']['BACKEND'],"
    "'webhook_http': settings.PRM_WEBHOOK_ALLOW_HTTP,"
    "'webhook_private': settings.PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES}))"
)


def load(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "EMAIL_URL"}}
    clean.update(env, DJANGO_SETTINGS_MODULE="prm.settings")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_defaults_need_no_services():
    loaded = load()
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["eager"] is True
    assert loaded["broker"] == "memory://localhost/"
    assert loaded["tz"] == "UTC"
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"


def test_services_from_environment():
    loaded = load(
        DATABASE_URL="postgres://u:p@db:5432/prm",
        REDIS_URL="redis://cache:6379/0",
        DEBUG="0",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="a.example,b.example",
        EMAIL_URL="smtp://mail.example:25",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://cache:6379/0"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["debug"] is False
    assert loaded["hosts"] == ["a.example", "b.example"]
    assert loaded["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert loaded["webhook_http"] is False and loaded["webhook_private"] is False


def test_webhook_development_switches_are_off_unless_set():
    assert load(DEBUG="1")["webhook_private"] is False
    switched = load(PRM_WEBHOOK_ALLOW_HTTP="1", PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES="1")
    assert switched["webhook_http"] is True and switched["webhook_private"] is True


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DEBUG="0", DJANGO_SETTINGS_MODULE="prm.settings")
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
