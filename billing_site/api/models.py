from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


def lease_deadline():
    """When a key claimed now stops holding off a retry (IDEMPOTENCY_LEASE_SECONDS)."""
    return timezone.now() + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)


class IdempotencyKey(models.Model):
    """The first response to a request sent with an ``Idempotency-Key``, kept so
    a retry gets the same answer instead of doing the work twice. Saved in the
    transaction of the request's own work: one without the other never commits."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the request was (method, path, body), to refuse the key's reuse for another.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Empty while the first request is still running.
    status_code = models.PositiveSmallIntegerField(null=True)
    content = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)
    # The request running under the key holds it until lease_expires_at; after
    # that a retry may take it over (the first one's process died), and the first
    # one, should it go on, can no longer save its answer.
    lease_token = models.CharField(max_length=32, default="", blank=True)
    lease_expires_at = models.DateTimeField(default=lease_deadline)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class RevokedAccessToken(models.Model):
    """An access token logged out before it expired: the record of the deny-list,
    which the shared cache only copies (Redis is never the only copy)."""

    jti = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.jti


# The API faces and the permission each needs: a user reaches a face only with
# its permission, besides the model permissions of what it reads or writes, so
# a gateway's user holds the gateway's and reads nothing through the others.
FACES = {
    "gateway": "Can use the payment-gateway API (/login, /checkPaymentStatus, ...)",
    "invoices": "Can use the invoices API (/api/v1/invoices, customers, usage)",
    "isp": "Can use the ISP invoice-details API (/api/v1/get_*)",
    "reports": "Can use the billing reports API (/api/v2/...)",
    "bills": "Can use the hosted bills API (/api/collections/...)",
}


def face_permission(face: str) -> str:
    """The permission a user needs to use ``face`` (``"api.use_gateway"``)."""
    return f"api.use_{face}"


class Face(models.Model):
    """No table and no rows: the holder of the faces' permissions (``FACES``)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(f"use_{face}", description) for face, description in FACES.items()]

    def __str__(self):
        return "API faces"
