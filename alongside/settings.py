"""Alongside settings: one module, configured only through environment variables.

Every variable is listed in the README. Bad values stop the process with a clear error.
"""

from __future__ import annotations

import re
import secrets
import socket
import sys
from pathlib import Path
from typing import Any

import dj_database_url

from alongside.lib import crypto, files, redact, vapid
from alongside.lib.env import EnvError, envbool, envchoice, envint, envlist, envsecret, envstr
from alongside.service.logs import REFUSED_REQUEST_LOGGERS

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or envbool("ALONGSIDE_TESTING")
ENV = envchoice("ALONGSIDE_ENV", ("development", "production"), "development")
PRODUCTION = ENV == "production"
# Off unless asked for: `make run` is how people first meet the product, and Django's debug pages show the
# whole route map and no CSP. ALONGSIDE_DEBUG=1 turns them on for development.
DEBUG = envbool("ALONGSIDE_DEBUG", default=False)
DATA_DIR = Path(envstr("ALONGSIDE_DATA_DIR", str(BASE_DIR / "data"))).resolve()


def _dev_secret(filename: str, make: object) -> str:
    """Development keeps generated secrets in the data directory, so restarts keep sessions and data readable."""
    path = DATA_DIR / filename
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = make() if callable(make) else str(make)
    files.write_private(path, value + "\n")
    return str(value)


def _random_secret() -> str:
    return secrets.token_urlsafe(50)


SECRET_KEY = envsecret("ALONGSIDE_SECRET_KEY")
ALONGSIDE_ENCRYPTION_KEYS = envsecret("ALONGSIDE_ENCRYPTION_KEYS")
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise EnvError(
            "ALONGSIDE_SECRET_KEY (or ALONGSIDE_SECRET_KEY_FILE) must be set to at least 50 characters in production"
        )
    if not ALONGSIDE_ENCRYPTION_KEYS:
        raise EnvError(
            "ALONGSIDE_ENCRYPTION_KEYS (or ALONGSIDE_ENCRYPTION_KEYS_FILE) must be set in production; "
            "make one with `alongside generate_key`"
        )
elif TESTING:
    SECRET_KEY = SECRET_KEY or _random_secret()
    ALONGSIDE_ENCRYPTION_KEYS = ALONGSIDE_ENCRYPTION_KEYS or crypto.generate_key("test")
else:
    SECRET_KEY = SECRET_KEY or _dev_secret("secret_key", _random_secret)
    ALONGSIDE_ENCRYPTION_KEYS = ALONGSIDE_ENCRYPTION_KEYS or _dev_secret("encryption_keys", crypto.generate_key)
try:
    crypto.KeyRing.parse(ALONGSIDE_ENCRYPTION_KEYS)
except crypto.CryptoError as exc:
    raise EnvError(f"ALONGSIDE_ENCRYPTION_KEYS: {exc}") from None

SITE_URL = envstr("ALONGSIDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = envlist("ALONGSIDE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("ALONGSIDE_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "servestatic",
    "channels",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "alongside.audit",
    "alongside.accounts",
    "alongside.supporters",
    "alongside.roster",
    "alongside.connections",
    "alongside.meetings",
    "alongside.conversations",
    "alongside.calls",
    "alongside.phoneline",
    "alongside.talknow",
    "alongside.groups",
    "alongside.safety",
    "alongside.directory",
    "alongside.service",
    "alongside.library",
    "alongside.notifications",
    "alongside.homes",
    "alongside.console",
    "alongside.matching",
    "alongside.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above the static files, so their answers carry the same headers as the pages (tests/test_security_headers.py).
    "alongside.lib.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "alongside.lib.time.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # A debrief guest may open only their debrief (an audited 404 elsewhere), and is never sent to a profile.
    "alongside.groups.guests.GuestMiddleware",
    "alongside.accounts.middleware.RoleSecurityMiddleware",
]

ROOT_URLCONF = "alongside.urls"
# Django's form templates, with the option, checkbox and input templates written in Python (the same HTML,
# byte for byte): a 518-option time zone list cost ~40 ms through templates.
FORM_RENDERER = "alongside.lib.form_renderer.FastTemplates"
ASGI_APPLICATION = "alongside.asgi.application"
WSGI_APPLICATION = None

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
                "alongside.service.context_processors.service",
                "alongside.notifications.context_processors.badge",
                "alongside.talknow.context_processors.offers",
                "alongside.safety.context_processors.alerts",
            ],
            # `{{ value|when }}`: every time in one format, in the viewer's zone (alongside/lib/time.py).
            "builtins": ["alongside.lib.time"],
        },
    },
]

# Database: SQLite (WAL) in the data directory unless DATABASE_URL is set.
DATABASE_URL = envsecret("DATABASE_URL")
# Requests run on a fixed set of threads (alongside/lib/request_threads.py), so each thread's connection is
# kept for its next request instead of opened anew every time.
ALONGSIDE_REQUEST_THREADS = envint("ALONGSIDE_REQUEST_THREADS", 4, minimum=1)
# Not in tests: a connection kept by a test server's request thread would stop the test database being dropped.
DATABASE_CONN_MAX_AGE = envint("DATABASE_CONN_MAX_AGE", 0 if TESTING else 600, minimum=0)
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    }
    # A pool shares connections between the request threads, the task worker's threads and socket events.
    # Off in tests, where Django creates and drops the test database around it.
    DATABASE_POOL_SIZE = envint("DATABASE_POOL_SIZE", 10, minimum=0)
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL_SIZE and not TESTING:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": DATABASE_POOL_SIZE}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "alongside.sqlite3"),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache, channel layer and task queue: in-process unless REDIS_URL is set.
REDIS_URL = envsecret("REDIS_URL")
# Probe an idle Redis connection after 10 s, every 5 s, and give up after 3 unanswered probes.
REDIS_KEEPALIVE = {
    option: value
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3))
    if (option := getattr(socket, name, None)) is not None
}
if REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # No socket timeout. redis-py 8's default (5 s) equals channels-redis's blocking BZPOPMIN, so an
            # idle socket's receive raised TimeoutError and dropped the websocket. Any timeout at all sends
            # each command through asyncio.wait_for, which on Python 3.11 can swallow the cancellation that
            # ends a closed socket's consumer: the consumer then polled Redis for ever. TCP keepalive notices
            # a Redis that has gone away instead (after about 25 s of silence where the system allows tuning it).
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "socket_keepalive": True,
                        "socket_keepalive_options": REDIS_KEEPALIVE,
                    }
                ],
                "prefix": "alongside",
            },
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "alongside",
        "url": REDIS_URL,
        "immediate": TESTING,
        "consumer": {"workers": envint("ALONGSIDE_WORKERS", 2, minimum=1), "worker_type": "thread"},
    }
else:
    # Rate-limit counters and presence live here too: room for far more than Django's default 300 keys.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 100_000}}
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "alongside.lib.channel_layer.InProcessChannelLayer"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "alongside",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": TESTING,
        # The SQLite queue is polled (Redis blocks until a task comes). Huey's idle back-off would stretch to 10 s
        # between polls, so a concern raised after a quiet hour could wait that long for its alert; half a second at
        # most costs two small SQLite reads a second per worker.
        "consumer": {
            "workers": envint("ALONGSIDE_WORKERS", 2, minimum=1),
            "worker_type": "thread",
            "initial_delay": 0.05,
            "backoff": 1.15,
            "max_delay": 0.5,
        },
    }

# The data directory and the SQLite files in it are private to the service's user (0700, 0600), made so
# before SQLite creates them (its -wal and -shm files take the database file's mode). pytest's own process
# uses none of them; a deployment on PostgreSQL and Redis may have no data directory at all.
if "pytest" not in sys.modules:
    _sqlite_files = [Path(str(HUEY["filename"]))] if "filename" in HUEY else []
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        _sqlite_files.append(Path(str(DATABASES["default"]["NAME"])))
    files.private_sqlite(_sqlite_files)
    if DATA_DIR.exists():
        files.private_directory(DATA_DIR)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email sign-in, verified email, rate limits on (the defaults), MFA with encrypted secrets.
ACCOUNT_ADAPTER = "alongside.accounts.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_USER_DISPLAY = "alongside.accounts.adapters.user_display"
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Our labels in sentence case and Australian English (the page templates are ours too: templates/account/).
_AUTH_FORMS = "alongside.accounts.auth_forms"
ACCOUNT_FORMS = {
    "login": f"{_AUTH_FORMS}.LoginForm",
    "signup": f"{_AUTH_FORMS}.SignupForm",
    "reset_password": f"{_AUTH_FORMS}.ResetPasswordForm",
    "reset_password_from_key": f"{_AUTH_FORMS}.ResetPasswordKeyForm",
    "change_password": f"{_AUTH_FORMS}.ChangePasswordForm",
    "set_password": f"{_AUTH_FORMS}.SetPasswordForm",
    "add_email": f"{_AUTH_FORMS}.AddEmailForm",
    "reauthenticate": f"{_AUTH_FORMS}.ReauthenticateForm",
}
MFA_FORMS = {
    "authenticate": f"{_AUTH_FORMS}.AuthenticateForm",
    "reauthenticate": f"{_AUTH_FORMS}.MFAReauthenticateForm",
    "activate_totp": f"{_AUTH_FORMS}.ActivateTOTPForm",
}
MFA_ADAPTER = "alongside.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Also accept the code of the 30 s step before or after (RFC 6238's one step of delay): a code typed as it
# changes still works. A code is still refused a second time.
MFA_TOTP_TOLERANCE = 1
MFA_TOTP_ISSUER = envstr("ALONGSIDE_SERVICE_NAME", "Alongside")

# Ongoing connections reach a review point after this many sessions or days, whichever comes first.
ALONGSIDE_REVIEW_AFTER_SESSIONS = envint("ALONGSIDE_REVIEW_AFTER_SESSIONS", 6, minimum=1)
ALONGSIDE_REVIEW_AFTER_DAYS = envint("ALONGSIDE_REVIEW_AFTER_DAYS", 91, minimum=1)

# In-browser voice calls (docs/voice.md): STUN, TURN with time-limited credentials (coturn's use-auth-secret),
# and relay-only, which sends all media through TURN so neither side learns the other's IP address.
ALONGSIDE_STUN_URLS = envlist("ALONGSIDE_STUN_URLS")
ALONGSIDE_TURN_URLS = envlist("ALONGSIDE_TURN_URLS")
ALONGSIDE_TURN_SECRET = envsecret("ALONGSIDE_TURN_SECRET")
ALONGSIDE_TURN_TTL = envint("ALONGSIDE_TURN_TTL", 3600, minimum=60)
ALONGSIDE_RELAY_ONLY = envbool("ALONGSIDE_RELAY_ONLY")
for _url in ALONGSIDE_STUN_URLS:
    if not _url.startswith(("stun:", "stuns:")):
        raise EnvError(f"ALONGSIDE_STUN_URLS: {_url!r} must start with stun: or stuns:")
for _url in ALONGSIDE_TURN_URLS:
    if not _url.startswith(("turn:", "turns:")):
        raise EnvError(f"ALONGSIDE_TURN_URLS: {_url!r} must start with turn: or turns:")
if ALONGSIDE_TURN_URLS and not ALONGSIDE_TURN_SECRET:
    raise EnvError(
        "ALONGSIDE_TURN_URLS needs ALONGSIDE_TURN_SECRET (or ALONGSIDE_TURN_SECRET_FILE), coturn's static-auth-secret"
    )
if ALONGSIDE_RELAY_ONLY and not ALONGSIDE_TURN_URLS:
    raise EnvError("ALONGSIDE_RELAY_ONLY needs ALONGSIDE_TURN_URLS: without a TURN server no call could connect")

# Group video (docs/groups.md): every group's room is on a Jitsi Meet server. With an app id and secret (the
# server's JWT authentication, "token" auth in Prosody), each member gets a short-lived signed token naming the room
# and whether they moderate it; without them the room's unguessable name is the only key.
ALONGSIDE_JITSI_URL = envstr("ALONGSIDE_JITSI_URL", "https://meet.jit.si").rstrip("/")
ALONGSIDE_JITSI_APP_ID = envstr("ALONGSIDE_JITSI_APP_ID")
ALONGSIDE_JITSI_SECRET = envsecret("ALONGSIDE_JITSI_SECRET")
if not ALONGSIDE_JITSI_URL.startswith(("https://", "http://")):
    raise EnvError("ALONGSIDE_JITSI_URL must be the Jitsi Meet server's address, such as https://meet.example.org")
if bool(ALONGSIDE_JITSI_APP_ID) != bool(ALONGSIDE_JITSI_SECRET):
    raise EnvError("ALONGSIDE_JITSI_APP_ID and ALONGSIDE_JITSI_SECRET (or _FILE) go together: set both or neither")

# The phone line (alongside/phoneline, docs/phoneline.md): Twilio's account, the service's own number (E.164) and the
# public https address Twilio reaches the webhooks at. Without all four the phone line and call-backs are off and
# the console says what to set; everything else works. TWILIO_API_URL is for a stand-in of Twilio's REST API.
TWILIO_ACCOUNT_SID = envstr("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = envsecret("TWILIO_AUTH_TOKEN")
TWILIO_NUMBER = envstr("TWILIO_NUMBER")
TWILIO_WEBHOOK_BASE_URL = envstr("TWILIO_WEBHOOK_BASE_URL").rstrip("/")
TWILIO_API_URL = envstr("TWILIO_API_URL", "https://api.twilio.com").rstrip("/")
if TWILIO_NUMBER and not re.fullmatch(r"\+[1-9]\d{6,14}", TWILIO_NUMBER):
    raise EnvError(
        f"TWILIO_NUMBER must be the service's number in E.164 form, such as +61390000000, not {TWILIO_NUMBER!r}"
    )
if TWILIO_ACCOUNT_SID and not re.fullmatch(r"AC[0-9a-fA-F]{32}", TWILIO_ACCOUNT_SID):
    raise EnvError("TWILIO_ACCOUNT_SID must be the account's SID: AC followed by 32 hexadecimal digits")
for _name, _url in (("TWILIO_WEBHOOK_BASE_URL", TWILIO_WEBHOOK_BASE_URL), ("TWILIO_API_URL", TWILIO_API_URL)):
    if _url and not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", _url):
        raise EnvError(f"{_name} must be an http(s) address such as https://support.example.org, not {_url!r}")

ALONGSIDE_STAFF_IDLE_SECONDS = envint("ALONGSIDE_STAFF_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_COOKIE_AGE = envint("ALONGSIDE_SESSION_SECONDS", 14 * 24 * 3600, minimum=300)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True

LANGUAGE_CODE = "en-au"
TIME_ZONE = envstr("ALONGSIDE_TIME_ZONE", "Australia/Melbourne")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static" if PRODUCTION else None  # development serves from the finders
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
SERVESTATIC_USE_FINDERS = not PRODUCTION

# Email: console in development, SMTP when EMAIL_HOST is set. Sent from the task queue.
EMAIL_HOST = envstr("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Alongside <no-reply@alongside.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Web Push to people's devices (docs/push.md). The VAPID key pair identifies this service to the browsers' push
# services. Development makes one in the data directory (tests one in memory); production without keys has push
# off, and the page where people opt in says so.
VAPID_PRIVATE_KEY = envsecret("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = envstr("VAPID_PUBLIC_KEY")
if not VAPID_PRIVATE_KEY and not PRODUCTION:
    VAPID_PUBLIC_KEY = ""  # derived from the generated key below
    VAPID_PRIVATE_KEY = (
        vapid.private_pem(vapid.generate())
        if TESTING
        else _dev_secret("vapid_private_key.pem", lambda: vapid.private_pem(vapid.generate()))
    )
try:
    VAPID_KEYS = vapid.load(VAPID_PRIVATE_KEY, VAPID_PUBLIC_KEY) if VAPID_PRIVATE_KEY else None
except vapid.VapidKeyError as exc:
    raise EnvError(str(exc)) from None
if VAPID_PUBLIC_KEY and not VAPID_PRIVATE_KEY:
    raise EnvError("VAPID_PUBLIC_KEY is set without VAPID_PRIVATE_KEY (or VAPID_PRIVATE_KEY_FILE)")
_default_subject = "" if PRODUCTION else "mailto:" + (DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">") or "")
VAPID_SUBJECT = envstr("VAPID_SUBJECT", _default_subject)
if VAPID_KEYS is not None and not (
    (VAPID_SUBJECT.startswith("mailto:") and "@" in VAPID_SUBJECT) or VAPID_SUBJECT.startswith("https://")
):
    raise EnvError("VAPID_SUBJECT must be a mailto: address or an https:// URL where the push services can reach you")
ALONGSIDE_PUSH_ENABLED = VAPID_KEYS is not None
# Seconds to wait for a push service to answer (connecting gets at most 5 of them); a slow one never holds up
# another device's alert, each has its own task.
ALONGSIDE_PUSH_TIMEOUT = envint("ALONGSIDE_PUSH_TIMEOUT", 10, minimum=1)
# The push services devices may subscribe through (a host or a parent domain each): the service sends requests to
# these addresses, so an address a person posts can never point it elsewhere. "*" allows any https host.
ALONGSIDE_PUSH_SERVICES = envlist(
    "ALONGSIDE_PUSH_SERVICES",
    [
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "push.apple.com",
        "notify.windows.com",
    ],
)

# Security headers. The CSP allows no inline script or style.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "alongside.service.views.csrf_failure"  # the 403 page, the refusal audited
# Browser features the service does not use are off; the microphone is the site's own (voice calls).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": ["self"],
    "payment": [],
    "usb": [],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "media-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("ALONGSIDE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("ALONGSIDE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if envbool("ALONGSIDE_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The Django admin: superusers only, through allauth's sign-in with MFA; off in production unless asked for.
ALONGSIDE_ADMIN_ENABLED = envbool("ALONGSIDE_ADMIN", default=not PRODUCTION)

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# URLs that are their own credential (calendar feed, reset and confirmation keys) are logged as their route,
# and query strings without their values, by every logger in this process (uvicorn's access log included).
redact.install()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refused_request": {"()": "alongside.service.logs.RefusedRequestFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("ALONGSIDE_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger would print the path of 404s; the default is fine, but never request bodies.
        "django.security.DisallowedHost": {"level": "ERROR"},
        # A form posted with thousands of fields (or too big a body) gets the 400 page and one line, no traceback.
        **{name: {"filters": ["refused_request"]} for name in REFUSED_REQUEST_LOGGERS},
        # urllib3 names each request's path at DEBUG (and on a retry): a push endpoint's path identifies a device.
        "urllib3.connectionpool": {"level": "ERROR"},
    },
}

if TESTING:
    # Tests create many accounts; a fast hasher keeps the suite quick. Never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
