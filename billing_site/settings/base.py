"""Settings shared by every environment."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import (
    check_document_locale,
    database_from_url,
    database_timeout,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_json_object,
    env_list,
    env_seconds_list,
    env_str,
    spool_name,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Which settings module is running: "local", "test" or "production".
BILLING_ENVIRONMENT = "base"

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Ours, lowest first: an app only depends on the ones above it.
    "billing_site.api",
    "audit",
    # The outbox: every app above writes its events here; it imports none of them.
    "events",
    "invoices",
    "payments",
    "bills",
    "reports",
    # Credit notes and customer credit: over invoices (and their payments' lock order).
    "credits",
    # Emails the invoices and receipts the ledger's events ask for.
    "notifications",
    # Delivers the events of the apps above to the endpoints that subscribed.
    "webhooks",
]

MIDDLEWARE = [
    # First, so they see every response, including errors raised further in: the
    # request's id, metrics and access line, then its row in the logs table.
    "billing_site.request_context.RequestContextMiddleware",
    "audit.middleware.RequestLogMiddleware",
    # django-cors-headers (CORS_* below), before the guards, so a browser can
    # read their answers (413, 503) too.
    "billing_site.api.middleware.CorsMiddleware",
    "billing_site.api.middleware.BodySizeLimitMiddleware",
    "billing_site.api.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Django's sessions, messages and session user, for the admin's pages only.
    "billing_site.admin_sessions.AdminSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "billing_site.admin_sessions.AdminAuthenticationMiddleware",
    "billing_site.admin_sessions.AdminMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "billing_site.urls"
WSGI_APPLICATION = "billing_site.wsgi.application"
ASGI_APPLICATION = "billing_site.asgi.application"
# Routes accept the path with and without a trailing slash themselves.
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# How long a database may keep a request waiting before it is answered a 503.
DATABASE_TIMEOUT_SECONDS = database_timeout()
DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "sqlite:///db.sqlite3"),
        base_dir=BASE_DIR,
        timeout=DATABASE_TIMEOUT_SECONDS,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "billing_site.api.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "billing"),
            # A stalled Redis costs a call this long at most; after a failure the
            # process skips Redis for REDIS_BREAKER_SECONDS (billing_site/api/cache.py).
            "OPTIONS": {
                "timeout_seconds": env_float("REDIS_TIMEOUT_SECONDS", 0.25),
                "breaker_seconds": env_float("REDIS_BREAKER_SECONDS", 5.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = ["billing_site.api.backends.ModelBackend"]
# How long a user's permissions may stay in the shared cache (Redis only: a
# process-local cache would not hear of changes made elsewhere); 0 turns it off.
PERMISSIONS_CACHE_SECONDS = env_int("PERMISSIONS_CACHE_SECONDS", 60 if REDIS_URL else 0)
if PERMISSIONS_CACHE_SECONDS and not REDIS_URL:
    raise ImproperlyConfigured(
        "PERMISSIONS_CACHE_SECONDS needs REDIS_URL: without a shared cache, a change made"
        " through one worker would not reach the others for that long"
    )
# How long a worker reuses what it last read from that cache without asking it
# again: a change reaches the other workers within this time; 0 asks every time.
PERMISSIONS_LOCAL_SECONDS = env_int("PERMISSIONS_LOCAL_SECONDS", 1)
# The ledger's answer to whether a user acts for particular customers, asked by
# token authentication (billing_site/api/authentication.py), which imports no app:
# the dotted path of a function of no arguments that returns a boolean query
# expression over a user row (the user is OuterRef("pk")). Each authenticated
# user is annotated with it as `acts_for_customers`, read in the same query as
# the user and cached with it; the ledger's customer scoping reads that
# annotation (invoices.models.visible_customers): False sees no customer
# without a query.
API_USER_CUSTOMERS = "invoices.ledger.user_customer_links"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Largest request body accepted, in bytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("MAX_REQUEST_BODY_BYTES", 1024 * 1024)
# Rows one request may create from a list in its body: a bill's products, an
# invoice's line items, the orders of one POST, usage records; and the service
# costs of all the orders of one POST together.
MAX_ITEMS_PER_REQUEST = env_int("MAX_ITEMS_PER_REQUEST", 1000)
MAX_SERVICE_COSTS_PER_REQUEST = env_int("MAX_SERVICE_COSTS_PER_REQUEST", 5000)

# How many proxies in front of the service append the address they saw to
# X-Forwarded-For (nginx from deploy/: 1). Without any, that header is ignored.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "billing_site.api.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["billing_site.api.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "billing_site.api.negotiation.ContentNegotiation",
    "DEFAULT_FILTER_BACKENDS": ["billing_site.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "billing_site.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "billing_site.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "billing_site.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["billing_site.api.throttles.ScopedRateThrottle"],
    # Throttles count per client address: behind proxies, X-Forwarded-For's as
    # TRUSTED_PROXIES says; without, REMOTE_ADDR (a client cannot pick its own).
    "NUM_PROXIES": TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "gateway": env_str("THROTTLE_GATEWAY", "6000/min"),
        "invoices": env_str("THROTTLE_DEFAULT", "1000/min"),
        "bills": env_str("THROTTLE_DEFAULT", "1000/min"),
        "reports": env_str("THROTTLE_REPORTS", "100/min"),
    },
    "COERCE_DECIMAL_TO_STRING": True,
    # ?format= belongs to the reports face (csv/json/pdf), not to content negotiation.
    "URL_FORMAT_OVERRIDE": None,
}

# Logins (billing_site/api/lockout.py). A successful one is never limited: a
# gateway client may log in before every call. Failed ones (a wrong password, an
# unknown or inactive user; on /login, /api/auth/token/ and the admin's login)
# are counted per username and per client address in fixed windows of
# THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS (15 minutes). The failure that makes
# THROTTLE_LOGIN_FAILURES_PER_USERNAME (5) for one username, or
# THROTTLE_LOGIN_FAILURES_PER_ADDRESS (20) from one address, in a window locks
# that username or address out for THROTTLE_LOGIN_LOCKOUT_SECONDS (15 minutes):
# until then every login for it, a correct password included, is a 429 with
# Retry-After ({"success": "false", "message": ...} on /login). With REDIS_URL
# every worker shares the counts and lock-outs; while Redis cannot be used each
# worker counts by itself.
THROTTLE_LOGIN_FAILURES_PER_USERNAME = env_int("THROTTLE_LOGIN_FAILURES_PER_USERNAME", 5)
THROTTLE_LOGIN_FAILURES_PER_ADDRESS = env_int("THROTTLE_LOGIN_FAILURES_PER_ADDRESS", 20)
THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS = env_int("THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
THROTTLE_LOGIN_LOCKOUT_SECONDS = env_int("THROTTLE_LOGIN_LOCKOUT_SECONDS", 15 * 60)
_LOGIN_LIMITS = (
    THROTTLE_LOGIN_FAILURES_PER_USERNAME,
    THROTTLE_LOGIN_FAILURES_PER_ADDRESS,
    THROTTLE_LOGIN_FAILURE_WINDOW_SECONDS,
    THROTTLE_LOGIN_LOCKOUT_SECONDS,
)
if min(_LOGIN_LIMITS) < 1:
    raise ImproperlyConfigured("The THROTTLE_LOGIN_* settings must be positive integers")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 60)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    # SIGNING_KEY is set by each environment module (never Django's default key).
    "AUTH_HEADER_TYPES": ("Bearer",),
    # simplejwt's tokens with every claim's type checked (a 401, never a 500).
    "AUTH_TOKEN_CLASSES": ("billing_site.api.tokens.AccessToken",),
    "TOKEN_OBTAIN_SERIALIZER": "billing_site.api.tokens.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "billing_site.api.tokens.TokenRefreshSerializer",
    "TOKEN_BLACKLIST_SERIALIZER": "billing_site.api.tokens.TokenBlacklistSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Billing API",
    "DESCRIPTION": (
        "One billing ledger behind five API faces: the payment gateway, invoices, "
        "the ISP invoice details, billing reports and hosted bills. Log in with "
        "`POST /login` and send `Authorization: Bearer <access_token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["billing_site.api.schema.canonical_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "billing_site.api.schema.document_id_ranges",
        "billing_site.api.schema.document_operations",
        "billing_site.api.schema.type_nullables",
        "billing_site.api.schema.name_the_server",
    ],
    # One tag a face (operations get theirs from the faces' schema_docs modules).
    "TAGS": [
        {
            "name": "gateway",
            "description": "The payment gateway (document 000): check and settle a billing "
            'record by order id and billing number. Errors: {"success": "false", "message"}.',
        },
        {
            "name": "invoices",
            "description": "Invoices, their payments and refunds, customers, credit notes, "
            "usage and webhook endpoints (document 001), under /api/v1/. Errors: DRF's own, "
            '{"detail"} or the messages of each field at fault.',
        },
        {
            "name": "isp",
            "description": "The ISP's invoice details (document 002), under /api/v1/get_*. "
            'Errors: {"status": "error", "errorCode", "message"}.',
        },
        {
            "name": "reports",
            "description": "Orders, services and billing reports (document 003), under "
            '/api/v2/; 100 requests a minute. Errors: 400 {"error", "errors"}, else {"detail"}.',
        },
        {
            "name": "bills",
            "description": "Hosted bills in collections and the providers' payment callbacks "
            '(document 004). Errors: {"message", "errors"}; a body that fails validation: 422.',
        },
        {
            "name": "auth",
            "description": "Bearer tokens: POST /login (the gateway clients' login) or the "
            'token pair of /api/auth/token/, its refresh and logout. Errors: {"detail"}.',
        },
        {
            "name": "documents",
            "description": "PDFs behind signed, expiring links (the receipt URL of the ISP "
            'face, the bills\' bill_url): no token needed. Errors: {"detail"}; 410 once expired.',
        },
    ],
}
# The server the schema names when generated offline (``manage.py spectacular``);
# served, it names the host it was asked of.
SCHEMA_SERVER_URL = env_str("SCHEMA_SERVER_URL", "http://127.0.0.1:8000")

# Largest page a client may ask for with ?page_size=.
MAX_PAGE_SIZE = env_int("MAX_PAGE_SIZE", 200)

# Generated numbers: str.format templates fed the next value of their sequence.
INVOICE_NUMBER_FORMAT = env_str("INVOICE_NUMBER_FORMAT", "INV-{:06d}")
ACCOUNT_NUMBER_FORMAT = env_str("ACCOUNT_NUMBER_FORMAT", "{:08d}")
DEFAULT_CURRENCY = env_str("DEFAULT_CURRENCY", "USD")

# The seller printed on invoices and receipts (bills print their collection's
# organisation): its address split into lines at newlines; a PNG or JPEG logo
# drawn in the documents' header (an unreadable file is left out with a warning).
BILLING_SELLER_NAME = env_str("BILLING_SELLER_NAME", "Billing Service")
BILLING_SELLER_ADDRESS = env_str("BILLING_SELLER_ADDRESS", "")
BILLING_SELLER_TAX_ID = env_str("BILLING_SELLER_TAX_ID", "")
BILLING_SELLER_LOGO = env_str("BILLING_SELLER_LOGO", "")
# Printed as the invoice's payment terms; empty: derived from the dates ("Due within 30 days").
BILLING_PAYMENT_TERMS = env_str("BILLING_PAYMENT_TERMS", "")
# How the documents write numbers and dates (a Babel locale name), and the zone of
# their times (empty: TIME_ZONE). Checked here: a wrong name stops the start, not a PDF.
BILLING_LOCALE = env_str("BILLING_LOCALE", "en_US")
BILLING_DOCUMENT_TIME_ZONE = env_str("BILLING_DOCUMENT_TIME_ZONE", "")
check_document_locale(BILLING_LOCALE, BILLING_DOCUMENT_TIME_ZONE or TIME_ZONE)
# Folders searched in order for the PDF fonts (billing_site/documents/fonts.py):
# DejaVuSans.ttf, DejaVuSans-Bold.ttf, DroidSansFallbackFull.ttf; make install
# puts them into the first (scripts/fonts.sh).
BILLING_FONT_DIRS = [
    *filter(None, [env_str("BILLING_FONT_DIR")]),
    BASE_DIR / ".venv" / "share" / "billing-fonts",
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/droid"),
]
# How long a receipt link stays valid, in seconds.
RECEIPT_LINK_MAX_AGE = env_int("RECEIPT_LINK_MAX_AGE", 7 * 24 * 3600)
# The built-in "sandbox" payment provider lets a payer complete a payment from the
# bill's payment page without a real provider (off in production unless enabled).
SANDBOX_PAYMENTS = env_bool("SANDBOX_PAYMENTS", True)
# The ISP face's stand-in for a customer without an email address.
ISP_PLACEHOLDER_EMAIL = env_str("ISP_PLACEHOLDER_EMAIL", "customer@example.com")

# Bounds of the reports face: the longest period of one report, the most lines
# a JSON or PDF document holds (a CSV streams, so it may hold many more), and
# the most records one usage report lists.
REPORT_MAX_DAYS = env_int("REPORT_MAX_DAYS", 366)
REPORT_MAX_DOCUMENT_LINES = env_int("REPORT_MAX_DOCUMENT_LINES", 50_000)
REPORT_MAX_CSV_LINES = env_int("REPORT_MAX_CSV_LINES", 5_000_000)
USAGE_REPORT_MAX_RECORDS = env_int("USAGE_REPORT_MAX_RECORDS", 10_000)

# How long a response stored for an Idempotency-Key is replayed, in seconds.
IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 24 * 3600)
# How long a request holds its key while it runs: a retry after this may take the
# key over (when the first request's worker died). Keep it above the server's
# request time limit (gunicorn --timeout, 30 s by default).
IDEMPOTENCY_LEASE_SECONDS = env_int("IDEMPOTENCY_LEASE_SECONDS", 60)

# Request log: bodies longer than this are stored truncated, with a marker.
REQUEST_LOG_BODY_CAP = env_int("REQUEST_LOG_BODY_CAP", 64 * 1024)
# "background": each row is appended to its process's spool file before the answer
# and moved to the table in batches by the process's own thread (audit/spool.py);
# "inline": each row is committed before the answer.
REQUEST_LOG_WRITER = env_choice("REQUEST_LOG_WRITER", ("background", "inline"))
if DATABASES["default"]["NAME"] == ":memory:":
    # Each connection to an in-memory SQLite database has a database of its own:
    # the writer's thread would write its rows where no request reads them.
    REQUEST_LOG_WRITER = "inline"
# The spool's folder: local to the machine, one per database (a file is replayed
# into the database its rows belong to). Past its size, requests get a 503.
REQUEST_LOG_SPOOL_DIR = env_str("REQUEST_LOG_SPOOL_DIR") or str(
    BASE_DIR / "var" / "request-log-spool" / spool_name(DATABASES["default"])
)
REQUEST_LOG_SPOOL_MAX_BYTES = env_int("REQUEST_LOG_SPOOL_MAX_BYTES", 1024 * 1024 * 1024)

# Origins (scheme://host[:port]) whose browser pages may call the API; none by default.
# Written as browsers send them: lower case, no trailing slash.
CORS_ALLOWED_ORIGINS = [
    origin.rstrip("/").lower() for origin in env_list("CORS_ALLOWED_ORIGINS", [])
]
# What django-cors-headers lets those pages send and read, and how long a browser
# may keep a preflight's answer.
CORS_ALLOW_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CORS_ALLOW_HEADERS = ("Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID")
CORS_EXPOSE_HEADERS = (
    "X-Request-ID",
    "X-Total-Count",
    "Link",
    "Retry-After",
    "Content-Disposition",
)
CORS_PREFLIGHT_MAX_AGE = 600

# Log lines (billing_site/logs.py): "plain" text, or "json", one object a line with
# the request's id, user and face, what production writes unless told otherwise.
LOG_FORMAT = env_choice("LOG_FORMAT", ("plain", "json"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "billing_site.logs.JsonFormatter"},
    },
    "filters": {"request": {"()": "billing_site.logs.RequestContextFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}


def jwt_settings(signing_key: str) -> dict:
    """SIMPLE_JWT with the signing key the environment chose."""
    return {**SIMPLE_JWT, "SIGNING_KEY": env_str("JWT_SIGNING_KEY") or signing_key}


# Background work on Celery. CELERY_BROKER_URL names the broker (redis://... or
# amqp://...); without one, tasks run in the process that queues them, after its
# transaction commits: `make run` needs nothing else.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ACKS_LATE = True  # a task a killed worker held is given to another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "relay-pending-events": {"task": "events.tasks.relay_pending", "schedule": 30.0},
}
if CELERY_TASK_ALWAYS_EAGER:
    # Tasks run in the web process: a line per task among the requests' says nothing.
    LOGGING["loggers"] = {"celery.app.trace": {"level": "WARNING"}}
# An event not relayed this many seconds after it was written is relayed by the
# beat's sweep (its first relay was lost with a broker or a worker).
EVENTS_RELAY_GRACE_SECONDS = env_int("EVENTS_RELAY_GRACE_SECONDS", 60)
# A task runs at most CELERY_TASK_TIME_LIMIT_SECONDS (then its worker process is
# replaced and the task given again). A Redis broker gives a task no worker has
# acknowledged to another after the visibility timeout, so that must be longer
# than any task, or a long one would run twice at once; it is also how long the
# task of a worker that vanished (kill -9, a lost machine) waits. RabbitMQ gives
# it again as soon as the worker's connection closes.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT_SECONDS", 900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600)
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT_SECONDS must be longer than CELERY_TASK_TIME_LIMIT_SECONDS."
    )
# A task running when the broker connection is lost cannot be acknowledged: it is
# stopped, and given again once the broker is back.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Each pool process is replaced after this many tasks (bounds what a leak can hold).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int("CELERY_WORKER_MAX_TASKS_PER_CHILD", 1000)


# Email: the issued invoice and each payment's receipt, with its PDF, to customers
# with an address who have not opted out (notifications). EMAIL_BACKEND is any
# Django email backend's dotted path: the console's by default, SMTP with
# django.core.mail.backends.smtp.EmailBackend and the EMAIL_* variables below, or
# an installed provider's, e.g. anymail.backends.mailgun.EmailBackend with its
# ANYMAIL settings as a JSON object in ANYMAIL_JSON.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "") or "django.core.mail.backends.console.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the start, usually port 465
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "") or "billing@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# e.g. ANYMAIL_JSON='{"MAILGUN_API_KEY": "...", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}'
ANYMAIL = env_json_object("ANYMAIL_JSON")
# A failed send is retried this many times, after 60 s, 120 s, 240 s ... (doubling).
NOTIFICATIONS_EMAIL_RETRIES = env_int("NOTIFICATIONS_EMAIL_RETRIES", 5)
NOTIFICATIONS_EMAIL_RETRY_SECONDS = env_int("NOTIFICATIONS_EMAIL_RETRY_SECONDS", 60)
# A send claimed this long ago and not finished (its worker died) may be taken over.
NOTIFICATIONS_EMAIL_CLAIM_SECONDS = env_int("NOTIFICATIONS_EMAIL_CLAIM_SECONDS", 300)

# Webhooks (the webhooks app): deliveries signed per Standard Webhooks 1.0.
# Seconds to wait after each failed attempt before the next (about 27 hours in
# all); a delivery whose last retry failed is failed (it can be re-sent).
WEBHOOKS_RETRY_SCHEDULE = env_seconds_list(
    "WEBHOOKS_RETRY_SCHEDULE_SECONDS", [5, 300, 1800, 7200, 18000, 36000, 36000]
)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# An endpoint whose every attempt failed for this long is disabled.
WEBHOOKS_DISABLE_AFTER_SECONDS = env_int("WEBHOOKS_DISABLE_AFTER_SECONDS", 5 * 24 * 3600)
# Receivers on private, loopback or link-local addresses (tests, local use) only when on.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
# The beat looks for deliveries due for a retry this often.
CELERY_BEAT_SCHEDULE["send-due-webhooks"] = {
    "task": "webhooks.tasks.deliver_due",
    "schedule": env_float("WEBHOOKS_SWEEP_SECONDS", 10.0),
}

# Emails that outlive a lost task (notifications): each email's row holds when its
# next try is due; every NOTIFICATIONS_SWEEP_SECONDS the beat sends the pending ones
# due for longer than NOTIFICATIONS_SWEEP_GRACE_SECONDS (their own task, first or
# retry, had its chance: the broker or a worker lost it) that no live worker holds.
NOTIFICATIONS_SWEEP_SECONDS = env_int("NOTIFICATIONS_SWEEP_SECONDS", 60)
NOTIFICATIONS_SWEEP_GRACE_SECONDS = env_int("NOTIFICATIONS_SWEEP_GRACE_SECONDS", 120)
if NOTIFICATIONS_SWEEP_SECONDS < 1 or NOTIFICATIONS_SWEEP_GRACE_SECONDS < 0:
    raise ImproperlyConfigured(
        "NOTIFICATIONS_SWEEP_SECONDS must be 1 or more and NOTIFICATIONS_SWEEP_GRACE_SECONDS "
        "0 or more."
    )
CELERY_BEAT_SCHEDULE["send-due-emails"] = {
    "task": "notifications.tasks.send_due_emails",
    "schedule": float(NOTIFICATIONS_SWEEP_SECONDS),
}

# Recurring bills (the bills app): the beat issues each master's next bill once its
# rbill_date has come (each missed period once). Every this many seconds; a run
# finding nothing due is one query.
BILLS_RECURRING_INTERVAL_SECONDS = env_int("BILLS_RECURRING_INTERVAL_SECONDS", 3600)
if not 60 <= BILLS_RECURRING_INTERVAL_SECONDS <= 86400:
    raise ImproperlyConfigured(
        "BILLS_RECURRING_INTERVAL_SECONDS must be from 60 to 86400 (a day: no day is skipped)."
    )
CELERY_BEAT_SCHEDULE["issue-recurring-bills"] = {
    "task": "bills.tasks.issue_recurring_bills",
    "schedule": float(BILLS_RECURRING_INTERVAL_SECONDS),
}

# Credit notes (the credits app): their own gap-free sequence, a str.format
# template fed its next value, like INVOICE_NUMBER_FORMAT.
CREDIT_NOTE_NUMBER_FORMAT = env_str("CREDIT_NOTE_NUMBER_FORMAT", "CN-{:06d}")
# The customer's status is one enum in the schema, whether a customer is shown
# alone (with its credit) or in the list; a credit note's mode likewise.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),
    "CustomerStatusEnum": "invoices.models.Customer.Status",
    "CreditNoteModeEnum": "credits.models.CreditNote.Mode",
    # Names the schema's enums keep whatever else is named alike (drf-spectacular
    # would otherwise name colliding ones by a hash).
    "InvoiceStatusEnum": "invoices.api.serializers.CLIENT_STATUSES",
    "PaymentMethodEnum": "payments.models.Payment.Method",
    "PaymentMethodInputEnum": ["gateway", "card", "bank_transfer", "cash", "manual", "credit_card"],
    "ReportFormatEnum": ["csv", "json", "pdf", "dict"],
    "BillStatusEnum": "bills.api.fields.STATUS_CODES",
}

# A billing report billed as an invoice (POST /api/v2/reports/{id}/invoice) is due
# this many days after it is issued, unless the request gives its due_date.
REPORT_INVOICE_DUE_DAYS = env_int("REPORT_INVOICE_DUE_DAYS", 30)
if REPORT_INVOICE_DUE_DAYS < 0:
    raise ImproperlyConfigured("REPORT_INVOICE_DUE_DAYS must not be negative.")

# Overdue invoices (invoices/reminders.py): an open invoice due before today (in
# TIME_ZONE) is "overdue". A reminder (an invoice.overdue event and its email) is
# sent at each of INVOICE_REMINDER_DAYS after the due date, once per invoice and
# stage; an invoice the beat missed for days gets only the latest stage due. The
# beat looks every INVOICE_REMINDER_INTERVAL_SECONDS (an hour).
try:
    INVOICE_REMINDER_DAYS = sorted(
        {int(day) for day in env_list("INVOICE_REMINDER_DAYS", ["3", "7", "14"])}
    )
except ValueError:
    raise ImproperlyConfigured("INVOICE_REMINDER_DAYS must be whole numbers, e.g. 3,7,14") from None
if any(not 1 <= day <= 3650 for day in INVOICE_REMINDER_DAYS):
    raise ImproperlyConfigured("INVOICE_REMINDER_DAYS must be days after the due date, 1 to 3650")
CELERY_BEAT_SCHEDULE["send-overdue-reminders"] = {
    "task": "invoices.tasks.send_overdue_reminders",
    "schedule": float(env_int("INVOICE_REMINDER_INTERVAL_SECONDS", 3600)),
}

# Metrics (billing_site/metrics_view.py): GET /metrics answers only requests with
# "Authorization: Bearer <METRICS_TOKEN>"; without a token it is off (a 404).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
