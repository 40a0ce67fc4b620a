from django.conf import settings
from django.db import models
from django.db.models import Q

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
        ]

    def __str__(self):
        return f"{self.amount} {self.currency} on {self.invoice}"
