"""The MySQL/MariaDB backend pings a reused connection only after it has been idle."""

import time

import pytest
from django.db import connection

from billing_site.db.mysql.base import IDLE_BEFORE_HEALTH_CHECK

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB's backend"),
]


def query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()


def count_pings(monkeypatch) -> list:
    pings, is_usable = [], connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: pings.append(1) or is_usable())
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged(monkeypatch):
    query()
    pings = count_pings(monkeypatch)
    connection.close_if_unusable_or_obsolete()  # as at the start of a request
    assert query() == (1,)
    assert pings == []


def test_an_idle_connection_the_server_closed_is_replaced_before_use(monkeypatch):
    query()
    thread = connection.connection.thread_id()
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(f"KILL {thread}")
    finally:
        other.close()
    monkeypatch.setattr(connection, "_last_used", time.monotonic() - IDLE_BEFORE_HEALTH_CHECK)
    pings = count_pings(monkeypatch)
    connection.close_if_unusable_or_obsolete()
    assert query() == (1,)  # no error: the ping found it dead and a new one answered
    assert pings == [1]
    assert connection.connection.thread_id() != thread


def test_a_transaction_begins_with_start_transaction_and_leaves_autocommit_on(monkeypatch):
    from django.contrib.auth.models import Group
    from django.db import transaction

    query()
    raw = connection.connection
    toggled = []
    monkeypatch.setattr(type(raw), "autocommit", lambda self, on: toggled.append(on))
    with transaction.atomic():
        Group.objects.create(name="in a transaction")
        assert query() == (1,)
    with pytest.raises(RuntimeError), transaction.atomic():
        Group.objects.create(name="rolled back")
        raise RuntimeError
    Group.objects.create(name="autocommitted")
    assert toggled == []  # no SET autocommit round trip before or after
    monkeypatch.undo()
    # What committed, another session sees; the rolled back row is gone.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT name FROM auth_group ORDER BY name")
            assert [row[0] for row in cursor.fetchall()] == ["autocommitted", "in a transaction"]
    finally:
        other.close()
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@autocommit")
        assert cursor.fetchone() == (1,)
