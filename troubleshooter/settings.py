"""Settings for the troubleshooter site, read from the environment.

Every knob an operator may turn is an environment variable; `.env.example`
lists them. Debug is off unless DJANGO_DEBUG says otherwise, and a site with
debug off refuses to start without a secret key of its own.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=true for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# How many proxies in front of the site add to X-Forwarded-For (0: trust none, use the socket's address).
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))
# Days each troubleshooter answer (step outcome, resolution) is kept; prune_questionnaire_events deletes older ones.
FEEDBACK_RETENTION_DAYS = int(os.environ.get("DJANGO_FEEDBACK_RETENTION_DAYS", "400"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.forms",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "reversion",
    "reversion_compare",
    "nested_admin",
    "axes",
    "guides",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and auth middleware, so it sees every cookie they set.
    "guides.web.http_caching.private_when_personal",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "troubleshooter.urls"
WSGI_APPLICATION = "troubleshooter.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.csp",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Widgets render with the project's templates too (the admin's Markdown preview widget).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Readers never wait for the writer (WAL), a write waits its turn instead of failing
    # (IMMEDIATE, timeout), and commits skip a disk flush that WAL makes unnecessary.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that drops packets instead of refusing them would hold a worker for the
    # operating system's connect timeout (minutes); give up quickly and show the outage page instead.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Two caches with different promises. "default" holds copies that can be made again (rendered pages and
# screens, their gzip, search-index parts): it is bounded and drops entries to make room. "state" holds
# what must never be dropped to make room for a copy: the content version, the rate-limit counters and
# each guide's troubleshooter snapshot. On one machine: files for the copies (at most MAX_ENTRIES, each
# a page with its gzip at most, 37 KB for the TikTok article: under 100 MB) and the database for the
# state. With REDIS_URL the copies go to that Redis (run it with maxmemory and allkeys-lru); with
# REDIS_STATE_URL the state goes to a Redis of its own (run it with noeviction: Redis evicts per
# instance, so another database number of the page Redis would be evicted with the pages). Without
# REDIS_STATE_URL the state stays in the database, which every machine shares. A Redis outage must not
# take the site down: its calls miss, fail fast (troubleshooter/redis_outage.py) and are logged once a
# minute per process; /healthz says "cache": "down".
STATE_CACHE_TABLE = "guides_state_cache"  # created by migration guides/0010
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Rows past MAX_ENTRIES are culled, expired ones first: only 100,000 addresses answering within
    # 10 minutes could reach a counter that is still running.
    "state": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": STATE_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
for alias, variable in (("default", "REDIS_URL"), ("state", "REDIS_STATE_URL")):
    if os.environ.get(variable):
        CACHES[alias] = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ[variable],
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "CONNECTION_POOL_CLASS": "troubleshooter.redis_outage.QuickFailPool",
            },
        }
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its username and address are locked out, before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign-in throttling: five wrong passwords for one username from one address lock that pair
# out for 15 minutes. Pairing the two means a guesser cannot lock a real editor out from elsewhere.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DJANGO_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "locked_out.html"
# The same client address as the feedback rate limit: the socket's, or what trusted proxies saw.
AXES_CLIENT_IP_CALLABLE = "guides.web.client_address.client_address"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 5 asks for at least 12 characters; staff passwords guard every word on the site.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "DJANGO_STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The strict policy every page is sent with: nothing inline, nothing foreign. The nonce
# appears only on pages whose templates ask for one (Django's admin); ours never do.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Browser features no page here uses, denied to the site and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

CSRF_FAILURE_VIEW = "guides.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    # Behind a TLS-terminating proxy; turn off with DJANGO_SECURE_SSL_REDIRECT=false.
    SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers often check over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # A cache outage is one line a minute per process, not a traceback per request.
    "filters": {"once_a_minute": {"()": "troubleshooter.redis_outage.OncePerMinute"}},
    "loggers": {
        name: {"filters": ["once_a_minute"]}
        for name in ("django_redis.cache", "guides.content_cache", "guides.feedback.rate_limit")
    },
}

# Error reporting: with SENTRY_DSN set, unhandled errors (and logged errors) go to Sentry, without
# visitors' addresses or cookies. Without it, errors are logged to stderr as before.
if os.environ.get("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
