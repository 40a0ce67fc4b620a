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


class _RoundTrips:
    """What the session sends to the server, each round trip as the first words
    of the statements it carries, and the COMMITs and ROLLBACKs it sends."""

    def __init__(self, monkeypatch):
        raw = type(connection.connection)
        self.sent, self.ends = [], []
        query, send_query = raw.query, raw.send_query
        monkeypatch.setattr(raw, "query", lambda db, sql: self._add(sql) or query(db, sql))
        monkeypatch.setattr(
            raw, "send_query", lambda db, sql: self._add(sql) or send_query(db, sql)
        )
        commit, rollback = raw.commit, raw.rollback
        monkeypatch.setattr(raw, "commit", lambda db: self.ends.append("COMMIT") or commit(db))
        monkeypatch.setattr(
            raw, "rollback", lambda db: self.ends.append("ROLLBACK") or rollback(db)
        )

    def _add(self, sql) -> None:
        text = sql.decode() if isinstance(sql, bytes) else sql
        self.sent.append([statement.split()[0] for statement in text.split(";")])


def other_session_rows(sql: str) -> list:
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        other.close()


def test_start_transaction_goes_with_the_transactions_first_statement(monkeypatch):
    from django.contrib.auth.models import Group
    from django.db import transaction

    query()
    trips = _RoundTrips(monkeypatch)
    with transaction.atomic():
        Group.objects.create(name="first")
        Group.objects.create(name="second")
    # Two round trips for two statements: START TRANSACTION rode with the first.
    assert trips.sent == [["START", "INSERT"], ["INSERT"]]
    assert trips.ends == ["COMMIT"]
    monkeypatch.undo()
    assert other_session_rows("SELECT name FROM auth_group ORDER BY name") == (
        ("first",),
        ("second",),
    )


def test_a_transaction_that_sent_nothing_sends_no_commit_or_rollback(monkeypatch):
    from django.db import transaction

    query()
    trips = _RoundTrips(monkeypatch)
    with transaction.atomic():
        pass
    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError
    assert trips.sent == [] and trips.ends == []
    monkeypatch.undo()
    assert query() == (1,)


def test_a_first_statement_that_fails_rolls_its_transaction_back():
    from django.contrib.auth.models import Group
    from django.db import IntegrityError, transaction

    Group.objects.create(name="taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(name="taken")  # the unique name: refused with START TRANSACTION
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(name="kept until the rollback")
        Group.objects.create(name="taken")
    assert query() == (1,)  # the session is in step: no result left unread
    assert list(Group.objects.values_list("name", flat=True)) == ["taken"]
    assert other_session_rows("SELECT @@in_transaction") == ((0,),)


def test_a_row_locked_by_the_transactions_first_statement_stays_locked_until_commit():
    from django.contrib.auth.models import Group
    from django.db import OperationalError, transaction

    group = Group.objects.create(name="locked")
    with transaction.atomic():
        assert Group.objects.select_for_update().get(pk=group.pk) == group
        other = connection.copy()
        try:
            with pytest.raises(OperationalError), other.cursor() as cursor:
                cursor.execute(f"SELECT id FROM auth_group WHERE id = {group.pk} FOR UPDATE NOWAIT")
        finally:
            other.close()
    assert other_session_rows(f"SELECT id FROM auth_group WHERE id = {group.pk} FOR UPDATE") == (
        (group.pk,),
    )


def test_a_savepoint_or_executemany_first_in_a_transaction_is_inside_it():
    from django.contrib.auth.models import Group
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():  # SAVEPOINT, first
            Group.objects.create(name="to the savepoint")
            raise RuntimeError
        Group.objects.create(name="outer")
    with pytest.raises(RuntimeError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO auth_group (name) VALUES (%s)", [("many 1",), ("many 2",)]
            )
        raise RuntimeError
    assert list(Group.objects.values_list("name", flat=True)) == ["outer"]


def test_a_keyset_read_on_the_drivers_connection_first_in_a_transaction_is_inside_it(
    monkeypatch,
):
    from django.db import transaction

    from billing_site.api.batches import compiled_keyset_batches
    from invoices.models import Invoice

    query()
    trips = _RoundTrips(monkeypatch)
    with transaction.atomic():
        rows = compiled_keyset_batches(Invoice.objects.values_list("pk"), batch_size=10)
        assert list(rows) == []
    assert trips.sent == [["START"], ["SELECT"]] and trips.ends == ["COMMIT"]
