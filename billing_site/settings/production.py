"""Production settings: refuse to start without a real secret key and hosts."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, jwt_settings
from .env import env_bool, env_choice, env_int, env_list, env_str

BILLING_ENVIRONMENT = "production"
DEBUG = False
SANDBOX_PAYMENTS = env_bool("SANDBOX_PAYMENTS", False)
# One JSON object a line, for a log collector; LOG_FORMAT=plain for people.
LOG_FORMAT = env_choice("LOG_FORMAT", ("json", "plain"))
LOGGING = {
    **LOGGING,
    "handlers": {"console": {**LOGGING["handlers"]["console"], "formatter": LOG_FORMAT}},
}


def _strong_key(name: str, *, required: bool = True) -> str:
    key = env_str(name) or ""
    if not key and not required:
        return ""
    if len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            f"{name} must be set to a random value of at least 50 characters "
            '(python -c "import secrets; print(secrets.token_urlsafe(64))").'
        )
    return key


SECRET_KEY = _strong_key("SECRET_KEY")
_strong_key("JWT_SIGNING_KEY", required=False)  # when set, it signs the tokens: as strong
SIMPLE_JWT = jwt_settings(SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this service answers to.")

# Static files (admin, API docs) are served by the app processes themselves.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "whitenoise.middleware.WhiteNoiseMiddleware",
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1 so
# Django trusts its X-Forwarded-Proto header.
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
