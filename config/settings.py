"""Threshold settings.

Runs as it is with no environment at all: SQLite, Celery tasks executed
in-process, files under ./media. Production is switched on by variables:
THRESHOLD_PRODUCTION=1 (requires DJANGO_SECRET_KEY and ALLOWED_HOSTS),
DATABASE_URL, REDIS_URL and USE_S3. Every variable is listed in README.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_required(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} must be set in production (THRESHOLD_PRODUCTION=1)")
    return value


PRODUCTION = env_flag("THRESHOLD_PRODUCTION")
DEBUG = env_flag("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env_required("ALLOWED_HOSTS").split(",")
else:
    # Development default only: production refuses to start without its own key.
    SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "development-only-not-secret")
    ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Used to build absolute applicant links (API responses, emails, demo).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "onboarding",
    "portal",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # Concurrent writers (runserver + eager tasks) wait instead of failing.
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "dashboard:login"
LOGIN_REDIRECT_URL = "dashboard:inbox"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

USE_S3 = env_flag("USE_S3")
if USE_S3:
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("AWS_STORAGE_BUCKET_NAME") if PRODUCTION else os.environ.get("AWS_STORAGE_BUCKET_NAME", "threshold"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
            "region_name": os.environ.get("AWS_S3_REGION_NAME"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: applicants' phones produce large photos, but nothing needs more.
MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
MAX_IMAGE_PIXELS = 40_000_000

# Celery: eager in-process without Redis, so the embedded default needs no service.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A worker killed mid-task must not lose the task: ack after the work is done.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds before Redis hands a task taken by a worker that died (unacknowledged) to another worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", 3600))}
CELERY_BEAT_SCHEDULE = {
    "expire-sessions": {"task": "onboarding.tasks.expire_sessions", "schedule": crontab(minute="*/5")},
    "apply-retention": {"task": "onboarding.tasks.apply_retention", "schedule": crontab(minute=17)},
    "sweep-webhooks": {"task": "onboarding.tasks.sweep_webhooks", "schedule": timedelta(seconds=30)},
    "purge-idempotency": {"task": "onboarding.tasks.purge_idempotency_records", "schedule": crontab(minute=43)},
    "requeue-stalled-work": {"task": "onboarding.tasks.requeue_stalled_work", "schedule": crontab(minute="*")},
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["onboarding.api.auth.BearerAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["onboarding.api.permissions.ScopePermission"],
    "EXCEPTION_HANDLER": "onboarding.api.errors.problem_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "onboarding.api.pagination.CursorPagination",
    "DEFAULT_PARSER_CLASSES": [
        "onboarding.api.parsers.StrictJSONParser",
        "onboarding.api.parsers.StrictMultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Threshold API",
    "DESCRIPTION": "KYC/KYB onboarding: workflows, sessions, applicants, verifications and webhooks.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Links and tokens
API_TOKEN_TTL = timedelta(minutes=60)
# API rate limits, requests per minute: per key, and per client address on /auth/token.
API_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_RATE_LIMIT_PER_MINUTE", 600))
API_TOKEN_RATE_LIMIT_PER_MINUTE = int(os.environ.get("API_TOKEN_RATE_LIMIT_PER_MINUTE", 20))

# Document signing (PAdES): the organization's certificate; without it, development
# generates a self-signed one in var/signing/ and production refuses to sign.
SIGNING_PKCS12_PATH = os.environ.get("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD = os.environ.get("SIGNING_PKCS12_PASSWORD", "")
# RFC 3161 timestamp server: signatures become PAdES B-T.
TIMESTAMP_URL = os.environ.get("TIMESTAMP_URL", "")
# Hosts a signing session's document_url may be fetched from ("docs.example.com", "*.example.com").
SIGNING_DOCUMENT_URL_ALLOWLIST = [h for h in os.environ.get("SIGNING_DOCUMENT_URL_ALLOWLIST", "").split(",") if h]

# Portal: behind a reverse proxy, the header holding the client's address (e.g.
# HTTP_X_FORWARDED_FOR), so bad-token rate limits apply per applicant, not per proxy.
PORTAL_CLIENT_IP_HEADER = os.environ.get("PORTAL_CLIENT_IP_HEADER", "")
PORTAL_BAD_TOKEN_LIMIT = int(os.environ.get("PORTAL_BAD_TOKEN_LIMIT", 20))

# Webhook receivers on loopback/private addresses are refused unless allowed here.
WEBHOOK_ALLOW_PRIVATE_URLS = env_flag("WEBHOOK_ALLOW_PRIVATE_URLS", default=not PRODUCTION)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request lines carry portal tokens in their paths: never log them.
        "django.server": {"handlers": [], "propagate": False},
    },
}
