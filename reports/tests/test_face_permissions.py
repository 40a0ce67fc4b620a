"""Least privilege per face: every route of document 003 needs ``api.use_reports``,
and usage reporting, document 001's, ``api.use_invoices``, besides the model
permissions; a user holding every model permission but the face's is refused
with a 403 in the face's error shape."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from billing_site.testing import bearer_client
from invoices.tests.factories import CustomerFactory, UserFactory
from reports.services import report_generate
from reports.tests.factories import make_orders

pytestmark = pytest.mark.django_db

REFUSED = {"detail": "You do not have permission to use this API."}
USAGE = {
    "resource_id": "i-1",
    "service": "EC2",
    "start_time": "2022-01-01T00:00:00Z",
    "end_time": "2022-01-01T01:00:00Z",
    "cost": 0.5,
}


def user_with_every_permission_but(*faces: str):
    user = UserFactory()
    held = Permission.objects.exclude(
        content_type__app_label="api", codename__in=[f"use_{face}" for face in faces]
    )
    user.user_permissions.set(held)
    return user


@pytest.fixture
def report():
    customer, _, _ = make_orders(count=2)
    return report_generate(
        customer=customer, start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 1, 31)
    )


def reports_requests(report) -> list[tuple[str, str, object]]:
    customer = CustomerFactory()
    return [
        ("get", "/api/v2/reports/", None),
        ("get", "/api/v2/reports/?page=1", None),
        ("get", f"/api/v2/reports/{report.pk}/", None),
        ("get", f"/api/v2/reports/{report.pk}/download/?format=pdf", None),
        ("get", "/api/v2/reports/customer-summary/", None),
        (
            "post",
            "/api/v2/reports/generate/",
            {"customer_id": customer.pk, "start_date": "2023-01-01", "end_date": "2023-01-31"},
        ),
        ("get", "/api/v2/services/", None),
        ("post", "/api/v2/services/", {"name": "Packing"}),
        ("get", "/api/v2/orders/", None),
        ("post", "/api/v2/orders/", {}),
        ("post", f"/api/v2/reports/{report.pk}/invoice", {}),
    ]


USAGE_REQUESTS = [
    ("post", "/api/v1/usage/", USAGE),
    ("post", "/api/v1/usage/report", {"start_date": "2022-01-01", "end_date": "2022-01-31"}),
]


def call(client, method, path, body):
    return (
        getattr(client, method)(path, body, format="json") if body is not None else client.get(path)
    )


def test_the_reports_face_needs_its_permission(report):
    refused = bearer_client(user_with_every_permission_but("reports"))
    for method, path, body in reports_requests(report):
        response = call(refused, method, path, body)
        assert (response.status_code, response.json()) == (403, REFUSED), path
    # ... which is all it lacked: usage reporting is not the reports face.
    for method, path, body in USAGE_REQUESTS:
        assert call(refused, method, path, body).status_code in (200, 201), path


def test_usage_reporting_needs_the_invoices_face_permission(report):
    refused = bearer_client(user_with_every_permission_but("invoices"))
    for method, path, body in USAGE_REQUESTS:
        response = call(refused, method, path, body)
        assert (response.status_code, response.json()) == (403, REFUSED), path
    for method, path, body in reports_requests(report)[:5]:
        assert call(refused, method, path, body).status_code == 200, path


def test_the_face_permission_alone_reads_nothing(report):
    """The face's permission opens the face, not the data: model permissions still apply."""
    face_only = bearer_client(UserFactory(perms=["api.use_reports", "api.use_invoices"]))
    for method, path, body in [*reports_requests(report), *USAGE_REQUESTS]:
        response = call(face_only, method, path, body)
        assert response.status_code == 403, path
        assert set(response.json()) == {"detail"}
