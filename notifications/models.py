from django.db import models


class OutgoingEmail(models.Model):
    """An email a ledger event asks for: written by the relay's handler, sent by
    ``tasks.send_email`` outside any transaction. One per event and kind, so an
    event relayed twice is emailed once; staff's re-sends of a sent email are
    rows of their own (``copy_number`` 1, 2 ...), so each row says what was sent."""

    class Kind(models.TextChoices):
        INVOICE = "invoice"
        RECEIPT = "receipt"
        REMINDER = "reminder"  # of an overdue invoice

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"  # every retry failed

    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="emails")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # 0: the email the event asked for; n: staff's n-th re-send of it once sent.
    copy_number = models.PositiveIntegerField(default=0)
    resend_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resends"
    )
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set while a worker is sending it: another send of the same row leaves it to
    # that worker, or, once the claim lapses (the worker died), takes it over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When the next attempt is due, kept by the database (the broker may lose the
    # task that would make it): null once sent or given up. The beat's sweep sends
    # what is overdue.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "copy_number"], name="outgoing_email_event_kind_copy_uniq"
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="outgoing_email_status_idx"),
            models.Index(fields=["next_attempt_at"], name="outgoing_email_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to} ({self.status})"
