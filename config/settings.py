"""One settings module, driven by environment variables with safe development defaults.

Production (``DEBUG`` off) refuses to start without a real ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
an https ``SITE_URL``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.oidc import form_action_origins, providers_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; a value that is neither (``DEBUG=ture``) stops the start, not guessed."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value; use one of "
        f"{', '.join(sorted(TRUE_WORDS | FALSE_WORDS))}."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_seconds(name: str, default: int) -> int:
    """A whole number of seconds; garbage stops the start instead of becoming 0."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()):
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number of seconds.")
    return int(value)


TESTING = "pytest" in sys.modules or env_bool("TESTING", False)
DEBUG = env_bool("DEBUG", False)
DEV_SECRET_KEY = "insecure-development-key-never-use-in-production-0123456789abcdef"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY if (DEBUG or TESTING) else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if (DEBUG or TESTING) else "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma separated) when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Absolute links in e-mails come from here, never from the request's Host header. It is also
# signed into every PE-verklaring (issuer, QR code): production needs the real https address.
DEV_SITE_URL = "http://127.0.0.1:8000"
SITE_URL = os.environ.get("SITE_URL", DEV_SITE_URL if (DEBUG or TESTING) else "").rstrip("/")
if not (DEBUG or TESTING):
    _site = urlsplit(SITE_URL)
    if _site.scheme != "https" or not _site.hostname:
        raise ImproperlyConfigured(
            "Set SITE_URL to the register's https address (e.g. https://pe-register.example.nl) "
            "when DEBUG is off: it is in every e-mail link and signed into every PE-verklaring."
        )
SITE_NAME = os.environ.get("SITE_NAME", "PE-register")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_tasks",
    "django_tasks_db",
    # Second factor: django-otp's TOTP and one-time recovery codes (peregister.accounts.mfa).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peregister.core",
    "peregister.home",
    "peregister.accounts",
    "peregister.audit",
    "peregister.registry",
    "peregister.organisations",
    "peregister.access",
    "peregister.notifications",
    "peregister.insight",
    "peregister.reports",
    "peregister.backoffice",
    "peregister.providers",
    "ninja",
    "peregister.statements",
    "peregister.dataexport",
    "peregister.ops",
]

MIDDLEWARE = [
    # First, so every log line of the request (and the mails it queues) carries its id.
    "peregister.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy with a per-request nonce; Cache-Control and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "peregister.core.headers.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so a logged-in user's own language can apply.
    "peregister.core.locale.ChosenLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the login check and the messages: an idle session ends first (with a message),
    # then one that owes its second step opens only that step's pages
    # (peregister.accounts.middleware).
    "peregister.accounts.middleware.IdleTimeoutMiddleware",
    "peregister.accounts.middleware.SecondFactorMiddleware",
    # A form rendered in another role than the acting one writes nothing (a switch in another tab).
    "peregister.accounts.middleware.ActingRoleFormMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Around the error pages, so it sees the 404 a view raised (a denied dossier or report).
    "peregister.audit.middleware.DeniedAccessMiddleware",
    # Last, so its 404 and 403 pages have the user, the language and the messages.
    "peregister.core.errors.ProductErrorPagesMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "peregister.core.errors.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

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
                "peregister.accounts.context_processors.navigation",
                # {{ CSP_NONCE }} for the rare inline <script>/<style> (none today).
                "csp.context_processors.nonce",
            ],
            # Its {% csrf_token %} also writes the acting role's key into every POST form.
            "builtins": ["peregister.accounts.templatetags.acting_role"],
        },
    },
]


# A new connection per request costs about 6 ms (measured, docs/benchmarks.md): production keeps
# each worker's connection for a minute, and health checks replace one the database dropped
# (a restart, a failover) instead of failing the request that finds it dead. Development keeps 0
# so runserver's threads do not pile up connections.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_seconds("CONN_MAX_AGE", 0 if (DEBUG or TESTING) else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes concurrent writers queue instead of failing halfway (SQLite has no
    # SELECT ... FOR UPDATE); WAL lets readers proceed while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# request.user arrives with its professional and contact: the roles cost no query per page.
AUTHENTICATION_BACKENDS = ["peregister.accounts.backends.UserWithRolesBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing speed is not what the tests are about.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "peregister.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "peregister.accounts.passwords.NotOnlyWhitespaceValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "peregister.accounts.passwords.DutchCommonPasswordValidator"},
    {"NAME": "peregister.accounts.passwords.BreachedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "peregister.accounts.passwords.GuessableValidator"},
]

# Single-use set-password links for new accounts (their own token, see accounts.tokens).
SET_PASSWORD_LINK_HOURS = int(os.environ.get("SET_PASSWORD_LINK_HOURS", "72"))
# What the start page of an organisation awaiting authorisation promises: "usually within N
# working days" (the register's own service level).
AUTHORISATION_WORKING_DAYS = int(os.environ.get("AUTHORISATION_WORKING_DAYS", "5"))
# Days before a grant's end date on which the professional is reminded.
GRANT_REMINDER_DAYS = int(os.environ.get("GRANT_REMINDER_DAYS", "14"))

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Data exports (Mijn gegevens downloaden) wait here for their download: never under a served
# URL. With several machines, point it at storage they share (a volume, or an object store
# through STORAGES["exports"]).
DATA_EXPORT_ROOT = Path(os.environ.get("DATA_EXPORT_ROOT", BASE_DIR / "var" / "exports"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "exports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": DATA_EXPORT_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if (DEBUG or TESTING)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# E-mail: files in var/mail/ in development, SMTP when EMAIL_HOST is set. TLS is what the
# server speaks, so it is switched on explicitly: EMAIL_USE_TLS (STARTTLS, usually port 587)
# or EMAIL_USE_SSL (implicit TLS, usually port 465).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PE-register <noreply@pe-register.test>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
else:
    EMAIL_BACKEND = os.environ.get(
        "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
    )
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"

# Background tasks (django-tasks backport of Django 6's task framework). Development and
# tests run a task in-process right after commit (no extra process for a newcomer);
# production queues it in the database (django-tasks-db) for `manage.py run_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if (DEBUG or TESTING)
            else "django_tasks_db.DatabaseBackend",
        )
    }
}
# The e-mail outbox (peregister.notifications.mail): tries per mail before it is marked failed,
# the first retry delay (doubling after each try), and how late a due mail may be before the
# worker's sweep takes it over from its lost task.
OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "8"))
OUTBOX_RETRY_SECONDS = float(os.environ.get("OUTBOX_RETRY_SECONDS", "60"))
OUTBOX_SWEEP_GRACE_SECONDS = float(os.environ.get("OUTBOX_SWEEP_GRACE_SECONDS", "15"))
# Delivered mails (names, addresses) are removed this many days after delivery.
OUTBOX_KEEP_DAYS = int(os.environ.get("OUTBOX_KEEP_DAYS", "30"))
# /readyz fails when no task worker reported within this many seconds (database backend only).
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "60"))

SESSION_COOKIE_HTTPONLY = True
# The longest a session lives, active or not; idle sessions end much sooner (below).
SESSION_COOKIE_AGE = 60 * 60 * 8
# Minutes without a request after which a session ends: register staff, beheerders and
# 2e contactpersonen (who see whole organisations) get the short one (ASVS 3.3.2).
SESSION_IDLE_MINUTES_PRIVILEGED = int(os.environ.get("SESSION_IDLE_MINUTES_PRIVILEGED", "30"))
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "120"))
# The name browsers show in passkey prompts; the passkey's origin and RP id come from SITE_URL.
WEBAUTHN_RP_NAME = os.environ.get("WEBAUTHN_RP_NAME", SITE_NAME)
# Issuer shown in authenticator apps next to the username.
OTP_TOTP_ISSUER = SITE_NAME
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A strict Content-Security-Policy (ASVS 14.4.3): scripts and styles only from our own static
# files or with the request's nonce, never inline attributes; nothing is framed, no plug-ins,
# forms post only to the register. img-src allows data: for the PE-verklaring's QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.NONE],
        "script-src": [csp_constants.SELF, csp_constants.NONCE],
        "style-src": [csp_constants.SELF, csp_constants.NONCE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "manifest-src": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
        "base-uri": [csp_constants.NONE],
        "object-src": [csp_constants.NONE],
    }
}
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser accepts these cookies only over https, for this host alone, on
    # path / (no subdomain can plant or read them; ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Load balancers probe the health endpoints over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Logs: one JSON object per line (LOG_FORMAT=json, the default outside development) with the
# request id; e-mail addresses and link secrets are masked in every line (peregister.ops.logs).
# Django's own loggers ("django", "django.server") lose their handlers and pass their records on
# to this one, so no line leaves unmasked or twice (and the test suite's scan sees them); the
# uncaught exception of a command goes through it as well (peregister.ops.logs).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "peregister.ops.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "peregister.ops.logs.JsonFormatter"},
        "text": {
            "()": "peregister.ops.logs.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {
            "handlers": [],
            "level": "WARNING" if TESTING else "INFO",
            "propagate": True,
        },
        # Request bodies never reach the logs; 4xx noise stays out of them too.
        "django.request": {"level": "ERROR"},
        # The task worker says "starting" and "no more tasks" every idle cycle.
        "django_tasks_db": {"level": "WARNING"},
        # PDF rendering reports every step at INFO; only its problems belong in the logs.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Development and tests serve static files through the finders; production from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
# Files browsers and crawlers ask for at the site root (favicon.ico), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "public"

# PE-verklaring signing key (Ed25519, PEM/PKCS#8): the key itself, or a file outside the
# repository. Production refuses to start without one; development generates one into var/.
STATEMENT_SIGNING_KEY = os.environ.get("STATEMENT_SIGNING_KEY", "")
STATEMENT_SIGNING_KEY_FILE = os.environ.get("STATEMENT_SIGNING_KEY_FILE", "")
STATEMENT_DEV_KEY_FILE = BASE_DIR / "var" / "statement-signing-key.pem"
if not (DEBUG or TESTING or STATEMENT_SIGNING_KEY or STATEMENT_SIGNING_KEY_FILE):
    raise ImproperlyConfigured(
        "Set STATEMENT_SIGNING_KEY or STATEMENT_SIGNING_KEY_FILE (an Ed25519 private key in PEM "
        "format, e.g. from `openssl genpkey -algorithm ed25519`) when DEBUG is off."
    )

# Behind a reverse proxy that sets X-Request-ID on every request (replacing a client's own):
# take its request id for the logs instead of making one.
TRUST_REQUEST_ID_HEADER = env_bool("TRUST_REQUEST_ID_HEADER", False)

# Behind a reverse proxy, the META key holding the client address for rate limits
# (e.g. HTTP_X_FORWARDED_FOR); empty: REMOTE_ADDR.
RATELIMIT_CLIENT_IP_HEADER = os.environ.get("RATELIMIT_CLIENT_IP_HEADER", "")

# Completions API (providers): requests per API key per minute (429 above it).
API_REQUESTS_PER_MINUTE = int(os.environ.get("API_REQUESTS_PER_MINUTE", "120"))

# Single sign-on: the OpenID Connect providers the register trusts (config/oidc.py, README
# "Single sign-on"). Plain http only to a loopback provider in development and tests.
OIDC_PROVIDERS = providers_from_env(os.environ, allow_http_loopback=DEBUG or TESTING)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] = [
    csp_constants.SELF,
    *form_action_origins(OIDC_PROVIDERS),
]
# Seconds of clock difference with a provider that an ID token's iat/exp may show.
OIDC_LEEWAY_SECONDS = env_seconds("OIDC_LEEWAY_SECONDS", 60)
# Seconds one call to a provider (discovery, keys, code exchange) may take.
OIDC_HTTP_TIMEOUT = env_seconds("OIDC_HTTP_TIMEOUT", 10)
