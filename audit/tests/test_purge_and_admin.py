from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import RequestLog

pytestmark = pytest.mark.django_db


def make_log(age_days, **fields):
    log = RequestLog.objects.create(
        endpoint=fields.get("endpoint", "/getAllBilling"),
        method="GET",
        status_code=fields.get("status_code", 200),
        duration_ms=Decimal("1.5"),
        request_id="r",
    )
    RequestLog.objects.filter(pk=log.pk).update(timestamp=timezone.now() - timedelta(days=age_days))
    return log


def purge(*args):
    out = StringIO()
    call_command("purge_request_logs", *args, stdout=out)
    return out.getvalue()


def test_purge_deletes_only_old_rows_in_batches():
    old = [make_log(100) for _ in range(5)]
    recent = make_log(10)
    output = purge("--older-than", "90", "--batch-size", "2", "-v", "2")
    assert list(RequestLog.objects.all()) == [recent]
    assert "Deleted 5 request log rows." in output
    assert output.count("so far") == 3  # batches of 2, 2 and 1
    assert not RequestLog.objects.filter(pk__in=[log.pk for log in old]).exists()


def test_purge_says_as_much_as_its_verbosity():
    make_log(100)
    make_log(100)
    assert purge("--older-than", "90", "--batch-size", "1") == "Deleted 2 request log rows.\n"
    make_log(100)
    assert purge("--older-than", "90", "-v", "0") == ""
    assert not RequestLog.objects.exists()


def test_a_dry_run_counts_and_deletes_nothing():
    make_log(100)
    make_log(10)
    assert purge("--older-than", "90", "--dry-run") == (
        "Dry run: 1 request log rows are older than 90 days.\n"
    )
    assert "Dry run: 2 request log rows" in purge("--older-than", "0", "--dry-run")
    assert RequestLog.objects.count() == 2


def test_purging_every_row_needs_yes():
    make_log(0)
    make_log(100)
    with pytest.raises(CommandError, match=r"^--older-than 0 deletes every request log row"):
        purge("--older-than", "0")
    assert RequestLog.objects.count() == 2
    assert "Deleted 2 request log rows." in purge("--older-than", "0", "--yes")
    assert not RequestLog.objects.exists()


@pytest.mark.parametrize(
    "args,message",
    [
        (["--older-than", "-1"], "--older-than must be 0 to 36500 days, not -1"),
        (["--older-than", "99999999"], "--older-than must be 0 to 36500 days, not 99999999"),
        (["--older-than", "9", "--batch-size", "0"], "--batch-size must be 1 or more, not 0"),
        (["--older-than", "x"], "Error: argument --older-than: invalid int value: 'x'"),
        ([], "Error: the following arguments are required: --older-than"),
    ],
)
def test_purge_refuses_bad_arguments(args, message):
    make_log(100)
    with pytest.raises(CommandError) as raised:
        purge(*args)
    assert str(raised.value) == message
    assert RequestLog.objects.count() == 1


def test_admin_lists_filters_and_searches_the_log(admin_client):
    make_log(1, endpoint="/checkPaymentStatus", status_code=404)
    make_log(1, endpoint="/getAllBilling", status_code=200)
    page = admin_client.get("/admin/audit/requestlog/")
    assert page.status_code == 200
    assert b"/checkPaymentStatus" in page.content
    for query in ("?status_class=4", "?status_code=404", "?method=GET", "?q=checkPayment"):
        filtered = admin_client.get(f"/admin/audit/requestlog/{query}")
        assert filtered.status_code == 200
        assert b"/checkPaymentStatus" in filtered.content
        if query != "?method=GET":
            assert b"/getAllBilling</" not in filtered.content


def test_admin_log_is_read_only(admin_client):
    log = make_log(1)
    assert admin_client.get("/admin/audit/requestlog/add/").status_code == 403
    detail = admin_client.get(f"/admin/audit/requestlog/{log.pk}/change/")
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert (
        admin_client.post(f"/admin/audit/requestlog/{log.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert RequestLog.objects.filter(pk=log.pk).exists()


def test_the_log_list_shows_seconds_duration_and_request_id(admin_client, settings):
    log = make_log(0, endpoint="/checkPaymentStatus")
    moment = timezone.make_aware(datetime(2026, 12, 6, 8, 1, 33, 500000), UTC)
    RequestLog.objects.filter(pk=log.pk).update(
        timestamp=moment, duration_ms=Decimal("1234.567"), request_id="req-42"
    )
    listing = admin_client.get("/admin/audit/requestlog/?q=checkPayment").content.decode()
    assert '<span class="nowrap">2026-12-06 08:01:33</span>' in listing
    assert '<td class="field-duration">1,234.6</td>' in listing
    assert '<td class="field-request_id">req-42</td>' in listing
    assert "Duration (ms)" in listing
    # In the site's time zone. (The list's date links need the database to know
    # the zone: MariaDB only with its time zone tables loaded.)
    settings.TIME_ZONE = "Asia/Tokyo"
    page = admin_client.get(f"/admin/audit/requestlog/{log.pk}/change/").content.decode()
    assert "2026-12-06 17:01:33" in page and "req-42" in page
