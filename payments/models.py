from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from billing_site.money import CURRENCY_CHOICES
from invoices.models import Invoice, money_field


class Payment(models.Model):
    """One movement of money against an invoice."""

    class Method(models.TextChoices):
        GATEWAY = "gateway"
        CARD = "card"
        BANK_TRANSFER = "bank_transfer"
        CASH = "cash"
        MANUAL = "manual"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = money_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    method = models.CharField(max_length=32, choices=Method.choices)
    provider = models.CharField(max_length=32, blank=True, default="")
    # Unique per provider; NULL when the provider gave none (NULLs never collide).
    provider_reference = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    card_brand = models.CharField(max_length=32, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField()
    # Sum of the payment's refunds, kept in step under the payment's row lock so
    # that a refund never has to sum the others; ``amount`` stays what was paid.
    amount_refunded = money_field()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], name="payment_provider_reference_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refunded_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} on {self.invoice}"

    @property
    def refundable(self):
        """What of the payment may still be refunded."""
        return self.amount - self.amount_refunded


class Refund(models.Model):
    """Money given back from a payment: a movement of its own, never an edit of
    the payment. Through the payment's provider when it has a refund call (the
    sandbox), else recorded as given back outside the ledger (cash, a transfer)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    reason = models.CharField(max_length=500)
    # The provider that gave the money back, its reference and what it said;
    # blank when the refund was only recorded.
    provider = models.CharField(max_length=32, blank=True, default="")
    provider_reference = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001
    provider_status = models.CharField(max_length=32, blank=True, default="")
    # The request's Idempotency-Key, per user as the API keeps keys: a retry
    # after the API forgot its key (a day) still finds this refund.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refunded_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["refunded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"], name="refund_provider_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"], name="refund_idempotency_key_unique"
            ),
        ]

    def __str__(self):
        return f"Refund of {self.amount} {self.currency} from payment {self.payment_id}"
