"""The one settings module. Every value that differs between machines comes from the
environment (see `.env.example`); defaults give a safe local demo on SQLite."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _load_dotenv(path: Path) -> None:
    """Read KEY=VALUE lines from `.env` without overriding the real environment."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_dotenv(BASE_DIR / ".env")

# Production mode switches every security default on; the demo stays usable over http.
PRODUCTION = env_bool("SOTAY_PRODUCTION", False)
DEBUG = env_bool("SOTAY_DEBUG", not PRODUCTION)

SECRET_KEY = env("SOTAY_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise RuntimeError("SOTAY_SECRET_KEY phải được đặt khi chạy ở chế độ production.")
    SECRET_KEY = "dev-only-insecure-key-" + "x" * 40  # noqa: S105 - local demo only

ALLOWED_HOSTS = [
    h.strip()
    for h in env("SOTAY_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in env("SOTAY_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "sotay.core",
    "sotay.organizations",
    "sotay.members",
    "sotay.accounts",
    "sotay.audit",
    "sotay.notifications",
    "sotay.reports",
    "sotay.documents",
    "sotay.meetings",
    "sotay.handbook",
    "sotay.news",
    "sotay.learning",
]

MIDDLEWARE = [
    "sotay.core.admission.AdmissionControl",  # first: a shed request costs nothing else
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sotay.core.locale.ChosenLanguageMiddleware",  # vi unless chosen on the language form
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sotay.accounts.middleware.LoginRequired",
    "sotay.accounts.middleware.AccountStateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
                "sotay.core.context_processors.shell",
            ],
        },
    }
]

# SQLite is the embedded default so `make run` needs no server; CI and production set
# DATABASE_URL to PostgreSQL. Persistent connections are capped by the server's worker
# and thread counts (see deploy/ and docs/deployment.md), never left unbounded.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sotay.sqlite3'}"),
        conn_max_age=env_int("SOTAY_DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        # A health check costs one extra round trip per request on a reused connection.
        conn_health_checks=env_bool("SOTAY_DB_HEALTH_CHECKS", True),
    )
}
# PostgreSQL connection pool (psycopg_pool), one per app process, instead of one
# persistent connection per request thread: deploy/serve.sh runs more request threads
# than it admits to work at once (sotay.core.admission), and the pool's size — the
# admitted requests — is what caps connections (P1). On by default in production.
SOTAY_DB_POOL = env_bool("SOTAY_DB_POOL", PRODUCTION) and DATABASES["default"]["ENGINE"].endswith(
    "postgresql"
)
if SOTAY_DB_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django requires it with a pool
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # connections return to the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("SOTAY_DB_POOL_SIZE", 8),
        "timeout": 10,  # seconds a request waits for a connection before failing
        "max_idle": 300,
    }
# The hot paths' hand-written statements run as server-side prepared statements
# (sotay.core.prepared); 0 behind a pooler that cannot carry them (PgBouncer < 1.21).
SOTAY_DB_PREPARE = env_bool("SOTAY_DB_PREPARE", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["sotay.accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["sotay.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("SOTAY_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Confidential files (uploaded imports waiting to be applied) never sit under MEDIA_URL.
PRIVATE_ROOT = Path(env("SOTAY_PRIVATE_ROOT", str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Load shedding (sotay.core.admission): requests admitted to work at once per process,
# 0 = no limit (development, tests); deploy/serve.sh sets it to SOTAY_WEB_THREADS. A
# request that waits longer than SOTAY_SHED_WAIT_MS for a slot answers 503, and so at
# once does one arriving when SOTAY_SHED_QUEUE requests already wait (default: twice as
# many as are admitted), so that some waiting threads stay free to answer quickly.
SOTAY_WEB_ADMIT = env_int("SOTAY_WEB_ADMIT", 0)
SOTAY_SHED_WAIT_MS = env_int("SOTAY_SHED_WAIT_MS", 1000)
SOTAY_SHED_QUEUE = env_int("SOTAY_SHED_QUEUE", 2 * SOTAY_WEB_ADMIT)

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "sotay.core.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Entries every signed-in request reads, kept in each process and dropped by
            # Redis' own invalidation messages (sotay/core/redis_cache.py).
            "OPTIONS": {
                "NEAR_PREFIXES": (
                    [
                        "django.contrib.sessions.cached_db",
                        "epoch:",
                        "session-user:",
                        "grants:",
                        "unread:",
                        "learning-home:",
                        # The reader's shared part of a document (documents.reader): a
                        # few KB each, read by everyone who opens the document.
                        "reader:",
                    ]
                    if env_bool("SOTAY_NEAR_CACHE", True)
                    else []
                ),
            },
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Per-user caches (role grants, unread counts) are only correct when every app process
# sees the same cache and its invalidations: on by default with Redis, off with the
# per-process local memory cache.
SOTAY_SHARED_CACHE = env_bool("SOTAY_SHARED_CACHE", bool(REDIS_URL))

TASKS = {
    "default": {
        "BACKEND": env("SOTAY_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security: production turns every transport protection on.
SESSION_COOKIE_AGE = env_int("SOTAY_SESSION_AGE", 60 * 60 * 24 * 14)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SOTAY_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SOTAY_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Accounts policy (see docs/permissions.md and docs/architecture.md).
SOTAY_REQUIRE_2FA = env_bool("SOTAY_REQUIRE_2FA", PRODUCTION)
SOTAY_LOCKOUT_ACCOUNT_FAILURES = env_int("SOTAY_LOCKOUT_ACCOUNT_FAILURES", 5)
SOTAY_LOCKOUT_ADDRESS_FAILURES = env_int("SOTAY_LOCKOUT_ADDRESS_FAILURES", 20)
SOTAY_LOCKOUT_WINDOW_MINUTES = env_int("SOTAY_LOCKOUT_WINDOW_MINUTES", 15)
SOTAY_ONE_TIME_CODE_HOURS = env_int("SOTAY_ONE_TIME_CODE_HOURS", 72)
SOTAY_API_TOKEN_DAYS = env_int("SOTAY_API_TOKEN_DAYS", 90)
# Fernet key for secrets kept in the database (TOTP seeds); derived from SECRET_KEY if unset.
SOTAY_FIELD_KEY = env("SOTAY_FIELD_KEY")
SOTAY_TRUSTED_PROXY_COUNT = env_int("SOTAY_TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SOTAY_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Study programme uploads (sotay/learning): refused above these sizes, before the body is read.
SOTAY_LEARNING_MAX_AUDIO_MB = env_int("SOTAY_LEARNING_MAX_AUDIO_MB", 100)
SOTAY_LEARNING_MAX_VIDEO_MB = env_int("SOTAY_LEARNING_MAX_VIDEO_MB", 500)
SOTAY_LEARNING_MAX_PDF_MB = env_int("SOTAY_LEARNING_MAX_PDF_MB", 20)
SOTAY_LEARNING_MAX_REFLECTION_MB = env_int("SOTAY_LEARNING_MAX_REFLECTION_MB", 10)

# Django's admin is for system administrators only; it can be switched off entirely.
SOTAY_ADMIN_ENABLED = env_bool("SOTAY_ADMIN_ENABLED", True)
