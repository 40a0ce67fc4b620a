from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first response to a request sent with an ``Idempotency-Key``, kept so
    a retry gets the same answer instead of doing the work twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the request was (method, path, body), to refuse the key's reuse for another.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Empty while the first request is still running.
    status_code = models.PositiveSmallIntegerField(null=True)
    content = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
