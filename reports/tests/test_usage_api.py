from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.models import UsageRecord
from reports.tests.wire import content, exact_json

pytestmark = pytest.mark.django_db

# Usage reporting is document 001's: the invoices face's permission.
FACE = "api.use_invoices"
PERMS = ["reports.add_usagerecord", "reports.view_usagerecord", FACE]
EC2 = {
    "resource_id": "i-1234567890abcdef0",
    "resource_name": "web-server-1",
    "service": "EC2",
    "region": "us-west-1",
    "start_time": "2022-01-01T00:00:00Z",
    "end_time": "2022-01-01T01:00:00Z",
    "duration": 3600,
    "cost": 0.50,
}
RDS = {
    **EC2,
    "resource_id": "i-0987654321fedcba0",
    "resource_name": "db-server-1",
    "service": "RDS",
    "cost": "1.00",
}


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


def test_record_one_or_many(client):
    one = client.post("/api/v1/usage/", EC2, format="json")
    assert one.status_code == 201
    assert b'"cost":0.50' in content(one)
    many = client.post(
        "/api/v1/usage",
        [
            RDS,
            {
                **EC2,
                "start_time": "2022-02-01T00:00:00Z",
                "end_time": "2022-02-01T00:30:00Z",
                "duration": None,
            },
        ],
        format="json",
    )
    assert many.status_code == 400  # duration null
    many = client.post(
        "/api/v1/usage",
        [RDS, {key: value for key, value in EC2.items() if key != "duration"}],
        format="json",
    )
    assert many.status_code == 201
    assert [row["duration"] for row in exact_json(many)] == [3600, 3600]
    assert UsageRecord.objects.count() == 3


def test_the_documents_usage_report(client):
    client.post(
        "/api/v1/usage/",
        [
            EC2,
            RDS,
            {**EC2, "region": "eu-west-1", "cost": "7"},
            {**EC2, "start_time": "2022-02-01T00:00:00Z", "end_time": "2022-02-01T01:00:00Z"},
        ],
        format="json",
    )
    response = client.post(
        "/api/v1/usage/report",
        {"start_date": "2022-01-01", "end_date": "2022-01-31", "filters": {"region": "us-west-1"}},
        format="json",
    )
    assert response.status_code == 200
    body = exact_json(response)
    assert body["start_date"] == "2022-01-01" and body["end_date"] == "2022-01-31"
    assert body["filters"] == {"region": "us-west-1"}
    assert [(row["resource_id"], str(row["cost"])) for row in body["usage"]] == [
        ("i-1234567890abcdef0", "0.50"),
        ("i-0987654321fedcba0", "1.00"),
    ]
    assert body["usage"][0]["start_time"] == "2022-01-01T00:00:00Z"
    assert str(body["total_cost"]) == "1.50"
    ec2 = exact_json(
        client.post(
            "/api/v1/usage/report",
            {
                "start_date": "2022-01-01",
                "end_date": "2022-01-31",
                "filters": {"region": "us-west-1", "service": "EC2"},
            },
            format="json",
        )
    )
    assert str(ec2["total_cost"]) == "0.50"
    everything = exact_json(
        client.post(
            "/api/v1/usage/report/",
            {"start_date": "2022-01-01", "end_date": "2022-12-31"},
            format="json",
        )
    )
    assert str(everything["total_cost"]) == "9.00"
    assert everything["filters"] == {}


def test_costs_sum_exactly(client):
    client.post("/api/v1/usage/", [{**EC2, "cost": "0.1"}] * 2, format="json")
    client.post("/api/v1/usage/", {**EC2, "cost": Decimal("0.000125")}, format="json")
    response = client.post(
        "/api/v1/usage/report",
        {"start_date": "2022-01-01", "end_date": "2022-01-01"},
        format="json",
    )
    # Two places at least, more where a cost has them; never through a float.
    assert [str(row["cost"]) for row in exact_json(response)["usage"]] == [
        "0.10",
        "0.10",
        "0.000125",
    ]
    assert b'"total_cost":0.200125}' in content(response)


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"cost": "-1"}, "cost"),
        ({"cost": "0.0000001"}, "cost"),
        ({"cost": "abc"}, "cost"),
        ({"start_time": "yesterday"}, "start_time"),
        ({"cost": "1000000000"}, "cost"),
        ({"cost": True}, "cost"),
        ({"end_time": "2021-12-31T00:00:00Z"}, "end_time"),
        ({"duration": -5}, "duration"),
        ({"service": ""}, "service"),
        ({"customer_id": 999999}, "customer_id"),
    ],
)
def test_bad_usage_records_are_400(client, changes, field):
    response = client.post("/api/v1/usage/", {**EC2, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not UsageRecord.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"end_date": "2022-01-31"}, "start_date"),
        ({"start_date": "2022-02-30", "end_date": "2022-03-01"}, "start_date"),
        ({"start_date": "01/01/2022", "end_date": "2022-03-01"}, "start_date"),
        ({"start_date": "2022-01-01", "end_date": "20220301"}, "end_date"),
        ({"start_date": "2022-02-01", "end_date": "2022-01-01"}, "end_date"),
        (
            {"start_date": "2022-01-01", "end_date": "2022-01-31", "filters": {"zone": "a"}},
            "filters",
        ),
        ({"start_date": "2022-01-01", "end_date": "2022-01-31", "filters": "EC2"}, "filters"),
    ],
)
def test_bad_usage_report_requests_are_400(client, body, field):
    response = client.post("/api/v1/usage/report", body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_usage_permissions_and_customer_isolation():
    mine, other = CustomerFactory(), CustomerFactory()
    staff = bearer_client(UserFactory(is_staff=True, is_superuser=True))
    staff.post(
        "/api/v1/usage/",
        [{**EC2, "customer_id": mine.pk}, {**RDS, "customer_id": other.pk}],
        format="json",
    )
    user = UserFactory(perms=PERMS)
    mine.users.add(user)
    body = exact_json(
        bearer_client(user).post(
            "/api/v1/usage/report",
            {"start_date": "2022-01-01", "end_date": "2022-01-31"},
            format="json",
        )
    )
    assert [row["service"] for row in body["usage"]] == ["EC2"]
    assert (
        bearer_client(UserFactory()).post("/api/v1/usage/", EC2, format="json").status_code == 403
    )


def test_a_usage_report_is_bounded(client, settings):
    settings.USAGE_REPORT_MAX_RECORDS = 2
    client.post("/api/v1/usage/", [EC2, RDS, EC2], format="json")
    response = client.post(
        "/api/v1/usage/report",
        {"start_date": "2022-01-01", "end_date": "2022-01-31"},
        format="json",
    )
    assert response.status_code == 400
    assert "More than 2 usage records" in str(response.json())
