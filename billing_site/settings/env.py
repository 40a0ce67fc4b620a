"""Reading configuration from environment variables."""

import json
import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_json_object(name: str) -> dict:
    """A JSON object from the environment (``{}`` when unset or empty)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw[:40]!r}")
    return value


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_choice(name: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``; the first when unset."""
    raw = os.environ.get(name, "").strip().lower() or choices[0]
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_seconds_list(name: str, default: list[int]) -> list[int]:
    """A comma-separated list of whole seconds, each above zero, at least one."""
    items = env_list(name, [str(item) for item in default])
    if not items or not all(item.isdigit() and int(item) > 0 for item in items):
        raise ImproperlyConfigured(
            f"{name} must be whole seconds above zero, comma-separated, not {os.environ[name]!r}"
        )
    return [int(item) for item in items]


# Set by ``manage.py`` (and scripts that seed or migrate) for its own process.
COMMAND_PROCESS = "BILLING_COMMAND_PROCESS"


def database_timeout() -> int:
    """Seconds a database may keep a caller waiting: DATABASE_TIMEOUT_SECONDS (5)
    in the web processes, DATABASE_COMMAND_TIMEOUT_SECONDS (3600) in management
    commands and scripts, whose statements (migrations, seeding, report runs)
    may rightly take longer than a request may wait (see ``manage.py``)."""
    if os.environ.get(COMMAND_PROCESS) == "1":
        name, default = "DATABASE_COMMAND_TIMEOUT_SECONDS", 3600
    else:
        name, default = "DATABASE_TIMEOUT_SECONDS", 5
    seconds = env_int(name, default)
    if seconds < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1 second, not {seconds}")
    return seconds


def database_from_url(url: str, *, base_dir: Path, timeout: int = 5) -> dict:
    """Turn ``sqlite:///relative.db``, ``sqlite:////abs.db`` or
    ``mysql://user:password@host:port/name`` (read by dj-database-url; ``mariadb://``
    too) into a Django DATABASES entry whose waits are bounded by ``timeout``
    seconds: SQLite's lock waits; MariaDB's connect, each statement
    (``max_statement_time``, which keeps the connection) and, a second later, each
    read or write of a database that does not answer at all (the connection is
    then dropped). The C client does not retry a timed out read, so a stalled
    database fails a query after ``timeout + 1`` seconds. The URL's query sets
    MySQL's client options over these (``?connect_timeout=3``), and
    ``conn_max_age`` how long a connection is kept (60 s)."""
    scheme = url.partition(":")[0]
    if scheme == "mariadb":
        url = "mysql" + url[len(scheme) :]
    elif scheme not in ("sqlite", "mysql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported (use sqlite:// or mysql://)"
        )
    try:
        config = dj_database_url.parse(url)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {error}") from None
    if scheme == "sqlite":
        return _sqlite(config, base_dir, timeout)
    return _mysql(config, timeout)


def _sqlite(config: dict, base_dir: Path, timeout: int) -> dict:
    name = config["NAME"]  # a relative path, an absolute one, or ":memory:"
    if name != ":memory:" and not Path(name).is_absolute():
        config["NAME"] = str(base_dir / name)
    config["OPTIONS"] = {
        # Take the write lock when a transaction starts, so two concurrent
        # writers queue on the busy timeout instead of failing with
        # "database is locked" when a read lock cannot be upgraded.
        "transaction_mode": "IMMEDIATE",
        "timeout": timeout,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        **config.get("OPTIONS", {}),
    }
    return config


def _mysql(config: dict, timeout: int) -> dict:
    if not config["NAME"]:
        raise ImproperlyConfigured("DATABASE_URL for MySQL/MariaDB must name a database")
    options = config.get("OPTIONS", {})
    conn_max_age = int(options.pop("conn_max_age", 60))  # Django's, not the client's
    return {
        **config,
        "ENGINE": "billing_site.db.mysql",
        "HOST": config["HOST"] or "127.0.0.1",
        "PORT": str(config["PORT"] or 3306),
        "CONN_MAX_AGE": conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "charset": "utf8mb4",
            "isolation_level": "read committed",
            # max_statement_time is MariaDB's (10.1.1+): MySQL skips the comment.
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES', default_storage_engine=INNODB"
            f" /*M!100101 , max_statement_time={timeout} */",
            "connect_timeout": timeout,
            "read_timeout": timeout + 1,
            "write_timeout": timeout + 1,
            **options,
        },
        "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
    }


def spool_name(database: dict) -> str:
    """A folder name that tells databases apart: the SQLite file, or the server and
    database name."""
    if database["ENGINE"].endswith("sqlite3"):
        where = database["NAME"]
    else:
        where = f"{database['HOST']}_{database['PORT']}_{database['NAME']}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", where).strip("_")[-120:]


def check_document_locale(locale: str, time_zone: str) -> None:
    """A locale Babel knows and a zone the zone database knows, or no start."""
    import zoneinfo

    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError, TypeError):
        raise ImproperlyConfigured(f"BILLING_LOCALE {locale!r} is not a known locale") from None
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"The documents' time zone {time_zone!r} is unknown") from None
