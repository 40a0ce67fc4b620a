"""The gateway's error shape, as existing clients read it:
``{"success": "false", "message": ...}`` whatever the status."""

from rest_framework import serializers

REFERENCE_REQUIRED = "Order ID and Billing Number are required"
NOT_FOUND = "Order ID or Billing Number not found"


class GatewayErrorSerializer(serializers.Serializer):
    """The gateway's error: the schema's and every answer's."""

    success = serializers.ChoiceField(choices=["false"])
    message = serializers.CharField()


def error_serializer(status_code: int) -> type[serializers.Serializer]:
    """The serializer of this face's error bodies (one for every status), for the schema."""
    return GatewayErrorSerializer


def error_body(message: str, status_code: int, detail=None) -> dict:
    """The body of an error answer of the gateway (``status_code`` and the DRF
    ``detail`` are not shown: clients know only the message)."""
    return GatewayErrorSerializer({"success": "false", "message": message}).data
