"""Settings for prm, read from the environment (12-factor).

Every value that differs between a laptop, CI and production comes from an
environment variable; the defaults give a working embedded setup (SQLite,
eager Celery) so that `make run` needs no services.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="insecure-development-key-change-me-0123456789abcdefghijklmnop" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused form gets a page in the site's layout (templates/403_csrf.html); 403, 404 and 500 are templates/4xx.html.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "django_countries",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "core",
    "accounts",
    "partners",
    "catalog",
    "customers",
    "currencies",
    "ingest",
    "deals",
    "inventory",
    "warranty",
    "support",
    "sellout",
    "activations",
    "notifications",
    "analytics",
    "integrations",
    "edi",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "integrations.middleware.ApiMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"
ASGI_APPLICATION = "prm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL keeps the dev server responsive while an eager task writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=20 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)

# --- email -----------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="prm@localhost")

# --- cache and Celery --------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# API rate-limit counters (core/api/throttles.py): on Redis every web process shares them; in memory
# (no Redis) each process counts for itself.
PRM_RATE_LIMIT_STORAGE = env.str("PRM_RATE_LIMIT_STORAGE", default=REDIS_URL or "memory://")
# The in-memory broker is named with a host: a bare "memory://" makes kombu warn "No hostname was supplied".
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without a broker the tasks run inside the caller: the quick start needs no services.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A message a worker took but never acknowledged (it died) is handed to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = CELERY_BROKER_TRANSPORT_OPTIONS
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in ("default", "ingest", "analytics", "webhooks")]
CELERY_TASK_ROUTES = {
    "analytics.*": {"queue": "analytics"},
    "inventory.tasks.*": {"queue": "ingest"},
    "activations.tasks.*": {"queue": "analytics"},
    "sellout.tasks.*": {"queue": "ingest"},
    "edi.tasks.*": {"queue": "ingest"},
    "integrations.tasks.deliver_*": {"queue": "webhooks"},
}
CELERY_BEAT_SCHEDULE = {
    "deals-expire-protection": {
        "task": "deals.tasks.expire_deals",
        "schedule": crontab(minute=15, hour="*/1"),
    },
    "deals-warn-expiring": {
        "task": "deals.tasks.warn_expiring_deals",
        "schedule": crontab(minute=30, hour=6),
    },
    "analytics-refresh-current-month": {
        "task": "analytics.tasks.refresh_current_period",
        "schedule": crontab(minute=5),
    },
    "analytics-nightly-recompute": {
        "task": "analytics.tasks.full_recompute",
        "schedule": crontab(minute=0, hour=2),
    },
    "inventory-resume-stalled-imports": {
        "task": "inventory.tasks.resume_stalled_imports",
        "schedule": crontab(minute="*/15"),
    },
    "sellout-resume-stalled-uploads": {
        "task": "sellout.tasks.resume_stalled_uploads",
        "schedule": crontab(minute="7,22,37,52"),
    },
    "edi-resume-stalled-imports": {
        "task": "edi.tasks.resume_stalled_imports",
        "schedule": crontab(minute="*/15"),
    },
    "integrations-requeue-stalled-webhooks": {
        "task": "integrations.tasks.requeue_stalled_webhooks",
        "schedule": crontab(minute="*/5"),
    },
    "activations-nightly-figures": {
        "task": "activations.tasks.refresh_figures",
        "schedule": crontab(minute=20, hour=2),
    },
    "support-close-resolved-tickets": {
        "task": "support.tasks.close_resolved_tickets",
        "schedule": crontab(minute=50, hour="*/1"),
    },
    "integrations-purge-idempotency": {
        "task": "integrations.tasks.purge_idempotency_records",
        "schedule": crontab(minute=40, hour=3),
    },
}

# --- REST framework --------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "core.api.filters.UsedFiltersBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Token first: its WWW-Authenticate header makes unauthenticated requests answer 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "core.api.permissions.TokenScopePermission",
    ],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "core.api.renderers.ApiJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    # Anonymous requests are limited per address by integrations.middleware (before authentication fails).
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="1000/min"),
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
    },
    # Proxies in front of the app whose X-Forwarded-For is trusted for the anonymous rate limit.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "prm API",
    "DESCRIPTION": (
        "Partner relationship management: partners, deal registrations, inventory, warranty, analytics. "
        "Authenticate with a personal token (`Authorization: Bearer prm_…`) created on the API page of the "
        'web app. Errors always read `{"error": {"code", "message", "fields"}}`. Lists use cursor '
        "pagination (follow `next`). POST accepts an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # templates/drf_spectacular/redoc.html serves static/vendor/redoc/, the sidecar's bundle less its remote logo.
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "DealStatusEnum": "deals.models.DealStatus",
        "ClaimStatusEnum": "warranty.models.ClaimStatus",
        "PartnerStatusEnum": "partners.models.Partner.Status",
        "DeliveryStatusEnum": "integrations.models.WebhookDelivery.Status",
        "ActivationStatusEnum": "activations.models.Activation.Status",
        "TicketStatusEnum": "support.models.TicketStatus",
        "TicketSeverityEnum": "support.models.Severity",
        "RateGranularityEnum": "currencies.models.ExchangeRate.Granularity",
        "KpiGranularityEnum": "analytics.models.Granularity",
        "EdiImportStatusEnum": "edi.models.EdiImport.Status",
        "EdiImportSourceEnum": "edi.models.EdiImport.Source",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
}
# API limits and webhooks (docs/api.md).
PRM_API_MAX_BODY_BYTES = env.int("PRM_API_MAX_BODY_BYTES", default=DATA_UPLOAD_MAX_MEMORY_SIZE)
PRM_API_BULK_MAX_ITEMS = env.int("PRM_API_BULK_MAX_ITEMS", default=10_000)
PRM_IDEMPOTENCY_TTL_HOURS = env.int("PRM_IDEMPOTENCY_TTL_HOURS", default=24)
PRM_WEBHOOK_TIMEOUT_SECONDS = env.float("PRM_WEBHOOK_TIMEOUT_SECONDS", default=10.0)
PRM_WEBHOOK_MAX_ATTEMPTS = env.int("PRM_WEBHOOK_MAX_ATTEMPTS", default=8)
PRM_WEBHOOK_RETRY_BASE_SECONDS = env.float("PRM_WEBHOOK_RETRY_BASE_SECONDS", default=30.0)
PRM_WEBHOOK_RETRY_MAX_SECONDS = env.float("PRM_WEBHOOK_RETRY_MAX_SECONDS", default=6 * 3600.0)
# Development switches, off unless set: plain-http webhook URLs, and URLs on loopback/private/link-local
# addresses (a receiver on this machine). On, a webhook URL could reach services of the internal network.
PRM_WEBHOOK_ALLOW_HTTP = env.bool("PRM_WEBHOOK_ALLOW_HTTP", default=False)
PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("PRM_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)

# --- login throttling (django-axes) ------------------------------------------
# /login/ and /admin/login/ lock out after AXES_FAILURE_LIMIT failed attempts for one username, and
# separately for one client address, for AXES_COOLOFF_MINUTES; a correct password is refused meanwhile.
# Counters live in the cache: Redis (shared by every web process) with REDIS_URL, else this process's
# memory. A success does not reset the address's counter (a valid account would otherwise let an address
# keep guessing another's password); counters expire AXES_COOLOFF_MINUTES after the last failure.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each its own counter
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # the lockout page in the site's layout, status 429
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # its admin pages list database records, which the cache handler never writes
# The client address as the API's rate limit reads it (REMOTE_ADDR, or X-Forwarded-For with API_NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
if DEBUG and not REDIS_URL:
    # The quick start has no Redis: one development server process, so per-process counters are exact.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]

# --- domain configuration --------------------------------------------------
# Where people reach the site; links in emails are made absolute with it.
PRM_SITE_URL = env.str("PRM_SITE_URL", default="http://127.0.0.1:8000")
# Dashboards and KPIs show money in this currency; other currencies convert through the rate table only.
PRM_REPORTING_CURRENCY = env.str("PRM_REPORTING_CURRENCY", default="USD")
PRM_DEAL_PROTECTION_DAYS = env.int("PRM_DEAL_PROTECTION_DAYS", default=90)
PRM_DEAL_EXTENSION_DAYS = env.int("PRM_DEAL_EXTENSION_DAYS", default=30)
PRM_DEAL_EXPIRY_WARNING_DAYS = env.int("PRM_DEAL_EXPIRY_WARNING_DAYS", default=7)
PRM_DUPLICATE_CLAIM_DAYS = env.int("PRM_DUPLICATE_CLAIM_DAYS", default=30)
# A resolved support ticket the partner neither confirms nor reopens is closed this many days later.
PRM_TICKET_AUTOCLOSE_DAYS = env.int("PRM_TICKET_AUTOCLOSE_DAYS", default=7)
# Analytics (docs/analytics.md): months of history, partners per recompute chunk, refresh debounce.
PRM_ANALYTICS_HISTORY_MONTHS = env.int("PRM_ANALYTICS_HISTORY_MONTHS", default=24)
PRM_ANALYTICS_CHUNK_SIZE = env.int("PRM_ANALYTICS_CHUNK_SIZE", default=1000)
PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS = env.int("PRM_ANALYTICS_REFRESH_DEBOUNCE_SECONDS", default=10)
PRM_ANALYTICS_HEALTH_TASKS = env.int("PRM_ANALYTICS_HEALTH_TASKS", default=4)
# Product feedback's claim warning (docs/product-feedback.md): flag a product's month when its claims are this
# unlikely under its product line's rate, once at least this many claims are expected.
PRM_FEEDBACK_ALPHA = env.float("PRM_FEEDBACK_ALPHA", default=0.01)
PRM_FEEDBACK_MIN_EXPECTED = env.float("PRM_FEEDBACK_MIN_EXPECTED", default=2.0)
# Partners read their own figures and anonymised tier benchmarks; the channel-wide figures (ecosystem KPI
# rows, ecosystem health) only when the vendor chooses to share them.
PRM_PARTNERS_SEE_ECOSYSTEM = env.bool("PRM_PARTNERS_SEE_ECOSYSTEM", default=False)
# EDI intake (docs/edi.md): interchanges up to this many segments are processed in the request, larger
# ones by a worker; the largest interchange taken; the currency of 867 prices when the file has no CUR.
PRM_EDI_SYNC_SEGMENTS = env.int("PRM_EDI_SYNC_SEGMENTS", default=2000)
PRM_EDI_MAX_BYTES = env.int("PRM_EDI_MAX_BYTES", default=50 * 1024 * 1024)
PRM_EDI_DEFAULT_CURRENCY = env.str("PRM_EDI_DEFAULT_CURRENCY", default="USD")

# --- security (production) -------------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp, core.middleware): scripts, styles, images, fonts and requests only
# from this site; no inline script, style element or style attribute, no plugins, no framing, forms post
# only here. A page that needs an inline script marks it with {{ request.csp_nonce }} (the nonce enters the
# header only then). plotly.js's and htmx's styles are served as files (templates/includes/plotly.html,
# static/css/prm.css), so no page of ours needs 'unsafe-inline'; the third-party HTML UIs under /api/
# (browsable API, Swagger UI, ReDoc) are allowed inline styles, not scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Bootstrap draws some icons (navbar toggler, select arrows, close buttons) as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # runserver prints "Watching for file changes" itself; its logged copy would repeat it at every start.
    "loggers": {"django.db.backends": {"level": "INFO"}, "django.utils.autoreload": {"level": "WARNING"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run inside the web process or command: their "Task … succeeded in …s: <return value>" lines
    # (INFO, often over 1,000 characters) are worker chatter there. Failures are still logged (ERROR).
    LOGGING["loggers"]["celery.app.trace"] = {"level": "WARNING"}
