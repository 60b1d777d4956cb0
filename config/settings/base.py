"""Every setting, driven by the environment.

With no environment at all the app runs as an embedded demo: SQLite in the project folder,
DEBUG on, Celery tasks executed in-process. DATABASE_URL and CELERY_BROKER_URL switch to
PostgreSQL and a real broker.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from .envtools import env_bool, env_networks, redis_sibling

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# Fail loudly on malformed values rather than silently falling back. DEBUG is on by default only in the embedded
# demo: with real services (DATABASE_URL and CELERY_BROKER_URL, the Procfile's process set) it is off unless
# DEBUG=true is set explicitly, so no debug page ever lists the URL patterns or a traceback there.
REAL_SERVICES = bool(env.str("DATABASE_URL", default="") and env.str("CELERY_BROKER_URL", default=""))
DEBUG = env_bool("DEBUG", default=not REAL_SERVICES)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-only-for-local-demo-use")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off (comma-separated).")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_prometheus",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "apps.core",
    "apps.accounts",
    "apps.assessments",
    "apps.comments",
    "apps.ach",
    "apps.key_assumptions",
    "apps.indicators",
    "apps.quality",
    "apps.api",
    "apps.reviews",
]

MIDDLEWARE = [
    # First and (but for axes) last, so request latency counts every other middleware.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.core.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "apps.core.middleware.PrivateNoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.accounts.middleware.HtmxLoginRedirectMiddleware",
    "apps.accounts.middleware.CurrentTeamMiddleware",
    # A signed-in user whose team requires a second factor and who has none: its set-up page first.
    "apps.accounts.middleware.SecondFactorMiddleware",
    # Puts the request user on every history record written during the request.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "apps.accounts.context_processors.teams",
                "apps.assessments.context_processors.notifications",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections, one per gunicorn thread or Celery process, checked before reuse so a
# restarted PostgreSQL costs one failed ping instead of a failed request; bounded by the thread pools.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several web and task threads write to the embedded database; wait instead of failing. The busy
    # timeout alone is not enough: a transaction that began by reading cannot wait to upgrade to writing
    # (SQLite answers "database is locked" at once), so each one takes the write lock when it begins.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# DATABASE_POOLER=pgbouncer: DATABASE_URL names a PgBouncer in transaction mode, which hands each transaction
# whichever server connection is free. So nothing may outlive a transaction on the server: no server-side
# cursors (QuerySet.iterator() holds one open across fetches) and no prepared statements (psycopg prepares
# a query run five times on a connection, which the next transaction may not have).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise ImproperlyConfigured(f"DATABASE_POOLER={DATABASE_POOLER!r}: leave it empty, or pgbouncer (transaction mode).")
if DATABASE_POOLER == "pgbouncer":
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL (the PgBouncer's).")
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Only our own scripts and styles (static/, served by WhiteNoise). No inline <script> or <style>, no event
# handler attributes; style="" attributes stay allowed for the server-drawn charts' colours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute force: after AXES_FAILURE_LIMIT failures an account is locked from every address, and an address
# for every account (the login page and the admin's). A site admin unlocks in the admin (Access attempts)
# or with `manage.py axes_reset`; the lock also lifts by itself after the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_RESET_ON_SUCCESS = True
# A success resets only that username's failures (never the address's: see apps.accounts.lockout).
AXES_HANDLER = "apps.accounts.lockout.UsernameResetHandler"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("BEHIND_PROXY", default=False) else ["REMOTE_ADDR"]
)

# Request bodies: uploads (JSON, CSV, XLSX) are at most 10 MB (the views say so), so no request is read past
# MAX_REQUEST_BYTES; form fields alone stay under DATA_UPLOAD_MAX_MEMORY_SIZE (the evidence import's signed
# preview travels in a field, hence more than Django's 2.5 MB); files over 2.5 MB spool to a temporary file.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=11 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "apps.core.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Second factor (django-otp): TOTP apps show this name; a wrong code counts as a failed login for axes.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="SAT Workbench")
# axes alone limits guessing (AXES_FAILURE_LIMIT for passwords and codes together); django-otp's own growing
# delay would refuse the right code a second after a typo, with no way to tell the user why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# A signed-in session rechecks its team's second-factor requirement this often (seconds).
SECOND_FACTOR_RECHECK_SECONDS = env.int("SECOND_FACTOR_RECHECK_SECONDS", default=300)

# OpenID Connect single sign-on (mozilla-django-oidc; apps/accounts/oidc.py): on when OIDC_RP_CLIENT_ID is set.
# The provider's redirect URI for this site is SITE_URL + /accounts/oidc/callback/.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email"
OIDC_USE_PKCE = True
# Accounts belong to teams: by default the provider's e-mail must match an existing account.
OIDC_CREATE_USER = env_bool("OIDC_CREATE_USER", default=False)
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_AUTHENTICATE_CLASS = "apps.accounts.oidc.RequestView"
OIDC_CALLBACK_CLASS = "apps.accounts.oidc.CallbackView"
if OIDC_RP_CLIENT_ID:
    _oidc_missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set: set {', '.join(_oidc_missing)} too.")
    AUTHENTICATION_BACKENDS.append("apps.accounts.oidc.OIDCBackend")

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "assessments:list"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# The default cache holds the API's rate-limit counters, which every web process must share: with a Redis
# broker it defaults to the broker's server on the next database number; local memory (one process) otherwise.
# gunicorn refuses several workers on a local-memory cache (config/gunicorn.conf.py).
_broker = env.str("CELERY_BROKER_URL", default="")
CACHES = {
    "default": env.cache_url(
        "CACHE_URL",
        default=redis_sibling(_broker) if _broker.startswith(("redis://", "rediss://")) else "locmemcache://",
    )
}

# REST API (/api/v1/): tokens from the profile page, the page rules, and these limits.
API_THROTTLE_RATES = {
    "api": env.str("API_RATE", default="600/min"),
    "api_write": env.str("API_WRITE_RATE", default="120/min"),
}
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=2 * 1024 * 1024)
API_MAX_BATCH = env.int("API_MAX_BATCH", default=500)
API_MAX_TEXT = env.int("API_MAX_TEXT", default=5000)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "apps.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "apps.api.limits.TokenRateThrottle",
        "apps.api.limits.TokenWriteRateThrottle",
    ],
    "DEFAULT_PARSER_CLASSES": ["apps.api.limits.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "apps.api.limits.Pages",
    "EXCEPTION_HANDLER": "apps.api.access.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SAT Workbench API",
    "DESCRIPTION": "Evidence feeds and score readers. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its Swagger UI are for members: signed in (a session or a token), never anonymous.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No call to the public swagger.io validator: nothing leaves the workbench.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.api.schema.request_bodies_exact",
        "apps.api.schema.errors_documented",
    ],
    # A PATCH body is documented with its required fields (the version), not as all-optional.
    "COMPONENT_SPLIT_PATCH": False,
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "apps.assessments.models.Level",
        "AssessmentStatusEnum": "apps.assessments.models.Assessment.Status",
        "AssumptionStatusEnum": "apps.key_assumptions.models.Assumption.Status",
        "IndicatorStatusEnum": "apps.indicators.models.Status",
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="sat-workbench@localhost")
# Links in e-mails point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Celery: with no broker the embedded default runs every task in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Upload-page loads of at least this many items (hypotheses, evidence, ratings, …) run as a task.
UPLOAD_TASK_THRESHOLD = env.int("UPLOAD_TASK_THRESHOLD", default=1000)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# One queue per deployment (or per test run) sharing a broker: a worker's own sends go there too.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker logs through LOGGING above (the request id, LOG_FORMAT=json), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A save must never hang on a dead broker: the sweep picks up what could not be enqueued.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# Beat's schedule state lives with the project's other data, never in a path shared between checkouts.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# One beat sends, however many run (apps/core/beat.py): a lock in Redis, renewed while its holder lives.
CELERY_BEAT_SCHEDULER = "apps.core.beat:LockedScheduler"
BEAT_LOCK_SECONDS = env.float("BEAT_LOCK_SECONDS", default=30.0)
RESCORE_COALESCE_SECONDS = env.float("RESCORE_COALESCE_SECONDS", default=0.2)
# A claim older than this is taken to belong to a worker that died before scoring: the next save takes it over.
RESCORE_CLAIM_LEASE_SECONDS = env.float("RESCORE_CLAIM_LEASE_SECONDS", default=30.0)
# ACH's linchpin and disagreement alerts reach each member at most once per this many minutes per assessment, as
# one digest; leader changes and every other alert are told at once. 0: every snapshot's alerts at once.
NOTIFICATION_DIGEST_MINUTES = env.float("NOTIFICATION_DIGEST_MINUTES", default=15.0)
if NOTIFICATION_DIGEST_MINUTES < 0:
    raise ImproperlyConfigured("NOTIFICATION_DIGEST_MINUTES must be 0 (no digests) or a number of minutes.")
CELERY_BEAT_SCHEDULE = {
    "rescore-stale-assessments": {
        "task": "apps.assessments.tasks.sweep_stale_assessments",
        "schedule": env.float("RESCORE_SWEEP_SECONDS", default=60.0),
    },
    # A digest goes out within a minute of falling due.
    "send-due-digests": {"task": "apps.assessments.tasks.send_due_digests", "schedule": 60.0},
}

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and probes check health over plain HTTP on the private side of the TLS terminator.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", default=False) else None

# /metrics (Prometheus): from these addresses, or with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_ALLOWED_NETWORKS = env_networks("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# LOG_FORMAT=json: one JSON object per line, with the request id (also in a request's Celery tasks).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.requestid.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}},
}
