"""A request log row spooled as a line of SQL values (MySQL and MariaDB): stored
exactly as its fields would be, never anything but its values, and JSON where a
value has no plain form (and on SQLite)."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone

from audit import sql_lines
from audit.models import RequestLog
from audit.services import _SpoolStore, request_log_insert, request_log_store
from audit.spool import Spool

pytestmark = pytest.mark.django_db
on_mysql = pytest.mark.skipif(connection.vendor != "mysql", reason="SQL lines are MySQL's")

NOW = timezone.now()
BASE = {
    "endpoint": "/checkPaymentStatus",
    "method": "POST",
    "status_code": 200,
    "request_body": '{"orderID": 1}',
    "response_body": "{}",
    "query_string": "",
    "client_address": "127.0.0.1",
    "duration_ms": "1.234",
    "timestamp": NOW,
}
HOSTILE = "'); DELETE FROM logs; -- \\' \" %s %% \x00 \n\r\t \x1a é 漢字 😀 X'00'"
ROWS = [
    {},
    {"user_id": None},
    {"request_body": HOSTILE, "response_body": HOSTILE * 300, "query_string": HOSTILE},
    {"endpoint": "/r/" + "é" * 200, "method": "DELETE", "status_code": 599},
    {"request_body": "", "response_body": "", "client_address": None},
    {"client_address": "2001:DB8::1"},
    {"client_address": "::ffff:10.0.0.1"},
    {"client_address": ""},
    {"duration_ms": "0.000"},
    {"duration_ms": "999999999.999"},
    {"duration_ms": "12.5"},
    {"timestamp": NOW.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))},
    {"timestamp": datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)},
]
COLUMNS = [column.attname for column in sql_lines.log_columns() if column.name != "request_id"]


def stored(request_id: str) -> dict:
    return RequestLog.objects.filter(request_id=request_id).values(*COLUMNS).get()


@on_mysql
@pytest.mark.parametrize("number,changes", list(enumerate(ROWS)))
def test_a_row_spooled_as_sql_values_is_stored_as_its_fields_would_be(
    number, changes, django_user_model
):
    user = django_user_model.objects.create(username=f"log-{number}")
    fields = {**BASE, "user_id": user.pk, **changes}
    line = _SpoolStore.line({**fields, "request_id": "as-sql"})
    assert not line.startswith(b"{") and line.endswith(b")\n")
    values = _SpoolStore.row(line.rstrip(b"\n"))
    assert type(values) is bytes
    request_log_insert([values])
    request_log_insert([{**fields, "request_id": "as-fields"}])
    assert stored("as-sql") == stored("as-fields")


@on_mysql
def test_a_time_in_another_zone_is_stored_as_the_same_moment():
    tokyo = NOW.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    line = _SpoolStore.line({**BASE, "timestamp": tokyo, "request_id": "tokyo"})
    request_log_insert([_SpoolStore.row(line.rstrip(b"\n"))])
    assert RequestLog.objects.get(request_id="tokyo").timestamp == NOW


@pytest.mark.parametrize(
    "changes",
    [
        {"request_body": "lone \ud800 surrogate"},  # no UTF-8: JSON says it with an escape
        {"duration_ms": "1e3"},
        {"status_code": "200"},
        {"status_code": True},
        {"user_id": "3"},
        {"timestamp": "not a time"},  # the field refuses it: the writer says so
    ],
)
def test_a_row_with_a_value_of_no_plain_form_is_spooled_as_json(changes):
    line = _SpoolStore.line({**BASE, "request_id": "json", **changes})
    assert line.startswith(b"{")
    assert _SpoolStore.row(line.rstrip(b"\n"))["request_id"] == "json"


@pytest.mark.skipif(connection.vendor == "mysql", reason="SQLite's rows")
def test_every_row_is_spooled_as_json_on_sqlite():
    assert _SpoolStore.line({**BASE, "request_id": "json"}).startswith(b'{"endpoint"')


def damaged(line: bytes) -> list[bytes]:
    signature, values = line[:12], line[12:]
    return [
        line[:-1],  # cut
        line + b",NULL",
        b"0" * 12 + values,  # another table's columns
        signature + values.replace(b"X'", b"X'00'),(X'", 1),
        signature + values.replace(b"200", b"200); DELETE FROM logs; --", 1),
        signature + values.upper(),
        signature + values.replace(b"NULL", b"null"),
        signature + values[:-1] + b",NULL)",
        signature + values.replace(b"'", b"", 1),
    ]


@on_mysql
def test_a_damaged_or_foreign_line_is_never_sent_as_sql():
    line = _SpoolStore.line({**BASE, "user_id": None, "request_id": "x"}).rstrip(b"\n")
    assert type(_SpoolStore.row(line)) is bytes
    for bad in damaged(line):
        row = _SpoolStore.row(bad)
        assert type(row) is dict, bad
        assert row["request_body"] == f"<spool line of {len(bad)} bytes could not be read>"


@on_mysql
def test_a_refused_row_among_sql_values_is_stored_reduced_and_takes_no_other_with_it(caplog):
    def values(request_id, **changes):
        line = _SpoolStore.line({**BASE, "request_id": request_id, **changes})
        return _SpoolStore.row(line.rstrip(b"\n"))

    request_log_store([values("good"), values("over", status_code=70000, endpoint="/big")])
    good, over = (RequestLog.objects.get(request_id=name) for name in ("good", "over"))
    assert (good.status_code, good.request_body) == (200, BASE["request_body"])
    assert (over.endpoint, over.method, over.status_code) == ("/big", "POST", 0)
    assert over.request_body.startswith("<not stored as sent")
    assert (over.timestamp, str(over.duration_ms)) == (NOW, "1.234")
    assert "stored reduced" in caplog.text


@on_mysql
def test_sql_values_and_json_fields_go_in_together():
    json_row = {**BASE, "request_id": "json", "duration_ms": "1e3"}
    line = _SpoolStore.line({**BASE, "request_id": "sql"})
    request_log_store([_SpoolStore.row(line.rstrip(b"\n")), json_row])
    assert sorted(RequestLog.objects.values_list("request_id", flat=True)) == ["json", "sql"]


@pytest.mark.django_db(transaction=True)
def test_the_spool_stores_its_lines_through_the_log_store(tmp_path):
    log = Spool(tmp_path, _SpoolStore(), linger=0.01)
    rows = [{**BASE, "request_id": f"spooled-{n}", "request_body": HOSTILE} for n in range(5)]
    for row in rows:
        log.append(row)
    assert log.flush()
    (written,) = tmp_path.glob("*.spool")
    assert written.read_bytes().startswith(b"{" if connection.vendor != "mysql" else b"")
    assert sorted(RequestLog.objects.values_list("request_id", flat=True)) == [
        row["request_id"] for row in rows
    ]
    assert set(RequestLog.objects.values_list("request_body", flat=True)) == {HOSTILE}


@on_mysql
def test_values_the_database_refuses_and_that_do_not_read_back_are_a_row_that_says_so(caplog):
    line = _SpoolStore.line({**BASE, "request_id": "odd"}).rstrip(b"\n")
    odd = line.replace(b"X'2f", b"X'f", 1)  # an odd number of hex digits: a damaged line
    good = _SpoolStore.line({**BASE, "request_id": "good"}).rstrip(b"\n")
    request_log_store([_SpoolStore.row(good), _SpoolStore.row(odd)])
    good_row, damaged_row = RequestLog.objects.order_by("id")
    assert good_row.request_id == "good"
    assert (damaged_row.endpoint, damaged_row.status_code) == ("", 0)
    assert damaged_row.request_body.startswith("<not stored as sent")
    assert "stored reduced" in caplog.text
