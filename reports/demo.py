"""Demo data for local use: services, a month of orders, a report, some usage."""

import datetime
from decimal import Decimal

from django.utils import timezone

from billing_site.money import to_minor
from invoices.models import Customer

from .models import BillingReport, Order, Service
from .services import (
    OrderInput,
    order_create_many,
    report_bill,
    report_generate,
    usage_record_many,
)

SERVICES = {"Picking": "0.85", "Packing": "0.40", "Shipping": "6.90"}
CUSTOMER = "10002"  # Acme Fulfilment Ltd, created by the payments demo
HALF = datetime.timedelta(days=14)


def seed(*, out=print) -> None:
    customer = Customer.objects.filter(account_number=CUSTOMER).first()
    if customer is None or Order.objects.filter(customer=customer).exists():
        return
    services = {name: Service.objects.get_or_create(name=name)[0] for name in SERVICES}
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    orders = [
        OrderInput(
            customer=customer,
            reference_number=f"ACME-{first:%Y%m}-{number:03d}",
            order_date=first + datetime.timedelta(days=number % (last.day)),
            costs=[
                (services[name], to_minor(Decimal(price) * (1 + number % 3), "USD"))
                for name, price in SERVICES.items()
            ],
        )
        for number in range(1, 41)
    ]
    order_create_many(orders=orders)
    if not BillingReport.objects.filter(customer=customer).exists():
        report = report_generate(customer=customer, start_date=first, end_date=last)
        out(f"created report {report.pk} for {customer.name} ({report.total_amount} USD)")
        # The first half of the period again, billed: a report with its invoice.
        half = report_generate(customer=customer, start_date=first, end_date=first + HALF)
        invoice, _ = report_bill(report=half)
        out(f"created report {half.pk} and billed it as invoice {invoice.number}")
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    usage_record_many(
        records=[
            {
                "customer": customer,
                "resource_id": f"i-{index:017x}",
                "resource_name": name,
                "service": service,
                "region": "us-west-1",
                "start_time": start + datetime.timedelta(hours=index),
                "end_time": start + datetime.timedelta(hours=index + 1),
                "duration": 3600,
                "cost": Decimal(cost),
            }
            for index, (name, service, cost) in enumerate(
                [("web-server-1", "EC2", "0.50"), ("db-server-1", "RDS", "1.00")] * 3
            )
        ]
    )
    out(f"created {len(orders)} orders and 6 usage records for {customer.name}")
