"""Settings of the benchmark server: the production settings (DEBUG off,
WhiteNoise, HTTPS cookies), as a deployment behind a TLS-terminating proxy
runs them, plus the two baseline views.

``bench/run.py`` provides what production requires from the environment
(SECRET_KEY, ALLOWED_HOSTS) and sets SECURE_SSL_REDIRECT=0, because the load
tool speaks plain HTTP to gunicorn on the loopback interface.
BENCH_REQUEST_LOG=0 drops the request-log middleware (to measure its cost)."""

from billing_site.settings.env import env_bool
from billing_site.settings.production import *  # noqa: F403
from billing_site.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"

_REQUEST_LOG = "audit.middleware.RequestLogMiddleware"
MIDDLEWARE = [
    # The baselines write their own log row (or none), so the middleware skips them.
    "bench.baseline.RequestLogExceptBaselines" if name == _REQUEST_LOG else name
    for name in MIDDLEWARE
    if name != _REQUEST_LOG or env_bool("BENCH_REQUEST_LOG", True)
]
