"""Settings for the troubleshooter site, read from the environment.

Every knob an operator may turn is an environment variable, declared and checked
in `Environment` below; `.env.example` lists them. Debug is off unless
DJANGO_DEBUG says otherwise, and a site with debug off refuses to start without
a long secret key of its own.
"""

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent

# Django's own deploy check (security.W009) asks for this much of a secret key; below it, signed
# cookies and the feedback form tokens can be forged by guessing the key.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5


def comma_list(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Environment(BaseSettings):
    """Every environment variable the site reads, each checked before anything starts.

    A wrong value (a typo in a number, a URL without its scheme, "ture") stops the site at start-up
    with the variable's name, instead of surfacing later as a 500, a site that ignores the setting,
    or a prune that fails at night. Unset or empty variables take their defaults.
    """

    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore")

    DJANGO_DEBUG: bool = Field(False, description="debug pages; never on a public site")
    DJANGO_SECRET_KEY: str = Field("", description="signs sessions, cookies and form tokens")
    DJANGO_ALLOWED_HOSTS: Annotated[list[str] | None, NoDecode] = Field(None, description="comma-separated host names")
    DJANGO_SITE_URL: str = Field(
        "", description="the address visitors use, scheme and host, e.g. https://help.example.com"
    )
    DJANGO_CSRF_TRUSTED_ORIGINS: Annotated[list[str], NoDecode] = Field(
        [], description="comma-separated origins, each https:// (or http://) and a host"
    )
    DJANGO_TRUSTED_PROXIES: int = Field(
        0, ge=0, description="how many proxies in front of the site add to X-Forwarded-For"
    )
    # At least the feedback report's longest window (guides/feedback/reports.py), so it never loses answers it shows.
    DJANGO_FEEDBACK_RETENTION_DAYS: int = Field(
        400, ge=90, description="days answers and votes are kept; the feedback report shows up to the last 90"
    )
    DATABASE_URL: str = Field(f"sqlite:///{BASE_DIR / 'db.sqlite3'}", description="a URL dj-database-url understands")
    DJANGO_CONN_MAX_AGE: int = Field(60, ge=0, description="seconds a database connection is reused")
    DJANGO_DB_CONNECT_TIMEOUT: int = Field(3, ge=1, description="seconds to wait for PostgreSQL to accept a connection")
    REDIS_URL: str | None = Field(None, description="redis://, rediss:// or unix:// URL of the shared page cache")
    REDIS_STATE_URL: str | None = Field(
        None, description="URL of a Redis (noeviction) for rate limits and the content version; unset: the database"
    )
    DJANGO_CACHE_DIR: Path = Field(BASE_DIR / ".cache", description="folder of the file cache")
    DJANGO_SECURE_SSL_REDIRECT: bool = Field(True, description="redirect plain HTTP to HTTPS when debug is off")
    DJANGO_HSTS_SECONDS: int = Field(60 * 60 * 24 * 365, ge=0, description="Strict-Transport-Security max-age")
    DJANGO_LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = Field(
        "INFO", description="root log level"
    )
    DJANGO_STATIC_ROOT: Path = Field(BASE_DIR / "staticfiles", description="where collectstatic puts files")
    DJANGO_STATICFILES_BACKEND: str = Field(
        "whitenoise.storage.CompressedManifestStaticFilesStorage", description="static files storage class"
    )
    DJANGO_LOGIN_FAILURE_LIMIT: int = Field(
        5, ge=1, description="wrong passwords for one username from one address before a lockout"
    )
    DJANGO_LOGIN_LOCKOUT_MINUTES: int = Field(15, ge=1, description="minutes a sign-in lockout lasts")
    DJANGO_LOGIN_USERNAME_FAILURE_LIMIT: int = Field(
        20, ge=1, description="wrong passwords for one username from all addresses within an hour before a pause"
    )
    SENTRY_DSN: str | None = Field(None, description="the Sentry project's DSN")
    SENTRY_ENVIRONMENT: str = Field("production", description="Sentry's environment name")
    SENTRY_TRACES_SAMPLE_RATE: float = Field(0.0, ge=0, le=1, description="share of requests traced, 0 to 1")

    _split_lists = field_validator("DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS", mode="before")(comma_list)

    @field_validator("DJANGO_SECRET_KEY")
    @classmethod
    def _long_enough_unless_debugging(cls, key: str, info: ValidationInfo) -> str:
        if info.data.get("DJANGO_DEBUG", True):
            return key
        make_one = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        if not key:
            raise ValueError(
                f"DJANGO_SECRET_KEY is not set. Set it to a long random string (for example: {make_one}), "
                "or set DJANGO_DEBUG=true for local development."
            )
        if len(key) < SECRET_KEY_MIN_LENGTH or len(set(key)) < SECRET_KEY_MIN_DISTINCT:
            raise ValueError(
                f"DJANGO_SECRET_KEY is too weak: use at least {SECRET_KEY_MIN_LENGTH} characters, "
                f"{SECRET_KEY_MIN_DISTINCT} or more of them different (for example: {make_one})."
            )
        return key

    @field_validator("DJANGO_CSRF_TRUSTED_ORIGINS")
    @classmethod
    def _origins_have_scheme_and_host(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path.strip("/"):
                raise ValueError(f"{origin!r} is not an origin such as https://help.example.com")
        return origins

    @field_validator("DJANGO_SITE_URL")
    @classmethod
    def _site_url_is_scheme_and_host(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        parts = urlsplit(url)
        if url and (parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query):
            raise ValueError("not an address such as https://help.example.com (scheme and host, no path)")
        return url

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_parses(cls, url: str) -> str:
        try:
            dj_database_url.parse(url)
        except ValueError as error:
            raise ValueError(f"not a database URL dj-database-url understands ({type(error).__name__})") from None
        return url

    @field_validator("REDIS_URL", "REDIS_STATE_URL")
    @classmethod
    def _redis_url_parses(cls, url: str | None) -> str | None:
        from redis.connection import parse_url

        if url is not None:
            try:
                parse_url(url)
            except ValueError as error:
                raise ValueError(f"not a Redis URL: {error}") from None
        return url

    @field_validator("SENTRY_DSN")
    @classmethod
    def _sentry_dsn_parses(cls, dsn: str | None) -> str | None:
        from sentry_sdk.utils import BadDsn, Dsn

        if dsn is not None:
            try:
                Dsn(dsn)
            except BadDsn as error:
                raise ValueError(f"not a Sentry DSN: {error}") from None
        return dsn

    @field_validator("DJANGO_LOG_LEVEL", mode="before")
    @classmethod
    def _upper_case(cls, level: object) -> object:
        return level.strip().upper() if isinstance(level, str) else level


# Values that may hold a password or key: never repeated in an error message.
SECRET_VARIABLES = {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SENTRY_DSN"}


def read_environment() -> Environment:
    """The checked environment, or ImproperlyConfigured naming every variable that is wrong and why."""
    try:
        return Environment()
    except ValidationError as errors:
        lines = []
        for error in errors.errors():
            name = str(error["loc"][0])
            reason = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
            shown = "" if name in SECRET_VARIABLES else f" (got {error['input']!r})"
            description = Environment.model_fields[name].description
            lines.append(f"{name} ({description}): {reason}{shown}")
        raise ImproperlyConfigured(
            "\n".join(["The environment has settings the site cannot run with:", *lines])
        ) from None


ENV = read_environment()

DEBUG = ENV.DJANGO_DEBUG
SECRET_KEY = ENV.DJANGO_SECRET_KEY or "insecure-development-key-only-used-with-debug-on"
ALLOWED_HOSTS = (
    ENV.DJANGO_ALLOWED_HOSTS if ENV.DJANGO_ALLOWED_HOSTS is not None else (["127.0.0.1", "localhost"] if DEBUG else [])
)


def site_url(env: Environment, allowed_hosts: list[str]) -> str:
    """The site's own address for canonical links, the sitemap and structured data.

    Never the request's Host header, which anyone reaching gunicorn directly can set. Unset: `make run`'s
    address with debug on, else the first plain host name in ALLOWED_HOSTS over https.
    """
    if env.DJANGO_SITE_URL:
        return env.DJANGO_SITE_URL
    if env.DJANGO_DEBUG:
        return "http://127.0.0.1:8000"
    named_hosts = [host for host in allowed_hosts if not host.startswith(".") and "*" not in host]
    if named_hosts:
        return f"https://{named_hosts[0]}"
    raise ImproperlyConfigured(
        "DJANGO_SITE_URL is not set and DJANGO_ALLOWED_HOSTS names no plain host: set DJANGO_SITE_URL to the "
        "address visitors use, such as https://help.example.com, or list that host first in DJANGO_ALLOWED_HOSTS."
    )


SITE_URL = site_url(ENV, ALLOWED_HOSTS)
CSRF_TRUSTED_ORIGINS = ENV.DJANGO_CSRF_TRUSTED_ORIGINS
# How many proxies in front of the site add to X-Forwarded-For (0: trust none, use the socket's address).
TRUSTED_PROXY_COUNT = ENV.DJANGO_TRUSTED_PROXIES
# Days each troubleshooter answer (step outcome, resolution) is kept; prune_questionnaire_events deletes older ones.
FEEDBACK_RETENTION_DAYS = ENV.DJANGO_FEEDBACK_RETENTION_DAYS

INSTALLED_APPS = [
    "django.contrib.admin",
    # Before django.contrib.auth, so its createsuperuser (password rules without a bypass) is the one run.
    "guides",
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session, CSRF and auth middleware, so it sees every cookie they set.
    "guides.web.http_caching.private_when_personal",
    # A view that cannot reach the database answers the outage page (503), not the 500 page.
    "guides.web.outage.DatabaseOutageMiddleware",
    # Before anything reads the session or the database: PostgreSQL refuses text with a NUL in it.
    "guides.web.nul_bytes.refuse_nul_bytes",
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
    "default": dj_database_url.parse(ENV.DATABASE_URL, conn_max_age=ENV.DJANGO_CONN_MAX_AGE, conn_health_checks=True)
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
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = ENV.DJANGO_DB_CONNECT_TIMEOUT
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
STATE_CACHE_TABLE = "guides_state_cache"  # created by migration guides/0011
CACHES = {
    "default": {
        # Django's file cache, dropping (and logging) what a full disk has no room for.
        "BACKEND": "guides.web.disk_cache.DiskCache",
        "LOCATION": str(ENV.DJANGO_CACHE_DIR),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    # Rows past MAX_ENTRIES are culled, expired ones first: only 100,000 addresses answering within
    # 10 minutes could reach a counter that is still running.
    "state": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": STATE_CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 100_000},
        # The database cache's incr writes the key again with this default timeout: it is the rate
        # limit's window (guides/feedback/rate_limit.py), so a counter lasts to the end of its window.
        "TIMEOUT": 10 * 60,
    },
}
for alias, url in (("default", ENV.REDIS_URL), ("state", ENV.REDIS_STATE_URL)):
    if url:
        CACHES[alias] = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
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
    # Refuses it while its username is paused everywhere except at addresses it signed in from before.
    "guides.sign_in.username_lockout.UsernameLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign-in throttling: five wrong passwords for one username from one address lock that pair
# out for 15 minutes, counted from the fifth (tries while locked out are neither checked nor counted).
# Twenty wrong passwords for one username within an hour, from any addresses, pause it for the same
# 15 minutes everywhere except where it signed in successfully before (guides/sign_in/username_lockout.py).
AXES_FAILURE_LIMIT = ENV.DJANGO_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=ENV.DJANGO_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# One row per wrong password checked: what the username-wide limit counts (pruned after 90 days).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
SIGN_IN_USERNAME_FAILURE_LIMIT = ENV.DJANGO_LOGIN_USERNAME_FAILURE_LIMIT
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
    # Repeats, keyboard walks, sequences and the site's name, which pass the rules above.
    {"NAME": "guides.sign_in.password_strength.GuessablePasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ENV.DJANGO_STATIC_ROOT
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": ENV.DJANGO_STATICFILES_BACKEND},
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
    SECURE_SSL_REDIRECT = ENV.DJANGO_SECURE_SSL_REDIRECT
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers often check over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = ENV.DJANGO_HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": ENV.DJANGO_LOG_LEVEL},
    # A cache outage is one line a minute per process, not a traceback per request.
    "filters": {"once_a_minute": {"()": "troubleshooter.redis_outage.OncePerMinute"}},
    "loggers": {
        name: {"filters": ["once_a_minute"]}
        for name in ("django_redis.cache", "guides.content_cache", "guides.feedback.rate_limit")
    },
}

# Error reporting: with SENTRY_DSN set, unhandled errors (and logged errors) go to Sentry, without
# visitors' addresses or cookies. Without it, errors are logged to stderr only.
if ENV.SENTRY_DSN:
    import sentry_sdk

    sentry_sdk.init(
        dsn=ENV.SENTRY_DSN,
        environment=ENV.SENTRY_ENVIRONMENT,
        send_default_pii=False,
        traces_sample_rate=ENV.SENTRY_TRACES_SAMPLE_RATE,
    )
