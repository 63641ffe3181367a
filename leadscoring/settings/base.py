"""Django settings. Production differs from the embedded default only by environment."""

from __future__ import annotations

import secrets
from pathlib import Path

from leadscoring.settings.env import BASE_DIR, DATA_DIR, env

# With no key set (the embedded, offline default) a random key is generated once and kept in
# the data directory, so sessions survive restarts and no key lives in the code.


def _secret_key() -> str:
    key = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
# A generated key lives in one data directory: replicas, or a container without a volume,
# would each sign sessions with their own (a system check says so when DJANGO_SECURE is on).
SECRET_KEY_GENERATED = not env.str("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("LEADSCORING_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "health_check",
    "rest_framework",
    "leadscoring.apps.CoreConfig",
    "calls",
    "scoring",
    "crm",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files straight after the security headers, before sessions and auth touch anything.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "leadscoring.urls"
WSGI_APPLICATION = "leadscoring.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'leadscoring.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite creates the file but not its folder (a first start with DJANGO_SECRET_KEY set).
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The ORM broker, workers and the web server share the file: wait for locks instead of
    # failing, and use WAL so readers never block the writer. synchronous=NORMAL is durable
    # across application crashes; only a power cut can lose the last commits.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

LOGIN_URL = "admin:login"

from leadscoring.settings.api import *  # noqa: E402, F403
from leadscoring.settings.crm import *  # noqa: E402, F403
from leadscoring.settings.intake import *  # noqa: E402, F403
from leadscoring.settings.logs import *  # noqa: E402, F403
from leadscoring.settings.q2 import *  # noqa: E402, F403
from leadscoring.settings.scoring import *  # noqa: E402, F403
from leadscoring.settings.security import *  # noqa: E402, F403
from leadscoring.settings.sentry import *  # noqa: E402, F403
from leadscoring.settings.storage import *  # noqa: E402, F403
from leadscoring.settings.transcription import *  # noqa: E402, F403
from leadscoring.settings.ui import *  # noqa: E402, F403
from leadscoring.settings.web import *  # noqa: E402, F403
from leadscoring.settings.web import PROMETHEUS_METRICS  # noqa: E402
from leadscoring.settings.whisper import *  # noqa: E402, F403

if PROMETHEUS_METRICS:
    INSTALLED_APPS.append("django_prometheus")
    # Before and after everything else, so the timings cover the whole middleware stack.
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]
