"""Settings for the test suite. The database still comes from DATABASE_URL, so
the same suite runs on SQLite and on MariaDB."""

import tempfile

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, jwt_settings
from .env import env_str

BILLING_ENVIRONMENT = "test"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SECRET_KEY = env_str("SECRET_KEY") or get_random_secret_key()
SIMPLE_JWT = jwt_settings(SECRET_KEY)
# Each test reads the row of the request it made; the writer thread has tests of its own.
REQUEST_LOG_WRITER = "inline"
# A test that spools gets a folder of its own: never another run's files.
REQUEST_LOG_SPOOL_DIR = tempfile.mkdtemp(prefix="request-log-spool-")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    # Throttling has its own tests, which set their rates; elsewhere it stays out of the way.
    "DEFAULT_THROTTLE_RATES": {
        scope: "100000/min" for scope in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    },
}
# A process's own copies of users, permissions and deny-list answers outlast a
# test, so the queries a request makes never depend on how fast the machine ran
# the test up to it; the tests of that window set their own.
PERMISSIONS_LOCAL_SECONDS = 3600
# Failed logins lock out in the lock-out's own tests, which set their limits.
THROTTLE_LOGIN_FAILURES_PER_USERNAME = THROTTLE_LOGIN_FAILURES_PER_ADDRESS = 1_000_000
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receiver tests listen on 127.0.0.1
