"""The MySQL/MariaDB backend pings a reused connection only after it has been idle."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing_site.db.mysql.base import IDLE_BEFORE_HEALTH_CHECK
from billing_site.testing import RoundTrips

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="MariaDB's backend"),
]


def query(sql: str = "SELECT 1"):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def skip_unless_mariadb():
    connection.ensure_connection()
    if not connection._mariadb:
        pytest.skip("MariaDB's IF outside a routine")


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
    trips = RoundTrips(monkeypatch)
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
    trips = RoundTrips(monkeypatch)
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
    assert query("SELECT @@in_transaction") == (0,)  # none left open on this session


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
    trips = RoundTrips(monkeypatch)
    with transaction.atomic():
        rows = compiled_keyset_batches(Invoice.objects.values_list("pk"), batch_size=10)
        assert list(rows) == []
    assert trips.sent == [["START"], ["SELECT"]] and trips.ends == ["COMMIT"]


def test_a_deferred_write_goes_with_the_transactions_next_statement(monkeypatch):
    from django.contrib.auth.models import Group
    from django.db import transaction

    group = Group.objects.create(name="before")
    trips = RoundTrips(monkeypatch)
    with transaction.atomic(), CaptureQueriesContext(connection) as counted:
        update = "UPDATE auth_group SET name = %s WHERE id = %s"
        assert connection.defer_write(update, ["after", group.pk], rows=1)
        assert len(counted) == 1  # the write, counted where it is written
        assert trips.sent == []
        assert Group.objects.get(pk=group.pk).name == "after"
    assert trips.sent == [["START", "UPDATE", "SELECT"]] and trips.ends == ["COMMIT"]


def test_a_deferred_write_goes_with_the_commit(monkeypatch):
    from django.db import transaction

    query()
    trips = RoundTrips(monkeypatch)
    with transaction.atomic():
        connection.defer_write("INSERT INTO auth_group (name) VALUES (%s)", ["at commit"])
    assert trips.sent == [["START", "INSERT", "COMMIT"]] and trips.ends == []
    monkeypatch.undo()
    assert other_session_rows("SELECT name FROM auth_group") == (("at commit",),)


def test_a_deferred_write_that_fails_raises_where_it_is_sent_and_nothing_commits():
    from django.contrib.auth.models import Group
    from django.db import IntegrityError, transaction

    Group.objects.create(name="taken")
    insert = "INSERT INTO auth_group (name) VALUES (%s)"
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(name="first in the transaction")
        connection.defer_write(insert, ["taken"])
        Group.objects.count()  # carries the write, which fails
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(name="also rolled back")
        connection.defer_write(insert, ["taken"])  # fails with the COMMIT, before it
    assert query() == (1,)  # the session is in step
    assert list(Group.objects.values_list("name", flat=True)) == ["taken"]
    assert query("SELECT @@in_transaction") == (0,)  # none left open on this session


def test_a_deferred_update_that_touches_no_row_fails_before_anything_commits():
    from django.contrib.auth.models import Group
    from django.db import DatabaseError, transaction

    update = "UPDATE auth_group SET name = %s WHERE id = %s"
    with pytest.raises(DatabaseError, match="touched 0 rows, not 1"), transaction.atomic():
        Group.objects.create(name="not committed")
        connection.defer_write(update, ["gone", -1], rows=1)
    with pytest.raises(DatabaseError, match="touched 0 rows, not 1"), transaction.atomic():
        connection.defer_write(update, ["gone", -1], rows=1)
        connection.defer_write("INSERT INTO auth_group (name) VALUES (%s)", ["after it"])
        Group.objects.count()  # the write after it ran: its result is read, in step
    assert query() == (1,)
    assert not Group.objects.exists()


def test_a_checked_write_goes_with_the_commit_which_runs_only_if_it_touched_its_rows(
    monkeypatch,
):
    """MariaDB checks the write in the COMMIT's round trip: a write that touched
    other rows stops what was sent after it, the COMMIT included."""
    from django.contrib.auth.models import Group
    from django.db import DatabaseError, transaction

    skip_unless_mariadb()
    group = Group.objects.create(name="before")
    update = "UPDATE auth_group SET name = %s WHERE id = %s"
    insert = "INSERT INTO auth_group (name) VALUES (%s)"
    trips = RoundTrips(monkeypatch)
    with transaction.atomic():
        Group.objects.count()
        connection.defer_write(update, ["after", group.pk], rows=1)
        connection.defer_write(insert, ["with it"])
    with pytest.raises(DatabaseError, match="touched 0 rows, not 1"), transaction.atomic():
        Group.objects.count()
        connection.defer_write(update, ["gone", -1], rows=1)
        connection.defer_write(insert, ["never committed"])
    assert trips.sent == [
        ["START", "SELECT"],
        ["UPDATE", "IF", "INSERT", "COMMIT"],
        ["START", "SELECT"],
        ["UPDATE", "IF", "INSERT", "COMMIT"],
    ]
    assert trips.ends == ["ROLLBACK"]
    monkeypatch.undo()
    assert query() == (1,)  # the session is in step
    names = other_session_rows("SELECT name FROM auth_group ORDER BY id")
    assert names == (("after",), ("with it",))
    assert query("SELECT @@in_transaction") == (0,)  # none left open on this session


def test_each_checked_write_is_checked_and_a_row_matched_unchanged_counts(monkeypatch):
    """Rows matched, not rows changed (Django's connections count found rows):
    an update that writes what the row holds touched it. Of two checked writes
    the second's miss stops the COMMIT as well."""
    from django.contrib.auth.models import Group
    from django.db import DatabaseError, transaction

    skip_unless_mariadb()
    group = Group.objects.create(name="same")
    update = "UPDATE auth_group SET name = %s WHERE id = %s"
    with transaction.atomic():
        Group.objects.count()
        connection.defer_write(update, ["same", group.pk], rows=1)  # matched, unchanged
        connection.defer_write(update, ["renamed", group.pk], rows=1)
    with pytest.raises(DatabaseError, match="touched 0 rows, not 1"), transaction.atomic():
        Group.objects.count()
        connection.defer_write(update, ["not committed", group.pk], rows=1)
        connection.defer_write(update, ["gone", -1], rows=1)
    assert query() == (1,)
    assert query("SELECT @@in_transaction") == (0,)
    assert other_session_rows("SELECT name FROM auth_group") == (("renamed",),)


def test_without_mariadbs_check_a_checked_write_goes_before_the_commit(monkeypatch):
    """MySQL runs no IF outside a routine: the write is checked in the round
    trip before the COMMIT's."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    group = Group.objects.create(name="before")
    monkeypatch.setattr(connection, "_mariadb", False)
    trips = RoundTrips(monkeypatch)
    with transaction.atomic():
        Group.objects.count()
        connection.defer_write(
            "UPDATE auth_group SET name = %s WHERE id = %s", ["after", group.pk], rows=1
        )
    assert trips.sent == [["START", "SELECT"], ["UPDATE"], ["COMMIT"]]
    monkeypatch.undo()
    assert other_session_rows("SELECT name FROM auth_group") == (("after",),)


def test_a_rolled_back_transaction_drops_its_owed_writes_and_none_is_owed_outside_one(
    monkeypatch,
):
    from django.contrib.auth.models import Group
    from django.db import transaction

    query()
    insert = "INSERT INTO auth_group (name) VALUES (%s)"
    assert not connection.defer_write(insert, ["no transaction"])  # the caller runs it
    trips = RoundTrips(monkeypatch)
    with pytest.raises(RuntimeError), transaction.atomic():
        connection.defer_write(insert, ["dropped"])
        raise RuntimeError
    with pytest.raises(RuntimeError), transaction.atomic():
        Group.objects.create(name="sent")
        connection.defer_write(insert, ["dropped too"])
        raise RuntimeError
    assert trips.sent == [["START", "INSERT"]] and trips.ends == ["ROLLBACK"]
    monkeypatch.undo()
    assert not Group.objects.exists()


def test_writes_deferred_in_a_savepoint_rolled_back_are_never_sent(monkeypatch):
    from django.contrib.auth.models import Group
    from django.db import transaction

    query()
    insert = "INSERT INTO auth_group (name) VALUES (%s)"
    trips = RoundTrips(monkeypatch)
    with transaction.atomic():
        Group.objects.create(name="outer")
        with pytest.raises(RuntimeError), transaction.atomic():
            connection.defer_write(insert, ["in the savepoint"])
            raise RuntimeError
        connection.defer_write(insert, ["after it"])
    assert [trip for trip in trips.sent if "INSERT" in trip] == [
        ["START", "INSERT"],
        ["INSERT", "COMMIT"],
    ]
    assert ["ROLLBACK"] in trips.sent  # ROLLBACK TO SAVEPOINT, alone
    monkeypatch.undo()
    assert sorted(Group.objects.values_list("name", flat=True)) == ["after it", "outer"]


def test_a_statement_with_bytes_that_are_no_text_carries_what_is_owed():
    from django.contrib.auth.models import Group
    from django.db import transaction

    with transaction.atomic():
        connection.defer_write("INSERT INTO auth_group (name) VALUES (%s)", ["owed"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT HEX(%s)", [b"\xff\x00\xfe"])
            assert cursor.fetchone() == ("FF00FE",)
    assert list(Group.objects.values_list("name", flat=True)) == ["owed"]


def test_a_session_knows_whether_its_commits_are_synced_as_the_server_says():
    flush, binary_log, sync = query(
        "SELECT @@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog"
    )
    synced = flush == 1 and (binary_log == 0 or sync == 1)
    assert connection.commits_durably() is synced


def test_a_server_without_innodb_s_setting_is_taken_as_not_syncing_its_commits():
    import MySQLdb

    from billing_site.db.mysql.base import _commits_durably

    class WithoutInnoDB:
        def query(self, sql):
            raise MySQLdb.OperationalError(1193, "Unknown system variable")

    assert _commits_durably(WithoutInnoDB()) is False
