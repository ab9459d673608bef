"""Test settings: fast hashing, eager tasks, in-memory cache and email."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PRM_RATE_LIMIT_STORAGE = "memory://"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SECURE_SSL_REDIRECT = False
# The webhook task's backoff is fixed when the task is defined: one second, so a real worker retries at once.
PRM_WEBHOOK_RETRY_BASE_SECONDS = 1.0
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# The suite's webhook receivers listen on 127.0.0.1 over http; the tests of the refusals switch these off.
PRM_WEBHOOK_ALLOW_HTTP = True
PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
