import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from billing_site.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS, CURRENCY_CHOICES


def money_field(**kwargs) -> models.DecimalField:
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, **kwargs
    )


# The grant to see every customer's records. Staff see them too; a user without
# it and without staff status sees only the customers it is linked to (none if
# it is linked to none): seeing all is never the absence of links.
VIEW_ALL_CUSTOMERS = "invoices.view_all_customers"


def sees_every_customer(user) -> bool:
    """Whether ``user`` may see every customer's records. A token user's
    permissions come with it from the cache, so this costs no query there; once
    read (``billing_site.api.backends``), the set is asked directly: the gateway
    asks on every call, and ``has_perm`` costs more than the rest of the check."""
    if user.is_staff:
        return True
    permissions = getattr(user, "_perm_cache", None)
    if permissions is not None and user.is_active:
        return user.is_superuser or VIEW_ALL_CUSTOMERS in permissions
    return user.has_perm(VIEW_ALL_CUSTOMERS)


def visible_customers(user, customer_ref: str) -> Q:
    """The customers ``user`` sees: all with the grant (``sees_every_customer``),
    else those it is linked to, in one condition without a lookup of the links
    first; none, without a query, when the user came knowing it acts for no
    customer (``acts_for_customers``: ``ledger.user_customer_links``)."""
    if sees_every_customer(user):
        return Q()
    if getattr(user, "acts_for_customers", None) is False:
        return Q(pk__in=[])
    links = Customer.users.through.objects.filter(user_id=user.pk)
    return Q(Exists(links.filter(customer_id=OuterRef(customer_ref))))


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(visible_customers(user, "pk"))


class Customer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"

    name = models.CharField(max_length=200)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    zip = models.CharField("ZIP / postal code", max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code")
    account_number = models.CharField(max_length=64, unique=True)
    tax_number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    email_documents = models.BooleanField(
        "email documents",
        default=True,
        help_text=(
            "Email the customer each issued invoice, each payment's receipt and the "
            "reminders of an overdue invoice."
        ),
    )
    # API users who act for this customer and see only its records.
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="customers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name"], name="customer_name_idx")]
        permissions = [("view_all_customers", "Can see every customer's records")]

    def __str__(self):
        return f"{self.name} ({self.account_number})"

    def snapshot(self) -> dict:
        """What an invoice keeps of its customer as they were when it was issued."""
        return {
            "id": self.pk,
            "name": self.name,
            "email": self.email,
            "account_number": self.account_number,
            "tax_number": self.tax_number,
            "address": {
                "street": self.street,
                "city": self.city,
                "state": self.state,
                "zip": self.zip,
                "country": self.country,
            },
        }


def client_status(status: str, amount_paid: Decimal) -> str:
    """The status clients see: ``partially_paid`` while an open invoice has some
    but not all of its total paid; otherwise the stored status."""
    if status == Invoice.Status.OPEN and amount_paid > 0:
        return "partially_paid"
    return status


# The number of each client status, where a document numbers them: the ISP
# face's ``status_id`` (document 002) and the bill's ``status`` (document 004).
STATUS_IDS = {"draft": "1", "open": "2", "partially_paid": "3", "paid": "4", "void": "5"}


def client_status_condition(status: str, prefix: str = "") -> Q:
    """The rows whose ``client_status`` is ``status`` (``unpaid``: open, paid in
    part or not at all), for invoices reached through ``prefix`` (``"invoice__"``)."""
    conditions = {
        "open": Q(status="open", amount_paid=0),
        "partially_paid": Q(status="open", amount_paid__gt=0),
        "unpaid": Q(status="open"),
    }
    condition = conditions.get(status, Q(status=status))
    if prefix:
        condition = Q(
            *[(prefix + field, value) for field, value in condition.children],
            _connector=condition.connector,
        )
    return condition


# The status clients see of an open invoice (paid in part or not at all) whose
# due date is before today: derived from the date, never stored. A face whose
# document numbers its statuses (STATUS_IDS) keeps showing the number of the
# open or partially paid status and offers ``overdue`` as a filter only.
OVERDUE = "overdue"


def billing_today() -> datetime.date:
    """The day due dates are compared with: today in the service's TIME_ZONE, as
    the admin's filter and dashboard count it (no request activates another zone)."""
    return timezone.localdate()


def overdue_condition(today: datetime.date, prefix: str = "") -> Q:
    """The invoices (reached through ``prefix``) that are overdue on ``today``."""
    return Q(**{f"{prefix}status": "open", f"{prefix}due_date__lt": today})


def client_status_on(status: str, amount_paid: Decimal, due_date, today: datetime.date) -> str:
    """``client_status`` with ``overdue`` for an open invoice due before ``today``."""
    if status == Invoice.Status.OPEN and due_date is not None and due_date < today:
        return OVERDUE
    return client_status(status, amount_paid)


def client_status_on_condition(status: str, today: datetime.date, prefix: str = "") -> Q:
    """The rows whose ``client_status_on(today)`` is ``status``: ``open`` and
    ``partially_paid`` leave out the overdue ones (``unpaid`` keeps them)."""
    if status == OVERDUE:
        return overdue_condition(today, prefix)
    condition = client_status_condition(status, prefix)
    if status in ("open", "partially_paid"):
        not_due = Q(**{f"{prefix}due_date__isnull": True}) | Q(**{f"{prefix}due_date__gte": today})
        condition &= not_due
    return condition


class InvoiceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(visible_customers(user, "customer_id"))

    def paid(self):
        return self.filter(status=Invoice.Status.PAID)

    def unpaid(self):
        """Issued and not yet (fully) paid."""
        return self.filter(status=Invoice.Status.OPEN)

    def overdue(self, today: datetime.date):
        """Issued, not (fully) paid, and due before ``today``."""
        return self.filter(overdue_condition(today))

    def billing_records(self):
        """What the payment gateway sees: issued invoices, paid or not, never a
        draft or a voided one (neither can be paid)."""
        return self.filter(status__in=[Invoice.Status.OPEN, Invoice.Status.PAID])


class Invoice(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        OPEN = "open"
        PAID = "paid"
        VOID = "void"

    number = models.CharField("billing number", max_length=64)
    order_id = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="External order reference.",
    )
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    subtotal = money_field()
    tax = money_field()
    total = money_field()
    # Sum of the invoice's payments, kept in step by the payment services under
    # a row lock so a payment never has to sum the others.
    amount_paid = money_field()
    # Sum of what credit notes took off this invoice and of the customer's
    # credit applied to it (the credits app), kept in step under the same lock.
    # A database default too: rows inserted by raw SQL (the benchmark's seed)
    # name only the columns they know.
    amount_credited = money_field(db_default=Decimal("0"))
    # Sum of the refunds of its payments (``amount_paid`` is already net of
    # them), kept in step with it under the same lock: whether an invoice was
    # refunded is read from its row, without a query.
    amount_refunded = money_field()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0)
                & Q(amount_credited__gte=0)
                & Q(amount_paid__lte=models.F("total") - models.F("amount_credited")),
                name="invoice_paid_within_total",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0), name="invoice_refunded_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["order_id", "number"], name="invoice_order_number_idx"),
            models.Index(fields=["status"], name="invoice_status_idx"),
            models.Index(fields=["customer", "issue_date"], name="invoice_customer_date_idx"),
            models.Index(fields=["issue_date"], name="invoice_issue_date_idx"),
            models.Index(fields=["due_date"], name="invoice_due_date_idx"),
        ]

    def __str__(self):
        return f"Invoice {self.number}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid - self.amount_credited

    @property
    def customer_snapshot(self) -> dict:
        """The customer as frozen when the invoice was issued; {} for a draft. A
        query of its own unless read with ``select_related("frozen_customer")``."""
        try:
            return self.frozen_customer.snapshot
        except BilledCustomer.DoesNotExist:
            return {}

    @property
    def billed_customer(self) -> dict:
        """The customer as billed: frozen at issue, live while a draft."""
        return self.customer_snapshot or self.customer.snapshot()

    @property
    def display_status(self) -> str:
        """The status clients see (``client_status``)."""
        return client_status(self.status, self.amount_paid)

    @property
    def status_with_refunds(self) -> str:
        """``display_status``, or where a face may show statuses beyond the
        documents' numbered ones (the invoices face, the admin):
        ``refunded`` for an open invoice whose payments were all given back,
        ``partially_refunded`` for one that keeps some of them. A refunded
        invoice paid again in full is ``paid``."""
        if self.status == self.Status.OPEN and self.amount_refunded > 0:
            return "refunded" if self.amount_paid == 0 else "partially_refunded"
        return self.display_status

    def status_on(self, today: datetime.date) -> str:
        """The status the invoices face shows on ``today``: ``overdue`` first (what
        is owed is late, refunded or not), else ``status_with_refunds``."""
        shown = client_status_on(self.status, self.amount_paid, self.due_date, today)
        return shown if shown == OVERDUE else self.status_with_refunds

    def days_overdue(self, today: datetime.date) -> int:
        """Whole days since the due date while overdue on ``today``; else 0."""
        if self.status_on(today) != OVERDUE:
            return 0
        return (today - self.due_date).days


class BilledCustomer(models.Model):
    """The customer as an issued invoice bills them, frozen at issue. A row of its
    own rather than a column of the invoice's: the snapshot is most of an
    invoice row's bytes, and every payment, lookup and listing reads the rest of
    the row (a million invoices scan in a third of the pages without it)."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.CASCADE, primary_key=True, related_name="frozen_customer"
    )
    snapshot = models.JSONField()

    def __str__(self):
        return f"{self.invoice_id}: {self.snapshot.get('name', '')}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal("1"))
    unit_price = money_field()
    tax_rate = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal("0"), help_text="Percent, e.g. 10 for 10%."
    )
    subtotal = money_field()
    tax = money_field()
    total = money_field()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.description


class InvoiceRevision(models.Model):
    """A change made to an issued invoice: the changed fields' values before and
    after it, as JSON (amounts and dates as strings, lines as a list)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="revisions")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoice_revisions",
    )
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.invoice} changed {self.changed_at:%Y-%m-%d %H:%M}: {', '.join(self.after)}"


class NumberSequence(models.Model):
    """Counters for generated numbers (invoice numbers, account numbers), taken
    under a row lock so concurrent creations never get the same one."""

    name = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_value}"


class InvoiceReminder(models.Model):
    """A reminder sent for an overdue invoice: its stage is the days after the
    due date it was due at (``INVOICE_REMINDER_DAYS``). One per invoice and
    stage, by the database's constraint, however many schedulers run."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="reminders")
    stage = models.PositiveSmallIntegerField(help_text="Days after the due date.")
    days_overdue = models.PositiveIntegerField(help_text="Days overdue when it was sent.")
    due_date = models.DateField(help_text="The invoice's due date when it was sent.")
    event = models.OneToOneField(
        "events.Event",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoice_reminder",
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["invoice", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "stage"], name="invoice_reminder_stage_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.invoice} reminder after {self.stage} days"
