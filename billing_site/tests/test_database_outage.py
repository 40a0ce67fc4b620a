"""With its database unreachable the service answers 503 JSON quickly, and
recovers by itself once the database is back: shown on a real MariaDB by
locking and unlocking the account a running server uses."""

import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from billing_site.testing import demo_server, http_call

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(connection.vendor != "mysql", reason="needs MariaDB"),
]


def _admin_connection():
    import MySQLdb

    config = settings.DATABASES["default"]
    return MySQLdb.connect(
        host=config["HOST"],
        port=int(config["PORT"]),
        user=config["USER"],
        password=config["PASSWORD"],
        autocommit=True,
    )


def test_an_unreachable_database_is_a_quick_503_and_the_service_recovers(tmp_path):
    name, user = f"billing_outage_{uuid.uuid4().hex[:8]}", f"outage_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection()
    cursor = admin.cursor()
    cursor.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    cursor.execute(f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'outage-password'")
    cursor.execute(f"GRANT ALL PRIVILEGES ON {name}.* TO '{user}'@'127.0.0.1'")
    url = f"mysql://{user}:outage-password@127.0.0.1:{settings.DATABASES['default']['PORT']}/{name}"
    record = {"orderID": 4499494, "billingNumber": 333333}
    try:
        with demo_server(tmp_path, workers=1, DATABASE_URL=url) as (base, token):
            assert http_call(f"{base}/checkPaymentStatus", record, token)[0] == 200
            cursor.execute(f"ALTER USER '{user}'@'127.0.0.1' ACCOUNT LOCK")
            cursor.execute(f"SELECT id FROM information_schema.processlist WHERE user = '{user}'")
            for (thread,) in cursor.fetchall():
                cursor.execute(f"KILL {thread}")
            started = time.monotonic()
            status, body = http_call(f"{base}/checkPaymentStatus", record, token)
            assert (status, time.monotonic() - started < 10) == (503, True), body
            assert body["success"] == "false" and "database" in body["message"]
            cursor.execute(f"ALTER USER '{user}'@'127.0.0.1' ACCOUNT UNLOCK")
            status, body = http_call(f"{base}/checkPaymentStatus", record, token)
            assert status == 200, body
    finally:
        cursor.execute(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'")
        cursor.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()
