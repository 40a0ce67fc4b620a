"""Settings for running on a developer's machine (``make run``)."""

from django.core.management.utils import get_random_secret_key

from .base import *  # noqa: F403
from .base import BASE_DIR, jwt_settings
from .env import env_bool, env_list, env_str

BILLING_ENVIRONMENT = "local"
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])


def _local_secret_key() -> str:
    """A random key kept in a git-ignored file, so tokens survive restarts."""
    path = BASE_DIR / ".secret_key"
    if not path.exists():
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env_str("SECRET_KEY") or _local_secret_key()
SIMPLE_JWT = jwt_settings(SECRET_KEY)

# Webhook receivers on this machine (a test receiver on localhost) are allowed here.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", True)
