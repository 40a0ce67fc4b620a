"""The gateway's error shape, as existing clients read it:
``{"success": "false", "message": ...}`` whatever the status."""

from rest_framework import serializers

from billing_site.api.exceptions import GatewayErrorSerializer

REFERENCE_REQUIRED = "Order ID and Billing Number are required"
NOT_FOUND = "Order ID or Billing Number not found"


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return GatewayErrorSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error answer of the gateway (``status_code`` and the DRF
    ``detail`` are not shown: clients know only the message)."""
    return GatewayErrorSerializer({"success": "false", "message": message}).data
