"""Credit notes and the customer's credit.

A ``CreditNote`` is issued against an issued invoice and numbered in its own
gap-free sequence. Either it reduces what the invoice asks (``reduce_invoice``:
the invoice's ``amount_credited`` grows by its total) or it becomes credit of
the customer in the invoice's currency (``customer_credit``), which the next
invoices of that customer and currency use up as they are issued, oldest credit
first.

``CustomerCreditEntry`` is the customer's credit ledger: signed amounts, each
tied to the credit note whose credit it adds (+) or uses (-), the invoice it
was used on for the latter. What is left of a note is the sum of its entries,
summed in Python (never by SQLite)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from billing_site.money import CURRENCY_CHOICES
from invoices.models import Customer, Invoice, money_field, visible_customers


class CreditNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self if user.is_staff else self.filter(visible_customers(user, "customer_id"))


class CreditNote(models.Model):
    class Mode(models.TextChoices):
        REDUCE_INVOICE = "reduce_invoice", "Reduces the invoice's balance"
        CUSTOMER_CREDIT = "customer_credit", "Becomes the customer's credit"

    number = models.CharField(max_length=64)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    # The invoice's customer and currency, kept for the lists' filters and scoping.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_notes")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    mode = models.CharField(max_length=16, choices=Mode.choices)
    reason = models.TextField(blank=True)
    subtotal = money_field()
    tax = money_field()
    total = money_field()
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="credit_notes",
    )

    objects = CreditNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="credit_note_number_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
        ]
        indexes = [
            models.Index(fields=["customer", "currency"], name="credit_note_customer_idx"),
        ]

    def __str__(self):
        return f"Credit note {self.number}"


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    unit_price = money_field()
    tax_rate = models.DecimalField(
        max_digits=7, decimal_places=4, default=0, help_text="Percent, e.g. 10 for 10%."
    )
    subtotal = money_field()
    tax = money_field()
    total = money_field()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.description


class CustomerCreditEntry(models.Model):
    """One movement of a customer's credit in one currency: ``+`` a credit note
    issued as customer credit, ``-`` that note's credit used on ``invoice``."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_entries")
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    amount = money_field()
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="entries")
    invoice = models.ForeignKey(
        Invoice,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_used",
        help_text="The invoice the credit was used on (for a negative entry).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "customer credit entries"
        indexes = [
            models.Index(fields=["customer", "currency"], name="credit_entry_customer_idx"),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} ({self.credit_note.number})"
