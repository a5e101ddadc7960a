"""Settings for the portal, read from the environment only (django-environ).

With no variables set, the portal runs on the embedded default: SQLite, a Celery broker on
the file system, email written to files. ``PORTAL_ENV=production`` requires ``SECRET_KEY``,
``DATABASE_URL``, ``REDIS_URL``, ``ALLOWED_HOSTS`` and ``EMAIL_URL`` and turns on every
production safeguard.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

PORTAL_ENV = env.str("PORTAL_ENV", default="embedded")
if PORTAL_ENV not in {"embedded", "production"}:
    raise environ.ImproperlyConfigured("PORTAL_ENV must be 'embedded' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

# Everything the embedded default writes (database, broker queue, mail, uploads) lives here.
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

if PRODUCTION:
    # No default: a production deployment that forgets the secret must not start.
    SECRET_KEY = env.str("SECRET_KEY")
    DEBUG = env.bool("DEBUG", default=False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="embedded-only-insecure-key-never-use-in-production")
    DEBUG = env.bool("DEBUG", default=True)
    ALLOWED_HOSTS = env.list(
        "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # API tokens, hashed and expiring, in the model users.ApiToken (REST_KNOX below).
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    # The second factor (TOTP and recovery codes): see users/otp.py and docs/security.md.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "users",
    "units",
    "accounts_registry",
    "directives",
    "reports",
    "notifications",
    "legal",
    "incidents",
    "audit",
    # Personal data: retention, a person's requests to see or erase their data.
    "privacy",
    # Applying a reorganisation of the units: it moves every domain app's rows.
    "reorganisation",
    # The demo data and the embedded run, above every domain app.
    "demo",
    # Last: the project as an app, above every other (its commands may use them all).
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every page (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body: an oversized one is refused (413) in the page's language.
    "portal.request_size.RequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the browser as known for the account after a login (users/guessing.py).
    "users.guessing.DeviceCookieMiddleware",
    # request.user.is_verified(): whether this session passed the second factor.
    "django_otp.middleware.OTPMiddleware",
    # Lets the audit trail's receivers know the address and browser behind a recorded action.
    "audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session timeouts; no-store on every answer made for someone.
    "portal.sessions.SessionTimeoutMiddleware",
    "portal.sessions.NoStoreMiddleware",
    # Users who must have a second factor reach nothing but enrolment or the code step
    # until this session has passed it (users/otp_middleware.py).
    "users.otp_middleware.SecondFactorMiddleware",
    # Before any view: an over-long search is refused in the page's language, with its layout.
    "portal.search.SearchBoundsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# Database: SQLite file by default, PostgreSQL (or anything else) through DATABASE_URL.
if PRODUCTION:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {
        "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share one SQLite file in the embedded default: wait for locks
    # instead of failing, and let readers work while one process writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the portal's queries are short (a page of 50 rows), and the ones the
    # planner costs high (far pages of long lists: an OFFSET sorts 100,000 rows) spent more
    # in compiling than JIT saved (/registry/pages/?page=2000 at national scale: 1.9 s with
    # JIT, 1.1 s without; docs/benchmarks.md, "List pages at national scale"). The report
    # build already turned it off in its own transaction.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60 if PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is optional in the embedded default and required in production.
REDIS_URL = env.str("REDIS_URL") if PRODUCTION else env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Degrades to "no cache" while Redis is down rather than failing the page.
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": env.str("CACHE_REDIS_URL", default=REDIS_URL),
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portal"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery. Without Redis the broker is kombu's file-system transport: a worker and beat still
# run as separate processes, with no server to install.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
    for _sub in ("queue", "control", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
else:
    # A message a worker took and never acknowledged (the worker died) goes back to the queue
    # after this many seconds; longer than any task runs, or a slow task would run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None) or None
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend behind the per-account limit on guessing (users/guessing.py).
    "users.guessing.GuessingLimitBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force lockout: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Behind a reverse proxy, the networks of our own proxies (CIDR, comma-separated): the client's
# address is read from X-Forwarded-For only as far as they vouch for it (portal.client_address),
# by the throttles, this lockout, the audit trail and the logs alike. Empty: REMOTE_ADDR.
PORTAL_TRUSTED_PROXIES = env.list("PORTAL_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
AXES_VERBOSE = False
# Guessing spread across addresses (users/guessing.py): past this many failures for one
# account from browsers it was never used on, within the cool-off, such browsers (and
# scripts) are refused for the cool-off, even with the right password; the owner's known
# browsers (a signed device cookie, kept this many days) are not, nor locked by axes.
PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT = env.int("PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT", default=20)
PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES = env.int("PORTAL_LOGIN_ACCOUNT_COOLOFF_MINUTES", default=60)
PORTAL_DEVICE_COOKIE_DAYS = env.int("PORTAL_DEVICE_COOKIE_DAYS", default=180)
AXES_WHITELIST_CALLABLE = "users.guessing.is_known_browser"
# Password reset emails: at most this many an hour to one account, and requests served an
# hour for one client address; beyond, nothing is sent and the page answers the same.
PORTAL_PASSWORD_RESET_ACCOUNT_HOURLY = env.int("PORTAL_PASSWORD_RESET_ACCOUNT_HOURLY", default=3)
PORTAL_PASSWORD_RESET_ADDRESS_HOURLY = env.int("PORTAL_PASSWORD_RESET_ADDRESS_HOURLY", default=10)

# The second factor (TOTP, with single-use recovery codes) is required of provincial
# department officers, system administrators and staff users (the admin site) when this is
# on; other users may turn it on from their account. See docs/security.md.
PORTAL_OTP_REQUIRED = env.bool("PORTAL_OTP_REQUIRED", default=True)
# The name authenticator apps show beside the account.
OTP_TOTP_ISSUER = "Cổng trang MXH chính thức"
# django-otp's admin pages for devices never show secrets or recovery-code hashes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# A session lasts one working day from login, and ends when the browser is closed: many
# commune offices share one computer, and the next person must not find the last one logged
# in. The server refuses a session older than SESSION_COOKIE_AGE whatever the browser keeps.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=True)
# A session left without a request this long ends too (portal.sessions): the shared computer.
SESSION_IDLE_TIMEOUT_MINUTES = env.int("SESSION_IDLE_TIMEOUT_MINUTES", default=30)
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy, in every environment so that the tests exercise it: scripts, styles,
# fonts and images only from the portal itself, no inline script, style or event handler, no
# framing, forms post only to the portal. Templates keep JS in static/js and CSS in static/css.
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# Where browsers send violation reports, if anywhere (a collector the operator runs).
if env.str("CSP_REPORT_URI", default=""):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = env.str("CSP_REPORT_URI")
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
if not PRODUCTION:
    # WhiteNoise serves from STATIC_ROOT and warns on every request when it is missing.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
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

# Email: written to files in the embedded default, SMTP (EMAIL_URL) in production.
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Cổng trang MXH chính thức <no-reply@localhost>"
)
if PRODUCTION or env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# API tokens (django-rest-knox in users.ApiToken): hashed, named, shown once, expiring after
# API_TOKEN_TTL_DAYS, revoked by their owner and by any password change (users/tokens.py).
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
KNOX_TOKEN_MODEL = "users.ApiToken"
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# knox's own AuthToken is swapped for users.ApiToken, but knox's migrations create its table
# regardless (they predate the swap), and that table's foreign key to users_user would stop the
# test database from being flushed. Without migrations, the swapped model gets no table.
MIGRATION_MODULES = {"knox": None}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "users.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Official social-media accounts portal API",
    "DESCRIPTION": "Registry of official social-media pages of Vietnamese state bodies "
    "(Decision 874/QĐ-BTTTT). Every endpoint answers only within the caller's scope.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the project's own static files: no CDN.
    # The split view (portal/urls.py) serves the page's script as a file, for the CSP.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "state" or a "kind": name each enum after its own model.
    "ENUM_NAME_OVERRIDES": {
        "IncidentStateEnum": "incidents.models.IncidentState",
        "IncidentKindEnum": "incidents.models.IncidentKind",
        "IncidentSourceEnum": "incidents.models.IncidentSource",
        "FindingSourceEnum": "incidents.models.FindingSource",
        "FindingStateEnum": "incidents.models.FindingState",
        "ReportStateEnum": "reports.models.ReportState",
        "NamedGroupKindEnum": "directives.models.GroupKind",
    },
}

# Production safeguards; all of them are on whenever PORTAL_ENV=production.
if PRODUCTION:
    # The header the reverse proxy sets to say the client used HTTPS; empty when gunicorn
    # terminates TLS itself. Trusting it is safe only if the proxy overwrites a client's one.
    _proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="HTTP_X_FORWARDED_PROTO")
    SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Asking browsers' preload lists to include the domain is hard to undo: an operator whose
    # parent domain (say .gov.vn) is not all on HTTPS turns it off.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line names the client by the portal's one rule (portal.client_address).
    "filters": {"client": {"()": "portal.client_address.ClientAddressFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(client)s] %(message)s"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Registry settings that later features read; kept here so that they are environment-driven.
PORTAL_PAGE_RECONFIRM_DAYS = env.int("PORTAL_PAGE_RECONFIRM_DAYS", default=180)
# Largest posting-rules file accepted (PDF or DOCX).
PORTAL_RULES_MAX_BYTES = env.int("PORTAL_RULES_MAX_BYTES", default=10 * 1024 * 1024)
# Public verification and directory: requests per client address.
PORTAL_PUBLIC_VERIFY_RATE = env.str("PORTAL_PUBLIC_VERIFY_RATE", default="60/min")
PORTAL_PUBLIC_DIRECTORY_RATE = env.str("PORTAL_PUBLIC_DIRECTORY_RATE", default="120/min")
# Autocomplete of the body, unit and page pickers, per logged-in user (accounts_registry/autocomplete.py, directives/autocomplete.py).
PORTAL_AUTOCOMPLETE_RATE = env.str("PORTAL_AUTOCOMPLETE_RATE", default="300/min")
# Public reports of fake pages: few are needed, so the limit is low.
PORTAL_PUBLIC_REPORT_RATE = env.str("PORTAL_PUBLIC_REPORT_RATE", default="5/hour")
# Largest evidence screenshot accepted (PNG, JPEG or WebP).
PORTAL_EVIDENCE_MAX_BYTES = env.int("PORTAL_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
# Directives: largest attachment (PDF, DOCX or image), and the days around a directive's
# reporting deadline when unanswered recipients are reminded (negative: before the deadline).
PORTAL_ATTACHMENT_MAX_BYTES = env.int("PORTAL_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
PORTAL_DIRECTIVE_REMINDER_DAYS = tuple(
    env.list("PORTAL_DIRECTIVE_REMINDER_DAYS", cast=int, default=[-3, 1, 7])
)
# Report reminders: days around each level's due date (negative: before). Exports of a report
# with more rows than this are built by Celery and offered when ready; smaller ones stream.
PORTAL_REPORT_REMINDER_DAYS = tuple(
    env.list("PORTAL_REPORT_REMINDER_DAYS", cast=int, default=[-3, 1, 7])
)
PORTAL_EXPORT_SYNC_MAX_ROWS = env.int("PORTAL_EXPORT_SYNC_MAX_ROWS", default=2000)
# Where links in emails point (the portal's public address), e.g. https://mxh.thanhhoa.gov.vn
# Personal data (privacy/): days an archived contact's phone and email, and a citizen
# reporter's details after the incident is closed, are kept before the nightly job erases them.
PERSONAL_DATA_CONTACT_RETENTION_DAYS = env.int("PERSONAL_DATA_CONTACT_RETENTION_DAYS", default=730)
PERSONAL_DATA_REPORTER_RETENTION_DAYS = env.int(
    "PERSONAL_DATA_REPORTER_RETENTION_DAYS", default=365
)
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
