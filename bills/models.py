"""Collections and hosted bills (document 004). A bill is an invoice presented
through a collection: its amounts, payments, balance and status are the
invoice's; the bill adds its public number, references and products."""

import secrets

from django.conf import settings
from django.db import models

from billing_site.money import CURRENCY_CHOICES
from invoices.models import Invoice, money_field, visible_customers


def new_callback_secret() -> str:
    return secrets.token_urlsafe(32)


class Collection(models.Model):
    code = models.SlugField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    organization_name = models.CharField(max_length=200, blank=True)
    # Payment notifications for this collection's bills are signed with this secret.
    callback_secret = models.CharField(max_length=128, default=new_callback_secret)
    redirect_url = models.URLField(blank=True, help_text="Where payers return after paying.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code}: {self.title}"


class Product(models.Model):
    """A catalogue item billed by quantity. ``client_product_id`` and
    ``client_organization_id`` are the ``id`` and ``organization_id`` the client
    sent for the item (its own references, shown back as the product's
    ``product_id`` and ``organization_id``); empty when it sent none."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    code = models.CharField(max_length=64, blank=True)
    price = money_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, blank=True)
    client_product_id = models.PositiveBigIntegerField(null=True, blank=True)
    client_organization_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["title", "price"], name="product_title_price_idx")]

    def __str__(self):
        return self.title


class BillQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_staff:
            return self
        return self.filter(visible_customers(user, "invoice__customer_id"))

    def masters(self):
        return self.filter(recurring__isnull=False)

    def recurring_due(self, today):
        """Masters whose next bill is due on or before ``today``."""
        return self.masters().filter(rbill_date__lte=today)


class Bill(models.Model):
    """Document 004 shows a bill's ``type`` and ``api_redirect`` without saying
    what they mean; its example, a bill created through the API, has ``type`` 2
    and ``api_redirect`` 1. Here ``type`` says where the bill was raised (1 by an
    operator, such as the demo data; 2 through the API) and ``api_redirect``
    whether a payer who paid on the payment page is sent on to the collection's
    ``redirect_url`` (the API client's site) rather than back to the bill.
    ``is_metric`` says the quantities are measures (fractional, e.g. 2.5 kWh)
    rather than counts of items; ``quantity_label`` names their unit."""

    class Type(models.IntegerChoices):
        OPERATOR = 1, "raised by an operator"
        API = 2, "created through the API"

    class Recurring(models.IntegerChoices):
        """How often a master bill repeats, numbered as the face writes its other
        codes (``status``, ``type``)."""

        DAILY = 1, "daily"
        WEEKLY = 2, "weekly"
        MONTHLY = 3, "monthly"
        QUARTERLY = 4, "quarterly"
        YEARLY = 5, "yearly"

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="bill")
    collection = models.ForeignKey(Collection, on_delete=models.PROTECT, related_name="bills")
    bill_no = models.CharField(max_length=16, unique=True)
    ref1 = models.CharField(max_length=200)
    ref2 = models.CharField(max_length=200)
    type = models.PositiveSmallIntegerField(choices=Type.choices, default=Type.API)
    api_redirect = models.BooleanField(default=True)
    quantity_label = models.CharField(max_length=32, blank=True, default="")
    is_metric = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A bill with a recurrence is a master: the first bill of a series whose next
    # bills (its children, ``master_bill`` set) are issued by the beat's
    # ``issue_recurring_bills``. On a master ``rbill_date`` is the date its next
    # bill is due (null once the series is over: past ``recurring_end_date``, or
    # cancelled at ``recurring_stopped_at``); on a child it is the date of the
    # period it bills, unique per master, so no period is billed twice.
    recurring = models.PositiveSmallIntegerField(choices=Recurring.choices, null=True, blank=True)
    recurring_end_date = models.DateField(null=True, blank=True)
    master_bill = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    rbill_date = models.DateField(null=True, blank=True)
    recurring_stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BillQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["collection", "ref1"], name="bill_collection_ref1_idx"),
            models.Index(fields=["recurring", "rbill_date"], name="bill_recurring_due_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["master_bill", "rbill_date"], name="bill_one_per_master_period"
            ),
            models.CheckConstraint(
                condition=models.Q(master_bill__isnull=True) | models.Q(recurring__isnull=True),
                name="bill_child_is_no_master",
            ),
        ]

    def __str__(self):
        return self.bill_no

    @property
    def paid(self) -> bool:
        return self.invoice.status == Invoice.Status.PAID

    @property
    def is_master(self) -> bool:
        return self.recurring is not None


class ProductCollection(models.Model):
    """One product on one bill, with its quantity."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="product_collections")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"
