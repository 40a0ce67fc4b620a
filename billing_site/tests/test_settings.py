import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing_site.settings.env import database_from_url

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


def run_manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "JWT_SIGNING_KEY")
    }
    environment.update(DJANGO_SETTINGS_MODULE="billing_site.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sqlite_url():
    config = database_from_url("sqlite:///db.sqlite3", base_dir=Path("/srv/app"))
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == "/srv/app/db.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert (
        database_from_url("sqlite:////var/db.sqlite3", base_dir=ROOT)["NAME"] == "/var/db.sqlite3"
    )


def test_mysql_url():
    config = database_from_url("mysql://bill:p%40ss@db.internal:3307/billing", base_dir=ROOT)
    assert (config["ENGINE"], config["NAME"], config["USER"], config["PASSWORD"]) == (
        "billing_site.db.mysql",
        "billing",
        "bill",
        "p@ss",
    )
    assert (config["HOST"], config["PORT"]) == ("db.internal", "3307")
    assert config["OPTIONS"]["charset"] == "utf8mb4"
    assert config["OPTIONS"]["isolation_level"] == "read committed"
    assert config["CONN_MAX_AGE"] > 0


@pytest.mark.parametrize("url", ["postgres://x/y", "mysql://root@localhost/"])
def test_unsupported_database_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url, base_dir=ROOT)


def test_production_passes_check_deploy():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="billing.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("key", [None, "", "short", "django-insecure-" + "x1y2z3" * 10])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    env = {"ALLOWED_HOSTS": "billing.example.com"}
    if key is not None:
        env["SECRET_KEY"] = key
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_jwt_signing_key():
    result = run_manage(
        "check", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="billing.example.com", JWT_SIGNING_KEY="abc"
    )
    assert result.returncode != 0
    assert "JWT_SIGNING_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_the_permissions_cache_is_refused_without_redis():
    result = run_manage("check", PERMISSIONS_CACHE_SECONDS="60", REDIS_URL="")
    assert result.returncode != 0
    assert "PERMISSIONS_CACHE_SECONDS needs REDIS_URL" in result.stderr


def test_an_in_memory_database_has_its_log_rows_written_inline():
    show = "from django.conf import settings; print(settings.REQUEST_LOG_WRITER)"
    common = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "billing.example.com"}
    in_memory = run_manage("shell", "-c", show, DATABASE_URL="sqlite:///:memory:", **common)
    on_disk = run_manage("shell", "-c", show, DATABASE_URL="sqlite:///db.sqlite3", **common)
    printed = [result.stdout.split()[-1] for result in (in_memory, on_disk)]
    assert printed == ["inline", "background"]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BILLING_LOCALE", "xx_YY", "BILLING_LOCALE 'xx_YY' is not a known locale"),
        ("BILLING_DOCUMENT_TIME_ZONE", "Mars/Base", "time zone 'Mars/Base' is unknown"),
    ],
)
def test_a_documents_locale_or_zone_nobody_knows_stops_the_start(name, value, message):
    result = run_manage(
        "check", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="billing.example.com", **{name: value}
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_the_webhook_retry_schedule_is_read_and_checked():
    show = "from django.conf import settings; print(settings.WEBHOOKS_RETRY_SCHEDULE)"
    common = {"SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "billing.example.com"}
    given = run_manage("shell", "-c", show, WEBHOOKS_RETRY_SCHEDULE_SECONDS="1, 2,30", **common)
    assert given.stdout.split("\n")[-2] == "[1, 2, 30]"
    for wrong in ("", "5,0", "5,1.5", "soon"):
        refused = run_manage("check", WEBHOOKS_RETRY_SCHEDULE_SECONDS=wrong, **common)
        assert refused.returncode != 0
        assert "WEBHOOKS_RETRY_SCHEDULE_SECONDS must be whole seconds above zero" in refused.stderr
