"""Money is exact on SQLite and MariaDB alike up to each currency's maximum,
one minor unit below 10 ** (15 - places): SQLite keeps decimals as doubles,
exact to 15 significant digits. The maximum itself makes the round trip through
the API and the database unchanged; one unit more, or a total computed over it,
is a 400 in the face's shape and nothing is stored."""

from decimal import Decimal

import pytest

from billing_site.money import currency_exponent, max_amount
from billing_site.testing import bearer_client
from bills.models import Bill, Collection, Product
from invoices.models import Customer, Invoice, InvoiceLine
from invoices.tests.factories import UserFactory
from invoices.tests.json_bodies import number, parsed
from payments.models import Payment
from reports.models import BillingReport, Order, OrderServiceCost, Service, UsageRecord

pytestmark = pytest.mark.django_db

MAXIMA = {
    "JPY": "999999999999999",
    "USD": "9999999999999.99",
    "IQD": "999999999999.999",
    "CLF": "99999999999.9999",
}


def unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-currency_exponent(currency))


@pytest.fixture
def staff():
    return bearer_client(UserFactory(is_staff=True, is_superuser=True))


@pytest.fixture
def customer():
    return Customer.objects.create(name="Big", account_number="BIG-1")


def create(client, customer, currency, **fields):
    body = {
        "customer_id": customer.pk,
        "date": "2026-01-01",
        "due_date": "2026-01-31",
        "currency": currency,
        "status": "open",
        **fields,
    }
    return client.post("/api/v1/invoices/", body, format="json")


def test_each_currencys_maximum_has_fifteen_significant_digits():
    for currency, expected in MAXIMA.items():
        assert max_amount(currency) == Decimal(expected)
        assert len(Decimal(expected).as_tuple().digits) == 15


@pytest.mark.parametrize("currency", MAXIMA)
def test_the_maximum_makes_the_round_trip_exactly_and_one_unit_more_is_refused(
    staff, customer, currency
):
    top = max_amount(currency)
    response = create(staff, customer, currency, amount=str(top))
    assert response.status_code == 201, response.content
    assert number(parsed(response)["total"]) == str(top)  # a JSON number, every digit
    invoice = Invoice.objects.get(pk=response.json()["id"])  # read back from the database
    assert (invoice.total, invoice.subtotal) == (top, top)
    assert InvoiceLine.objects.get(invoice=invoice).unit_price == top
    read_back = parsed(staff.get(f"/api/v1/invoices/{invoice.pk}/"))
    assert number(read_back["total"]) == str(top)
    pay = staff.post(
        f"/api/v1/invoices/{invoice.pk}/payments",
        {"amount": str(top), "method": "cash"},
        format="json",
    )
    assert pay.status_code == 201, pay.content
    assert Payment.objects.get(invoice=invoice).amount == top
    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid) == ("paid", top)

    over = create(staff, customer, currency, amount=str(top + unit(currency)))
    assert over.status_code == 400
    assert "amount" in over.json()
    assert Invoice.objects.count() == 1


@pytest.mark.parametrize("amount", ["123456789012345.67", "999999999999999.99", "10000000000000"])
def test_amounts_a_double_would_alter_are_refused_not_stored(staff, customer, amount):
    response = create(staff, customer, "USD", amount=amount)
    assert response.status_code == 400
    assert "amount" in response.json()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "lines",
    [
        # Two lines within the maximum whose sum is not.
        [{"price": "5000000000000.00"}, {"price": "5000000000000.00"}],
        # A price within it, times a quantity.
        [{"price": "5000000000000.00", "quantity": "2"}],
        # The maximum plus its tax.
        [{"price": "9999999999999.99", "tax_rate": "10"}],
    ],
)
def test_a_total_over_the_maximum_is_refused_and_nothing_stays(staff, customer, lines):
    items = [{"description": "x", **line} for line in lines]
    response = create(staff, customer, "USD", line_items=items)
    assert response.status_code == 400, response.content
    assert "at most 9,999,999,999,999.99 USD" in str(response.json())
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


def test_a_total_at_the_maximum_from_lines_is_exact(staff, customer):
    items = [
        {"description": "a", "price": "4999999999999.99", "quantity": "1"},
        {"description": "b", "price": "5000000000000.00", "quantity": "1"},
    ]
    response = create(staff, customer, "USD", line_items=items)
    assert response.status_code == 201, response.content
    assert Invoice.objects.get().total == Decimal("9999999999999.99")


BILL = {
    "due": "2030-06-25",
    "ref1": "a",
    "ref2": "b",
    "currency": "MYR",
    "customer": {"acc_no": "911111111111", "first_name": "A"},
}


def test_bills_keep_the_maximum_exact_and_refuse_more(staff):
    Collection.objects.create(code="big", title="Big")
    top = max_amount("MYR")
    product = [{"title": "p", "price": str(top), "quantity": 1}]
    response = staff.post("/api/collections/big/bills", {**BILL, "product": product}, format="json")
    assert response.status_code == 200, response.content
    bill = Bill.objects.select_related("invoice").get()
    assert bill.invoice.total == top
    assert Product.objects.get().price == top
    for product in (
        [{"title": "q", "price": str(top + unit("MYR")), "quantity": 1}],
        [{"title": "q", "price": str(top), "quantity": 2}],
        [
            {"title": "q", "price": str(top), "quantity": 1},
            {"title": "r", "price": "1", "quantity": 1},
        ],
    ):
        response = staff.post(
            "/api/collections/big/bills", {**BILL, "product": product}, format="json"
        )
        assert response.status_code in (400, 422), response.content
        assert set(response.json()) == {"message", "errors"}
    assert Bill.objects.count() == Invoice.objects.count() == 1


def test_usage_costs_stay_exact_up_to_their_maximum(staff):
    usage = {
        "resource_id": "i-1",
        "service": "EC2",
        "start_time": "2022-01-01T00:00:00Z",
        "end_time": "2022-01-01T01:00:00Z",
    }
    top = "999999999.999999"  # six places: below 10 ** 9
    response = staff.post("/api/v1/usage/", {**usage, "cost": top}, format="json")
    assert response.status_code == 201, response.content
    assert UsageRecord.objects.get().cost == Decimal(top)
    response = staff.post("/api/v1/usage/", {**usage, "cost": "1000000000"}, format="json")
    assert response.status_code == 400
    assert UsageRecord.objects.count() == 1


def test_a_report_whose_total_is_over_the_maximum_is_refused(staff, customer):
    services = Service.objects.bulk_create([Service(name=f"S{n}") for n in range(100)])
    orders = Order.objects.bulk_create(
        [
            Order(customer=customer, reference_number=f"R{n}", order_date="2023-01-15")
            for n in range(101)
        ]
    )
    # Each cost just below the reports face's own bound (10 ** 9): 10,100 of them
    # add up to more than 10 ** 13.
    OrderServiceCost.objects.bulk_create(
        OrderServiceCost(order=order, service=service, amount_minor=99_999_999_999)
        for order in orders
        for service in services
    )
    response = staff.post(
        "/api/v2/reports/generate/",
        {"customer_id": customer.pk, "start_date": "2023-01-01", "end_date": "2023-01-31"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "at most 9,999,999,999,999.99" in response.json()["error"]
    assert not BillingReport.objects.exists()
