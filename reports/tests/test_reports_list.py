"""``GET /api/v2/reports/`` and the customer summary: bare JSON arrays of every
matching row, streamed in batches read with a keyset on the list's order; one
page of them only when the client asks (``?page``, ``?page_size``)."""

import datetime
import re

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.api.views import ReportViewSet
from reports.models import BillingReport
from reports.tests.wire import exact_json

pytestmark = pytest.mark.django_db

PERMS = ["reports.view_billingreport", "api.use_reports", VIEW_ALL_CUSTOMERS]
# Every answer: the token deny-list, the user, the permissions, the log row.
FIXED_QUERIES = 4
START = datetime.datetime(2023, 2, 1, tzinfo=datetime.UTC)


@pytest.fixture
def user():
    return UserFactory(perms=PERMS)


def make_reports(count: int, customers=None) -> list[BillingReport]:
    """``count`` reports with totals and creation times that repeat (ties for
    the keyset to break), in bulk."""
    customers = customers or [CustomerFactory()]
    reports = BillingReport.objects.bulk_create(
        BillingReport(
            customer=customers[index % len(customers)],
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2023, 1, 31),
            total_minor=(index % 4) * 100,
            order_count=index % 3,
        )
        for index in range(count)
    )
    for index, report in enumerate(reports):
        report.created_at = START + datetime.timedelta(hours=index % 5)
    BillingReport.objects.bulk_update(reports, ["created_at"])
    return reports


def listed_ids(user, query="") -> list[int]:
    response = bearer_client(user).get(f"/api/v2/reports/{query}")
    assert response.status_code == 200
    assert response.streaming
    return [row["id"] for row in exact_json(response)]


@pytest.mark.parametrize(
    "query,ordering",
    [
        ("", ["-created_at", "-id"]),
        ("?order_by=total_amount", ["total_minor", "id"]),
        ("?order_by=-total_amount,created_at", ["-total_minor", "created_at", "id"]),
        ("?order_by=order_count&start_date=2023-01-01", ["order_count", "id"]),
    ],
)
def test_every_row_comes_back_in_order_past_50_and_across_batches(
    user, monkeypatch, query, ordering
):
    monkeypatch.setattr(ReportViewSet, "stream_batch_size", 7)
    make_reports(123)
    expected = list(BillingReport.objects.order_by(*ordering).values_list("id", flat=True))
    assert listed_ids(user, query) == expected
    assert len(expected) == 123


@pytest.mark.parametrize("rows,batch", [(5, 2), (12, 2), (12, 50), (0, 3)])
def test_the_stream_costs_one_query_a_batch(
    user, monkeypatch, django_assert_num_queries, rows, batch
):
    monkeypatch.setattr(ReportViewSet, "stream_batch_size", batch)
    make_reports(rows)
    # The last batch is the first one shorter than the batch size, maybe empty.
    with django_assert_num_queries(FIXED_QUERIES + rows // batch + 1):
        assert len(listed_ids(user)) == rows


@pytest.mark.parametrize("page_size", [2, 40])
def test_a_page_costs_the_same_whatever_its_size(user, django_assert_num_queries, page_size):
    make_reports(60)
    with django_assert_num_queries(FIXED_QUERIES + 2):  # the count and the page
        response = bearer_client(user).get(f"/api/v2/reports/?page_size={page_size}")
    assert len(exact_json(response)) == page_size


def test_pages_are_announced_in_link_and_x_total_count(user):
    reports = make_reports(5)
    expected = list(
        BillingReport.objects.order_by("-created_at", "-id").values_list("id", flat=True)
    )
    client = bearer_client(user)
    first = client.get("/api/v2/reports/?page_size=2")
    assert [row["id"] for row in exact_json(first)] == expected[:2]
    assert first["X-Total-Count"] == "5"
    assert re.fullmatch(
        r'<http://testserver/api/v2/reports/\?page=2&page_size=2>; rel="next"', first["Link"]
    )
    middle = client.get("/api/v2/reports/?page=2&page_size=2")
    assert [row["id"] for row in exact_json(middle)] == expected[2:4]
    assert 'rel="next"' in middle["Link"] and 'rel="prev"' in middle["Link"]
    last = client.get("/api/v2/reports/?page=3&page_size=2")
    assert [row["id"] for row in exact_json(last)] == expected[4:]
    assert 'rel="next"' not in last["Link"]
    # The default page size when only ?page is given; the bare list has no headers.
    assert len(exact_json(client.get("/api/v2/reports/?page=1"))) == len(reports)
    bare = client.get("/api/v2/reports/")
    assert "X-Total-Count" not in bare and "Link" not in bare


def test_a_page_past_the_last_is_a_404_in_the_faces_shape(user):
    make_reports(3)
    response = bearer_client(user).get("/api/v2/reports/?page=9")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_the_customer_summary_streams_every_customer_two_queries_a_batch(
    user, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(ReportViewSet, "stream_batch_size", 4)
    customers = [CustomerFactory() for _ in range(9)]
    make_reports(27, customers)
    with django_assert_num_queries(FIXED_QUERIES + 2 * 3):  # batches of 4, 4 and 1 customers
        rows = exact_json(bearer_client(user).get("/api/v2/reports/customer-summary/"))
    assert [row["customer_id"] for row in rows] == sorted(customer.pk for customer in customers)
    assert {row["report_count"] for row in rows} == {3}
    paged = bearer_client(user).get("/api/v2/reports/customer-summary/?page=2&page_size=4")
    assert [row["customer_id"] for row in exact_json(paged)] == [
        row["customer_id"] for row in rows[4:8]
    ]
    assert paged["X-Total-Count"] == "9"
