"""Settings for the tracker, read from the environment with safe defaults.

Without DATABASE_URL the tracker runs on an embedded PostgreSQL (pgserver) in
var/pgdata; without CELERY_BROKER_URL Celery uses kombu's filesystem transport
in var/broker. When either variable is set, that server is used and nothing
falls back silently.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TRACKER_VAR_DIR", BASE_DIR / "var"))
# The real-report corpus: labels are committed, the texts (other people's words) only cached locally.
REAL_CORPUS_LABELS = BASE_DIR / "tests" / "extraction_real" / "labels"
REAL_CORPUS_CACHE = Path(os.environ.get("TRACKER_REAL_CORPUS_CACHE", BASE_DIR / "var" / "extraction_real"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
PRODUCTION = env_bool("TRACKER_PRODUCTION", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when TRACKER_PRODUCTION is on")
    SECRET_KEY = "dev-only-insecure-key-set-DJANGO_SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "django_prometheus",
    "visits",
    "api",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "tracker.logs.RequestIdMiddleware",
    "tracker.middleware.ServiceErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "tracker.middleware.TimelineCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.middleware.AdminLoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "visits.middleware.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
ASGI_APPLICATION = "tracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    from tracker.embedded import embedded_database_url

    DATABASES = {"default": dj_database_url.parse(embedded_database_url(VAR_DIR / "pgdata"))}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if os.environ.get("DATABASE_REPLICA_URL"):
    # Read-only API and page traffic may go to a streaming replica; writes and migrations never do.
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["tracker.routers.ReadReplicaRouter"]

# --- Cache --------------------------------------------------------------------------------
# Hot timeline queries are cached here; a Redis cache is shared by all web processes.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- I18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# export_dataset's JSON Lines: every timestamp to the millisecond, so an export of an import is the same text
SERIALIZATION_MODULES = {"jsonl": "visits.dataset_jsonl"}
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (development, tests) WhiteNoise serves files straight from the apps.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_MAX_AGE = 3600 if not PRODUCTION else 31536000
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "1200/min"},
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diplomatic visit timeline tracker API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TripStatusEnum": "visits.models.vocabulary.TripStatus",
        "MeetingStatusEnum": "visits.models.vocabulary.MeetingStatus",
        "ReportStatusEnum": "visits.models.vocabulary.ReportStatus",
    },
    "DESCRIPTION": "Read endpoints are public; writes need a token (Authorization: Token ...). "
    "Errors are application/problem+json. See docs/API.md for date semantics, pagination and caching.",
}
CORS_URLS_REGEX = r"^/(api/v1|oembed).*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_TASK_ROUTES = {
    "visits.tasks.fetch_*": {"queue": "fetch"},
    "visits.tasks.poll_*": {"queue": "fetch"},
    "visits.tasks.extract_*": {"queue": "extract"},
    "visits.tasks.maintenance_*": {"queue": "maintenance"},
}

# --- Ingestion ----------------------------------------------------------------------------
# Hosts that may be fetched although they resolve to non-public addresses (tests, intranets).
INGEST_ALLOWED_PRIVATE_HOSTS = env_list("INGEST_ALLOWED_PRIVATE_HOSTS")
INGEST_MAX_BYTES = int(os.environ.get("INGEST_MAX_BYTES", 10 * 1024 * 1024))
INGEST_TIMEOUT = float(os.environ.get("INGEST_TIMEOUT", 15))
INGEST_MAX_REDIRECTS = int(os.environ.get("INGEST_MAX_REDIRECTS", 5))
INGEST_USER_AGENT = os.environ.get(
    "INGEST_USER_AGENT", "visit-tracker/1.0 (+https://github.com/; diplomatic visit timeline tracker)"
)
# Reports left queued/fetching/extracting longer than this are sent again (longer than any
# task's time limit plus its retry delay, so a live task is never doubled).
# New feed entries queued per poll; a larger backlog is taken over the following polls.
INGEST_FEED_MAX_NEW_PER_POLL = int(os.environ.get("INGEST_FEED_MAX_NEW_PER_POLL", 500))
INGEST_STUCK_AFTER_MINUTES = float(os.environ.get("INGEST_STUCK_AFTER_MINUTES", 30))
# Installed into django-celery-beat's tables by its DatabaseScheduler at beat start.
CELERY_BEAT_SCHEDULE = {
    "poll-due-feeds": {"task": "visits.tasks.poll_due_feeds", "schedule": 60.0},
    "requeue-stuck-reports": {"task": "visits.tasks.maintenance_requeue_stuck_reports", "schedule": 600.0},
}

# --- HSG ----------------------------------------------------------------------------------
# Office of the Historian travel and visit records (python manage.py import_hsg).
HSG_DATA_DIR = Path(os.environ.get("HSG_DATA_DIR", BASE_DIR.parent / "shared" / "data" / "hsg"))
HSG_CACHE_DIR = Path(os.environ.get("HSG_CACHE_DIR", VAR_DIR / "hsg"))
HSG_DOWNLOAD_BASE = os.environ.get("HSG_DOWNLOAD_BASE", "https://github.com/HistoryAtState")
HSG_DOWNLOAD_TIMEOUT = float(os.environ.get("HSG_DOWNLOAD_TIMEOUT", 60))

# --- Production hardening -----------------------------------------------------------------
# Celery workers log through LOGGING (JSON lines with the task id in production) instead of
# replacing the root logger with Celery's own plain format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Anonymous timeline reads served from the shared cache (tracker.middleware.TimelineCacheMiddleware,
# invalidated on every change through visits.cache); on by default only with a shared CACHE_URL.
TIMELINE_CACHE_SECONDS = int(os.environ.get("TIMELINE_CACHE_SECONDS", 300 if os.environ.get("CACHE_URL") else 0))
# No statement may outlive the request that sent it: PostgreSQL cancels it after this many ms (the
# view then answers 503 through tracker.middleware). Default 25 s in production (below gunicorn's
# 30 s timeout), off elsewhere; 0 turns it off (e.g. for a long migration).
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", 25000 if PRODUCTION else 0))
if DATABASE_STATEMENT_TIMEOUT_MS > 0:
    for _alias in DATABASES:
        _options = DATABASES[_alias].setdefault("OPTIONS", {})
        _options["options"] = (
            f"{_options.get('options', '')} -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}".strip()
        )
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Admin login throttle (tracker.middleware): failures per client address in the cache.
ADMIN_LOGIN_MAX_FAILURES = int(os.environ.get("ADMIN_LOGIN_MAX_FAILURES", 5))
ADMIN_LOGIN_WINDOW_SECONDS = int(os.environ.get("ADMIN_LOGIN_WINDOW_SECONDS", 900))
# The META key a trusted reverse proxy fills with the client address (deploy/nginx: HTTP_X_REAL_IP).
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
# DRF's throttles take the client address from X-Forwarded-For only behind this many trusted proxies
# (nginx in front: 1); with 0 a client cannot pick its own throttle bucket by sending that header.
REST_FRAMEWORK["NUM_PROXIES"] = int(os.environ.get("DJANGO_NUM_PROXIES", 0))
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    **REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    **({"anon": os.environ["API_THROTTLE_ANON"]} if os.environ.get("API_THROTTLE_ANON") else {}),
    **({"user": os.environ["API_THROTTLE_USER"]} if os.environ.get("API_THROTTLE_USER") else {}),
}

READINESS_BROKER_TIMEOUT = float(os.environ.get("READINESS_BROKER_TIMEOUT", 2))

LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "tracker.logs.JSONFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Third-party chatter with nothing for a user to do: pgserver logs every process's start and
        # exit; kombu warns that the filesystem broker (the local default) has no hostname.
        "pgserver": {"level": "WARNING"},
        "kombu.connection": {"level": "ERROR" if CELERY_BROKER_URL == "filesystem://" else "WARNING"},
    },
}
if not PRODUCTION:
    # WhiteNoise warns that STATIC_ROOT is missing; outside production files come from the apps.
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    # Celery's advice against running as root is for servers; a local run in a container is often root.
    warnings.filterwarnings("ignore", message="You're running the worker with superuser privileges")
