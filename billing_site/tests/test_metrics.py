"""GET /metrics: the HTTP metrics per face, the ledger's payments and refunds per
currency, the queues' depths; its token; and, under a real gunicorn, the counts
of every worker summed."""

import datetime
import os
import signal
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from audit.models import RequestLog, SpoolPosition
from billing_site.faces import face_of
from billing_site.testing import bearer_client, http_call, serve
from events.models import Event
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import InvoiceFactory, UserFactory
from invoices.tests.today import pin_today
from payments.selectors import payment_totals, refund_totals
from payments.services import payment_record, payment_refund
from webhooks.models import Delivery, WebhookEndpoint

TOKEN = "metrics-test-token-0123456789"


def parse(text: str) -> dict:
    """{(sample name, ((label, value), ...)): value} of a scrape."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: dict, name: str, **labels) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    return sum(
        found
        for (sample, sample_labels), found in samples.items()
        if sample == name and set(labels.items()) <= set(sample_labels)
    )


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape() -> dict:
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse(response.content.decode())


@pytest.mark.parametrize(
    "path, face",
    [
        ("/checkPaymentStatus", "gateway"),
        ("/login", "gateway"),
        ("/api/v1/invoices/", "invoices"),
        ("/api/v1/get_invoice_details/7", "isp"),
        ("/api/v2/reports/", "reports"),
        ("/api/collections/fees/bills", "bills"),
        ("/api/payments/abc", "bills"),
        ("/api/auth/token/", "api"),
        ("/admin/invoices/", "admin"),
    ],
)
def test_a_path_belongs_to_one_face(path, face):
    assert face_of(path) == face


# A request to each face, as a staff user: (method, path, face).
FACE_REQUESTS = [
    ("post", "/checkPaymentStatus", "gateway"),
    ("get", "/api/v1/invoices/", "invoices"),
    ("get", "/api/v1/get_all_invoice_ids/", "isp"),
    ("get", "/api/v2/reports/", "reports"),
    ("get", "/api/collections/", "bills"),
    ("get", "/api/v1/no-such-route", "invoices"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("method, path, face", FACE_REQUESTS)
def test_a_request_moves_its_face_counter_and_latency(metrics_on, staff_client, method, path, face):
    before = scrape()
    response = getattr(staff_client, method)(path, {}, format="json")
    after = scrape()
    series = {"face": face, "method": method.upper(), "status": str(response.status_code)}
    assert value(after, "billing_http_requests_total", **series) == (
        value(before, "billing_http_requests_total", **series) + 1
    )
    # That request and no other: the scrapes themselves are not counted.
    assert total(after, "billing_http_requests_total") == (
        total(before, "billing_http_requests_total") + 1
    )
    count = "billing_http_request_duration_seconds_count"
    assert value(after, count, face=face) == value(before, count, face=face) + 1
    assert value(after, "billing_http_request_duration_seconds_bucket", face=face, le="+Inf") == (
        value(before, "billing_http_request_duration_seconds_bucket", face=face, le="+Inf") + 1
    )


@pytest.mark.django_db
def test_the_latency_buckets_span_5_ms_to_10_s(metrics_on, staff_client):
    staff_client.get("/api/v1/invoices/")
    buckets = {
        dict(labels)["le"]
        for name, labels in scrape()
        if name == "billing_http_request_duration_seconds_bucket"
    }
    assert {"0.005", "0.1", "1.0", "10.0", "+Inf"} <= buckets


@pytest.mark.django_db
def test_a_method_nobody_uses_is_counted_as_other(metrics_on, staff_client):
    before = scrape()
    staff_client.generic("BREW", "/api/v1/invoices/")
    assert total(scrape(), "billing_http_requests_total", method="other") == (
        total(before, "billing_http_requests_total", method="other") + 1
    )


@pytest.mark.django_db
def test_scrapes_and_probes_are_neither_counted_nor_logged(metrics_on):
    before, rows = scrape(), RequestLog.objects.count()
    Client().get("/healthz")
    Client().get("/metrics")  # without the token: a 401, not counted either
    after = scrape()
    assert total(after, "billing_http_requests_total") == total(
        before, "billing_http_requests_total"
    )
    assert RequestLog.objects.count() == rows


@pytest.fixture
def cashier_client(monkeypatch):
    pin_today(monkeypatch, datetime.date(2026, 1, 15))  # the factory's invoices are not due yet
    perms = ["api.use_invoices", "invoices.view_invoice", "payments.view_payment"]
    return bearer_client(UserFactory(perms=[*perms, "payments.add_payment", VIEW_ALL_CUSTOMERS]))


def pay(client, amount: str, currency: str = "USD"):
    invoice = InvoiceFactory(amount=Decimal("1000"), currency=currency)
    response = client.post(
        f"/api/v1/invoices/{invoice.pk}/payments",
        {"amount": amount, "method": "cash"},
        format="json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_payments_and_their_amounts_per_currency(metrics_on, cashier_client):
    for amount in ("10.10", "20.15", "0.05", "20.15"):
        pay(cashier_client, amount)
    pay(cashier_client, "1.005", "IQD")
    pay(cashier_client, "500", "JPY")
    samples = scrape()
    assert value(samples, "billing_payments_total", currency="USD") == 4
    assert value(samples, "billing_payments_amount_total", currency="USD") == 50.45
    assert value(samples, "billing_payments_total", currency="IQD") == 1
    assert value(samples, "billing_payments_amount_total", currency="IQD") == 1.005
    assert value(samples, "billing_payments_amount_total", currency="JPY") == 500
    # Summed as Decimals (never as SQLite's floats):
    assert payment_totals() == {
        "USD": (4, Decimal("50.45")),
        "IQD": (1, Decimal("1.005")),
        "JPY": (1, Decimal("500")),
    }


@pytest.mark.django_db
def test_refunds_and_their_amounts_per_currency(metrics_on):
    for amount, refunded in (("100.00", "0.10"), ("50.00", "0.20")):
        invoice = InvoiceFactory(amount=Decimal(amount))
        payment = payment_record(invoice_id=invoice.pk, amount=Decimal(amount), method="cash")
        payment_refund(payment_id=payment.pk, amount=Decimal(refunded), reason="goodwill")
    samples = scrape()
    assert value(samples, "billing_refunds_total", currency="USD") == 2
    assert value(samples, "billing_refunds_amount_total", currency="USD") == 0.3
    assert refund_totals() == {"USD": (2, Decimal("0.30"))}
    assert value(samples, "billing_payments_amount_total", currency="USD") == 150


@pytest.mark.django_db
def test_the_queue_gauges(metrics_on, settings, tmp_path):
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    (tmp_path / "host-1-1-000001.spool").write_bytes(b"x" * 100)
    (tmp_path / "host-2-1-000001.spool").write_bytes(b"y" * 30)
    SpoolPosition.objects.create(segment="host-1-1-000001.spool", offset=40)
    endpoint = WebhookEndpoint.objects.create(url="https://example.com/hook", secret="whsec_x")
    events = [Event.objects.create(type="invoice.paid", data={}) for _ in range(3)]
    Event.objects.filter(pk=events[0].pk).update(relayed_at=events[0].created_at)
    for event, status in zip(events, ("pending", "pending", "succeeded"), strict=True):
        Delivery.objects.create(event=event, endpoint=endpoint, status=status)
    samples = scrape()
    assert value(samples, "billing_request_log_spool_bytes") == 60 + 30
    assert value(samples, "billing_webhook_deliveries_pending") == 2
    assert value(samples, "billing_outbox_events_unrelayed") == 2
    assert value(samples, "billing_metrics_source_up", source="ledger") == 1
    assert value(samples, "billing_metrics_source_up", source="queues") == 1


@pytest.mark.django_db
def test_a_scrape_costs_a_few_queries_whatever_the_ledger(
    metrics_on, settings, tmp_path, django_assert_max_num_queries
):
    settings.REQUEST_LOG_SPOOL_DIR = str(tmp_path)
    (tmp_path / "host-1-1-000001.spool").write_bytes(b"x")
    for amount in ("1.00", "2.00", "3.00"):
        invoice = InvoiceFactory(amount=Decimal(amount))
        payment_record(invoice_id=invoice.pk, amount=Decimal(amount), method="cash")
    # Payments, refunds, the spool's positions, pending deliveries, unrelayed events.
    with django_assert_max_num_queries(5):
        scrape()


@pytest.mark.django_db
def test_a_source_that_fails_is_left_out_and_said(metrics_on, monkeypatch):
    def broken():
        raise RuntimeError("the database is down")

    monkeypatch.setattr("billing_site.metrics_view.payment_totals", broken)
    samples = scrape()
    assert value(samples, "billing_metrics_source_up", source="ledger") == 0
    assert value(samples, "billing_metrics_source_up", source="queues") == 1
    assert not total(samples, "billing_payments_total")


@pytest.mark.django_db
def test_without_a_token_set_the_endpoint_is_off(settings):
    settings.METRICS_TOKEN = ""
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer "}):
        response = Client().get("/metrics", **header)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"bearer {TOKEN}", TOKEN, "Basic eDp5"],
)
def test_a_missing_or_wrong_token_is_a_401(metrics_on, authorization):
    header = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().get("/metrics", **header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "A valid metrics token is required."}


@pytest.mark.django_db
def test_only_get_with_the_token(metrics_on):
    response = Client().post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 405


def scrape_server(base: str) -> dict:
    request = urllib.request.Request(f"{base}/metrics")
    request.add_header("Authorization", f"Bearer {TOKEN}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return parse(response.read().decode())


def worker_files(directory) -> set[int]:
    """The workers that counted a request (prometheus_client names its files by pid)."""
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob("counter_*.db")}


@pytest.mark.server
def test_two_gunicorn_workers_counts_are_summed_in_every_scrape(tmp_path):
    directory = tmp_path / "metrics"
    with serve(
        tmp_path, workers=2, METRICS_TOKEN=TOKEN, PROMETHEUS_MULTIPROC_DIR=str(directory)
    ) as server:
        workers = set(server.worker_pids())

        def check(_):
            status, _ = http_call(
                f"{server.base}/checkPaymentStatus", {"orderID": "none"}, token=server.token
            )
            return status

        sent = 1  # serve()'s login
        deadline = time.monotonic() + 60
        while worker_files(directory) != workers:  # until both workers answered some
            assert time.monotonic() < deadline, (worker_files(directory), workers)
            with ThreadPoolExecutor(4) as pool:
                sent += len(list(pool.map(check, range(20))))
        # Whichever worker answers a scrape, it counts every worker's requests.
        for _ in range(6):
            samples = scrape_server(server.base)
            assert total(samples, "billing_http_requests_total") == sent
            assert total(samples, "billing_http_requests_total", face="gateway", method="POST") == (
                sent
            )
            assert value(
                samples, "billing_http_request_duration_seconds_count", face="gateway"
            ) == (sent)
        # A worker killed outright: its counts stay, its successor adds to them.
        os.kill(min(workers), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(set(server.worker_pids()) - {min(workers)}) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        with ThreadPoolExecutor(4) as pool:
            sent += len(list(pool.map(check, range(8))))
        assert total(scrape_server(server.base), "billing_http_requests_total") == sent
