"""Document 001's usage reporting sample replayed: its request, sent as written,
and its response (copied below as the document prints it), whose keys and JSON
types the service's answer must have, with the records the sample lists."""

import json
from decimal import Decimal

import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import UserFactory
from reports.tests.wire import content, exact_json, mismatches

pytestmark = pytest.mark.django_db

REQUEST = """
{
  "start_date": "2022-01-01",
  "end_date": "2022-01-31",
  "filters": {
    "region": "us-west-1",
    "service": "EC2"
  }
}
"""

RESPONSE = """
{
  "start_date": "2022-01-01",
  "end_date": "2022-01-31",
  "filters": {
    "region": "us-west-1",
    "service": "EC2"
  },
  "usage": [
    {
      "resource_id": "i-1234567890abcdef0",
      "resource_name": "web-server-1",
      "service": "EC2",
      "region": "us-west-1",
      "start_time": "2022-01-01T00:00:00Z",
      "end_time": "2022-01-01T01:00:00Z",
      "duration": 3600,
      "cost": 0.50
    },
    {
      "resource_id": "i-0987654321fedcba0",
      "resource_name": "db-server-1",
      "service": "RDS",
      "region": "us-west-1",
      "start_time": "2022-01-01T00:00:00Z",
      "end_time": "2022-01-01T01:00:00Z",
      "duration": 3600,
      "cost": 1.00
    }
  ],
  "total_cost": 1.50
}
"""


def parsed(text: str):
    return json.loads(text, parse_float=Decimal)


@pytest.fixture
def client():
    perms = ["reports.add_usagerecord", "reports.view_usagerecord", "api.use_invoices"]
    return bearer_client(UserFactory(perms=[*perms, VIEW_ALL_CUSTOMERS]))


def test_the_usage_report_as_the_document_shows(client):
    records = parsed(RESPONSE)["usage"]
    recorded = client.post("/api/v1/usage", records, format="json")
    assert recorded.status_code == 201
    assert mismatches(records, exact_json(recorded)) == []
    # The sample's filters keep its EC2 record; without them both are reported.
    response = client.post("/api/v1/usage/report", parsed(REQUEST), format="json")
    assert response.status_code == 200
    body = exact_json(response)
    assert mismatches(parsed(RESPONSE), body) == []
    assert [row["resource_id"] for row in body["usage"]] == ["i-1234567890abcdef0"]
    assert b'"cost":0.50' in content(response)
    assert b'"total_cost":0.50}' in content(response)
    unfiltered = {key: value for key, value in parsed(REQUEST).items() if key != "filters"}
    both = client.post("/api/v1/usage/report", unfiltered, format="json")
    assert b'"total_cost":1.50}' in content(both)
    assert mismatches(parsed(RESPONSE)["usage"], exact_json(both)["usage"]) == []
