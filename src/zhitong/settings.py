"""Django settings for Zhitong, all read from the environment (see README, "Settings")."""

import ipaddress
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhitong.env import debug_allowed_hosts, env_bool, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("ZHITONG_DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(debug=DEBUG, key_file=DATA_DIR / ".secret_key")
# The address the site is served at: every QR code, link and SMS is built on it, never on a
# request's Host header, so a code printed from one host still points at the site. `make run`
# sets it from the host and port it serves (the machine's LAN address for HOST=0.0.0.0).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# In DEBUG the public address's host is allowed too, so a phone on the same network opens
# the pages its QR codes lead to; a deployment names its hosts itself.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", debug_allowed_hosts(PUBLIC_BASE_URL) if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS (SSL redirect, HSTS, cookies sent over HTTPS only): on whenever DEBUG is off, so a
# deployment is secure without setting anything; HTTPS=off for a trial over plain HTTP.
# Never on in DEBUG: runserver speaks plain HTTP. See docs/deployment.md.
if env_str("SECURE_COOKIES") is not None:
    raise ImproperlyConfigured("SECURE_COOKIES was replaced by HTTPS=on/off (see the README).")
HTTPS = False if DEBUG else env_bool("HTTPS", default=True)

# Reverse proxies in front of the site (addresses or networks): X-Forwarded-For is read
# only from them (zhitong.core.clientip). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from None

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "zhitong.core",
    "zhitong.regions",
    "zhitong.units",
    "zhitong.accounts",
    "zhitong.deputies",
    "zhitong.stations",
    "zhitong.workdays",
    "zhitong.notifications",
    "zhitong.handling",
    "zhitong.insights",
    "zhitong.opinions",
    "zhitong.suggestions",
    "zhitong.imports",
    "zhitong.public",
    "zhitong.dashboards",
    "zhitong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "zhitong.core.middleware.OddInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhitong.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhitong.core.scoping.ScopeMiddleware",
    "zhitong.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Under DEBUG, a missing page is the site's 404 page, not the technical one. Inside
    # CommonMiddleware, so /path still redirects to /path/ when that exists.
    "zhitong.core.middleware.SiteNotFoundMiddleware",
    # Axes must be last: it answers a locked-out login before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhitong.urls"
WSGI_APPLICATION = "zhitong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "src" / "zhitong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhitong.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Every form renders its fields with Bootstrap classes and linked help and errors
# (zhitong.core.forms).
FORM_RENDERER = "zhitong.core.forms.BootstrapFormRenderer"

# Database: DATABASE_URL (postgres://..., sqlite:///...), default a SQLite file in DATA_DIR.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'zhitong.sqlite3'}"),
        conn_max_age=int(env_str("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection is checked before each request reuses it: after a database
        # restart the first request of each worker gets a fresh one instead of a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer writes; IMMEDIATE avoids lock upgrades
        # that fail with "database is locked" under concurrent requests.
        # synchronous=FULL: an acknowledged submission survives a power cut (NORMAL in WAL
        # mode may lose the last transactions); its cost is in docs/benchmarks.md. A writer
        # waits up to 20 s for another (a long background write) instead of failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATA_DIR.mkdir(parents=True, exist_ok=True)

# Background work (zhitong.core.jobs): run at once, in the request, unless
# TASKS_BACKEND=database, where `manage.py db_worker` (deploy/systemd/zhitong-worker.service)
# runs it in its own process.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS = {"default": {"BACKEND": TASK_BACKENDS[env_str("TASKS_BACKEND", "immediate")]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Twelve characters for every account: most accounts see citizens' personal data.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "public:index"
# A password reset link works for one day (and once: it dies with the password it resets).
PASSWORD_RESET_TIMEOUT = 24 * 3600
# Mail sent through Django's mail API (the password reset e-mail) goes out through the
# project's e-mail sender (NOTIFY_EMAIL_BACKEND) and is recorded without its body.
EMAIL_BACKEND = "zhitong.notifications.mail.NotifyEmailBackend"

# Lockout after failed logins (django-axes), counted in the cool-off window, three ways
# (zhitong.accounts.lockout): one account from one address, one account from anywhere
# (guessing one password from many addresses), one address whatever the account
# (spraying many accounts). Each limit locks what it counts, until the window has passed.
AXES_FAILURE_LIMIT = int(env_str("AXES_FAILURE_LIMIT", "5"))
AXES_ACCOUNT_FAILURE_LIMIT = int(env_str("AXES_ACCOUNT_FAILURE_LIMIT", "10"))
AXES_ADDRESS_FAILURE_LIMIT = int(env_str("AXES_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = float(env_str("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_HANDLER = "zhitong.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "zhitong.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "zhitong.core.clientip.lockout_address"
AXES_RESET_ON_SUCCESS = True
# A sign-in refused because of a lock is not one more failure: an address's lock must not
# spill over onto the accounts of the people who keep trying from it, nor an account's
# onto its owner's address.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# The name as typed, cut to what an account name can be (150) and without NUL: axes records
# it, and PostgreSQL refuses a longer or NUL-holding value with an error.
AXES_USERNAME_CALLABLE = "zhitong.accounts.lockout.username_from_request"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A working day: a session ends 8 hours after sign-in, or when the browser closes.
SESSION_COOKIE_AGE = int(float(env_str("SESSION_HOURS", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The cache is shared by every web process: rate limits and lockouts count across them.
# Redis with REDIS_URL; otherwise a table in the database (created by migrate), whose
# increments are atomic across processes (zhitong.core.cache).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "zhitong.core.cache.DatabaseCache",
            "LOCATION": "zhitong_cache",
            # Culling deletes live entries (rate-limit counts too): keep it rare.
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "zhitong" / "locale"]
# Overrides of Django's locale date formats (e.g. zh_Hans MONTH_DAY_FORMAT).
FORMAT_MODULE_PATH = ["zhitong.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "src" / "zhitong" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic also writes compressed copies, which whitenoise serves when accepted.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))


SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(env_str("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS

# Content-Security-Policy (django-csp): everything from this site only, no inline script and
# no inline style at all (core/tests/test_headers.py keeps the templates so).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form controls with data: SVG images.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "zhitong.core.logsafety.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
