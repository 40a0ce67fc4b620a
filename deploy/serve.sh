#!/bin/sh
# The production processes on this machine (make serve): migrate, collect the
# static files, then honcho runs every line of the Procfile (nginx, gunicorn,
# a Celery worker and the beat) until Ctrl-C or SIGTERM stops them all.
# Defaults that run here out of the box, each overridden by the environment:
# PORT            where nginx listens on HOST (8000 on 127.0.0.1)
# GUNICORN_PORT   gunicorn's port on the loopback, behind nginx (PORT + 1)
# DATABASE_URL    sqlite:///var/serve.sqlite3
# REDIS_URL, CELERY_BROKER_URL  the local Redis: databases 2 and 3 (the tests use 0)
# SECRET_KEY      generated once into var/secret_key (git-ignored)
# ALLOWED_HOSTS   localhost,127.0.0.1; plain HTTP: no SSL redirect, no HSTS
set -eu
cd "$(dirname "$0")/.."
mkdir -p var

if [ ! -s var/secret_key ]; then
    (umask 077 && .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(64))" \
        > var/secret_key)
fi

host=${HOST:-127.0.0.1}
port=${PORT:-8000}
gunicorn_port=${GUNICORN_PORT:-$((port + 1))}

export DJANGO_SETTINGS_MODULE=billing_site.settings.production
export SECRET_KEY="${SECRET_KEY:-$(cat var/secret_key)}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost,127.0.0.1}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export DATABASE_URL="${DATABASE_URL:-sqlite:///var/serve.sqlite3}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/2}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/3}"
export TRUSTED_PROXIES="${TRUSTED_PROXIES:-1}" # nginx, the one proxy in front
export GUNICORN_BIND="127.0.0.1:$gunicorn_port"
export NGINX_UPSTREAM="$GUNICORN_BIND"
export NGINX_LISTEN="$host:$port"

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py collectstatic --noinput -v0
echo "Serving on http://$host:$port/ (nginx; gunicorn on $GUNICORN_BIND); Ctrl-C stops it."
exec .venv/bin/honcho start
