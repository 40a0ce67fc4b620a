"""Demo data for local use: the sample record of document 000 and a few more."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q

from billing_site.api.models import face_permission
from billing_site.money import format_amount
from invoices.models import VIEW_ALL_CUSTOMERS, Customer, Invoice
from invoices.services import LineInput, customer_create, invoice_create

from .models import Payment
from .services import payment_record, payment_refund

ADMIN = ("admin", "password")
GATEWAY_USER = ("gateway", "gateway-demo-password")

CUSTOMERS = [
    {
        "account_number": "73737373",
        "name": "Ahmed Rahman",
        "first_name": "Ahmed",
        "last_name": "Rahman",
        "email": "ahmed.rahman@example.com",
        "city": "Baghdad",
        "country": "IQ",
    },
    {
        "account_number": "10001",
        "name": "John Doe",
        "first_name": "John",
        "last_name": "Doe",
        "email": "john.doe@example.com",
        "street": "123 Main St",
        "city": "Anytown",
        "state": "CA",
        "zip": "12345",
        "country": "US",
    },
    {
        "account_number": "10002",
        "name": "Acme Fulfilment Ltd",
        "email": "billing@acme.example",
        "street": "1 Dock Road",
        "city": "London",
        "zip": "E1 1AA",
        "country": "GB",
        "tax_number": "GB123456789",
    },
    # Names in other scripts: the documents print them as they are written.
    {
        "account_number": "73737374",
        "name": "شركة النور للإنترنت",
        "email": "accounts@alnoor.example",
        "street": "شارع الجمهورية 12",
        "city": "البصرة",
        "country": "IQ",
    },
    {
        "account_number": "86000001",
        "name": "北京云数据有限公司",
        "email": "finance@yunshuju.example",
        "street": "朝阳区建国路 88 号",
        "city": "北京",
        "country": "CN",
    },
    {
        "account_number": "33000001",
        "name": "Café Zoë Ñandú SARL",
        "email": "compta@cafe-zoe.example",
        "street": "3 rue de l'Église",
        "city": "Lyon",
        "zip": "69002",
        "country": "FR",
    },
]

# (number, order id, customer account, currency, [(description, qty, price, tax %)], paid)
INVOICES = [
    ("333333", "4499494", "73737373", "IQD", [("test", "1", "50000", "0")], None),
    (
        "333334",
        "4499495",
        "73737373",
        "IQD",
        [("2 Mbps Profile - monthly", "1", "25000", "0")],
        "all",
    ),
    ("INV-1001", "ORD-1001", "10001", "USD", [("Product 1", "2", "50.00", "10")], None),
    (
        "INV-1002",
        "ORD-1002",
        "10001",
        "USD",
        [("Consulting hours", "3.5", "80.00", "0"), ("Hosting", "1", "19.99", "20")],
        "20.00",
    ),
    ("INV-2001", "ORD-2001", "10002", "GBP", [("Pick and pack", "120", "0.85", "20")], None),
    (
        "333335",
        "4499496",
        "73737374",
        "IQD",
        [("اشتراك إنترنت 10 ميغابت - شهري", "1", "35000", "0")],
        "15000",
    ),
    (
        "CN-0001",
        "CN-ORD-0001",
        "86000001",
        "CNY",
        [("云服务器月费 クラウドサーバー", "2", "199.00", "6")],
        None,
    ),
    (
        "FR-0001",
        "FR-ORD-0001",
        "33000001",
        "EUR",
        [("Crème brûlée, café", "3", "4.50", "5.5")],
        "all",
    ),
]


def gateway_permissions():
    """What a payment gateway's user holds, and nothing more: the gateway's face
    (it checks and pays billing records through it alone) and the grant to see
    every customer's records (the gateway serves them all)."""
    wanted = Q()
    for name in (face_permission("gateway"), VIEW_ALL_CUSTOMERS):
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted)


def seed(*, out=print) -> None:
    """Create the demo users, customers and invoices that do not exist yet."""
    users = get_user_model()
    if not users.objects.filter(username=ADMIN[0]).exists():
        users.objects.create_superuser(ADMIN[0], "admin@example.com", ADMIN[1])
        out(f"created superuser {ADMIN[0]}")
    gateway = users.objects.filter(username=GATEWAY_USER[0]).first()
    if gateway is None:
        gateway = users.objects.create_user(GATEWAY_USER[0], password=GATEWAY_USER[1])
        out(f"created gateway user {GATEWAY_USER[0]}")
    # Set on a re-run too: a gateway user made before holds exactly these after.
    gateway.user_permissions.set(gateway_permissions())

    customers = {}
    for fields in CUSTOMERS:
        customer = Customer.objects.filter(account_number=fields["account_number"]).first()
        customers[fields["account_number"]] = customer or customer_create(**fields)

    today = datetime.date.today()
    for number, order_id, account, currency, lines, paid in INVOICES:
        if Invoice.objects.filter(number=number).exists():
            continue
        invoice = invoice_create(
            customer=customers[account],
            number=number,
            order_id=order_id,
            currency=currency,
            description=lines[0][0],
            lines=[
                LineInput(
                    description=text,
                    quantity=Decimal(qty),
                    unit_price=Decimal(price),
                    tax_rate=Decimal(rate),
                )
                for text, qty, price, rate in lines
            ],
            issue_date=today,
            due_date=today + datetime.timedelta(days=30),
            period_from=today.replace(day=1),
            period_to=today,
            issue=True,
        )
        if paid:
            payment_record(
                invoice_id=invoice.pk,
                amount=invoice.total if paid == "all" else Decimal(paid),
                method=Payment.Method.BANK_TRANSFER,
            )
        out(f"created invoice {number} ({format_amount(invoice.total, currency)} {currency})")
    # Part of a payment given back, so the refund pages and statuses have one to show.
    payment = Payment.objects.filter(invoice__number="INV-1002").first()
    if payment is not None and not payment.refunds.exists():
        payment_refund(payment_id=payment.pk, amount=Decimal("5.00"), reason="Hosting downtime")
        out("refunded 5.00 USD of the payment of INV-1002")
    out(
        f"Log in as {ADMIN[0]} / {ADMIN[1]} (admin site and every API) or "
        f"{GATEWAY_USER[0]} / {GATEWAY_USER[1]} (the gateway API only)."
    )
