"""Fulfilment orders priced per service, and billing reports frozen from them
(document 003); usage records (document 001).

Report amounts are stored as integers in minor units (cents) so that totals can
be summed by the database exactly, SQLite included (it keeps decimals as floats)."""

from django.conf import settings
from django.db import models

from billing_site.money import CURRENCY_CHOICES, from_minor
from invoices.models import Customer, Invoice, visible_customers


def default_currency() -> str:
    return settings.DEFAULT_CURRENCY


class Service(models.Model):
    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class CustomerOwnedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(visible_customers(user, "customer_id"))


class Order(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    reference_number = models.CharField(max_length=64)
    order_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["order_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "reference_number"], name="order_reference_unique"
            )
        ]
        # A report reads a customer's orders of a period from this index alone
        # (the reference number in it): no row of the table is read.
        indexes = [
            models.Index(
                fields=["customer", "order_date", "reference_number"],
                name="order_customer_date_ref_idx",
            )
        ]

    def __str__(self):
        return self.reference_number

    # Orders are priced in the default currency (``services.order_create_many``).
    @property
    def currency(self) -> str:
        return settings.DEFAULT_CURRENCY

    @property
    def total_amount(self):
        """The sum of the service costs (prefetch them for a list)."""
        return from_minor(
            sum(cost.amount_minor for cost in self.service_costs.all()), self.currency
        )


class OrderServiceCost(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="service_costs")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    amount_minor = models.BigIntegerField(help_text="Amount in minor units (cents).")

    class Meta:
        ordering = ["service_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "service"], name="order_service_unique"),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gte=0), name="order_cost_not_negative"
            ),
        ]
        # A report reads an order's costs from this index alone, in service order.
        indexes = [
            models.Index(fields=["order", "service", "amount_minor"], name="order_cost_amount_idx")
        ]

    def __str__(self):
        return f"service {self.service_id}: {self.amount} {self.currency}"

    @property
    def currency(self) -> str:
        return settings.DEFAULT_CURRENCY

    @property
    def amount(self):
        return from_minor(self.amount_minor, self.currency)


class BillingReport(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="billing_reports")
    start_date = models.DateField()
    end_date = models.DateField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=default_currency)
    created_at = models.DateTimeField(auto_now_add=True)
    total_minor = models.BigIntegerField(default=0)
    order_count = models.PositiveIntegerField(default=0)
    line_count = models.PositiveIntegerField(default=0)
    # {"<service id>": {"service_name": ..., "amount_minor": ...}}, frozen at generation.
    service_totals = models.JSONField(default=dict)
    # The invoice the report was billed as (``services.report_bill``), once: the
    # one-to-one is the database's guard against a second. PROTECT: a draft of a
    # report is never deleted from under it (it is voided, and stays the report's).
    invoice = models.OneToOneField(
        Invoice,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="billing_report",
    )

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "start_date", "end_date"], name="report_period_idx"),
            models.Index(fields=["created_at"], name="report_created_idx"),
            models.Index(fields=["total_minor"], name="report_total_idx"),
        ]

    def __str__(self):
        # Reads the customer: select it with the report where many are shown.
        return f"Report {self.pk} — {self.customer.name} ({self.start_date} to {self.end_date})"

    @property
    def total_amount(self):
        return from_minor(self.total_minor, self.currency)

    @property
    def service_total_amounts(self) -> dict[str, dict]:
        """``service_totals`` with each amount a ``Decimal`` in the report's currency."""
        return {
            service_id: {
                "service_name": total["service_name"],
                "amount": from_minor(total["amount_minor"], self.currency),
                "currency": self.currency,
            }
            for service_id, total in self.service_totals.items()
        }


class BillingReportLine(models.Model):
    """One service cost of one order, copied when the report was generated, so
    later changes to orders never change the report."""

    report = models.ForeignKey(BillingReport, on_delete=models.CASCADE, related_name="lines")
    order_id = models.BigIntegerField()
    reference_number = models.CharField(max_length=64)
    order_date = models.DateField()
    service_id = models.BigIntegerField()
    service_name = models.CharField(max_length=100)
    amount_minor = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        # A report's lines in id order (the downloads read them in keyset
        # batches): no sort, and no scan of the primary key from the first line
        # of every report, which MariaDB chose over an index on (report, order).
        indexes = [models.Index(fields=["report", "id"], name="report_line_report_id_idx")]

    def __str__(self):
        return f"{self.order_id}/{self.service_id}"


class UsageRecord(models.Model):
    """Metered usage of one resource over a time span (document 001's usage API)."""

    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="usage_records"
    )
    resource_id = models.CharField(max_length=128)
    resource_name = models.CharField(max_length=200, blank=True)
    service = models.CharField(max_length=64)
    region = models.CharField(max_length=64, blank=True)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField()
    duration = models.PositiveBigIntegerField(help_text="Seconds.")
    cost = models.DecimalField(max_digits=19, decimal_places=6)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["start_time", "id"]
        indexes = [
            models.Index(fields=["start_time"], name="usage_start_idx"),
            models.Index(fields=["service", "region", "start_time"], name="usage_filter_idx"),
        ]

    def __str__(self):
        return f"{self.service} {self.resource_id} {self.start_time:%Y-%m-%d}"
