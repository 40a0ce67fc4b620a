"""Demo data for local use: a collection with one bill to pay from its page and a
monthly one, the master of its series."""

import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Bill, Collection
from .pages import bill_path
from .services import bill_create, collection_create


def seed(*, out=print) -> None:
    if Collection.objects.filter(code="demo").exists():
        return
    collection = collection_create(
        code="demo", title="Demo collection", organization_name="Demo Organisation"
    )
    bill = bill_create(
        collection=collection,
        due=timezone.localdate() + datetime.timedelta(days=14),
        ref1="Membership 2026",
        ref2="Order 1001",
        currency="MYR",
        customer={
            "acc_no": "911111111111",
            "first_name": "Raudhah",
            "last_name": "Pay",
            "address": "1 Jalan Demo",
            "email": "payer@example.com",
            "mobile": "60123456789",
        },
        products=[
            {"title": "product 1", "price": Decimal("10.00"), "quantity": Decimal("10")},
            {"title": "product 2", "price": Decimal("5.00"), "quantity": Decimal("1")},
        ],
    )
    out(f"created collection demo with bill {bill.bill_no}: http://127.0.0.1:8000{bill_path(bill)}")
    master = bill_create(
        collection=collection,
        due=timezone.localdate() + datetime.timedelta(days=7),
        ref1="Membership (monthly)",
        ref2="Member 42",
        currency="MYR",
        customer={"acc_no": "911111111112", "first_name": "Aminah", "email": "aminah@example.com"},
        products=[{"title": "Monthly fee", "price": Decimal("30.00"), "quantity": Decimal("1")}],
        recurring=Bill.Recurring.MONTHLY,
    )
    out(f"created monthly bill {master.bill_no}, its next on {master.rbill_date}")
