from django.conf import settings
from django.db import models


class RequestLog(models.Model):
    """One row per HTTP request, whatever its outcome."""

    endpoint = models.CharField(max_length=500)
    method = models.CharField(max_length=10)
    status_code = models.PositiveSmallIntegerField()
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    timestamp = models.DateTimeField(auto_now_add=True)
    query_string = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        # A log row must never block deleting a user or fail on a race with it.
        db_constraint=False,
    )
    client_address = models.GenericIPAddressField(null=True, blank=True)
    duration_ms = models.DecimalField(max_digits=12, decimal_places=3)
    request_id = models.CharField(max_length=64)

    class Meta:
        db_table = "logs"
        ordering = ["-timestamp", "-id"]
        indexes = [
            models.Index(fields=["timestamp"], name="logs_timestamp_idx"),
            models.Index(fields=["request_id"], name="logs_request_id_idx"),
            models.Index(fields=["status_code", "timestamp"], name="logs_status_idx"),
        ]

    def __str__(self):
        return f"{self.method} {self.endpoint} {self.status_code}"


class SpoolPosition(models.Model):
    """How far the rows of one spool file are stored: updated in the transaction
    that stores them, so a file replayed after its process died stores each row
    once."""

    segment = models.CharField(max_length=200, unique=True)
    offset = models.BigIntegerField(default=0)

    class Meta:
        db_table = "logs_spool_position"

    def __str__(self):
        return f"{self.segment} @ {self.offset}"
