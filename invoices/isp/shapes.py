"""The ISP face's answers (document 002): one declared shape per document
object. Each is a serializer: the OpenAPI schema is generated from it, and every
answer is written by it, the streamed lists a chunk at a time.

As in the document, every value is a string (amounts with their currency's
places, dates ``YYYY-MM-DD``, times ``YYYY-MM-DD HH:MM:SS`` in the service's
time zone) but the ids of the id maps and ``errorCode``, which are numbers."""

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type
from rest_framework import serializers

from billing_site.api.fields import MAX_ID
from invoices.models import STATUS_IDS, Customer

from .fields import (
    ConstantField,
    DateStringField,
    JoinedField,
    LocalTimeField,
    MoneyStringField,
    NullWhenEmptyField,
    PlaceholderField,
    StatusIdField,
)

# T1 and T3: the invoice-ids map.


class IspInvoiceIdMapSerializer(serializers.BaseSerializer):
    """``{"<id>": <id>, ...}``: each invoice id, keyed by itself."""

    def to_representation(self, instance):
        return {str(pk): pk for pk in instance}


class IspInvoiceIdMapSchema(OpenApiSerializerExtension):
    target_class = IspInvoiceIdMapSerializer

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": "Each invoice id, keyed by itself.",
            "additionalProperties": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            "example": {"12960": 12960, "12961": 12961, "12855": 12855},
        }


# T2: an invoice's details.


class IspInvoiceLineSerializer(serializers.Serializer):
    """An item of ``detailsOfInvoice``: a line of the invoice, or its tax."""

    amount = MoneyStringField()
    description = serializers.CharField()


class DetailsOfInvoiceField(serializers.Field):
    """``detailsOfInvoice``: "" (as the document's sample starts), then each line
    and the tax."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, invoice):
        items = [
            {"amount": line.subtotal, "currency": invoice.currency, "description": line.description}
            for line in invoice.lines.all()
        ]
        if invoice.tax:
            items.append(
                {"amount": invoice.tax, "currency": invoice.currency, "description": "Tax"}
            )
        return ["", *IspInvoiceLineSerializer(items, many=True).data]


class DetailsOfInvoiceSchema(OpenApiSerializerFieldExtension):
    target_class = DetailsOfInvoiceField

    def map_serializer_field(self, auto_schema, direction):
        line = auto_schema.resolve_serializer(IspInvoiceLineSerializer, direction).ref
        return build_array_type({"oneOf": [{"type": "string", "maxLength": 0}, line]})


class IspInvoiceDetailsSerializer(serializers.Serializer):
    """One invoice as ``get_invoice_details`` shows it (in a one-element array),
    its customer as billed; ``status`` (the client status) is not in the
    document's sample, an addition."""

    invoiceNumber = serializers.CharField(source="number")
    amount = MoneyStringField(source="total")
    balance = MoneyStringField()
    description = serializers.CharField()
    billGeneratedDate = LocalTimeField("issued_at", "created_at", offset=True)
    detailsOfInvoice = DetailsOfInvoiceField()
    name = serializers.CharField(source="billed_customer.name")
    user_id = serializers.CharField(source="customer_id")
    circuit_id = serializers.CharField(source="billed_customer.account_number")
    billingPeriodFrom = DateStringField(source="period_from")
    billingPeriodTo = DateStringField(source="period_to")
    billingDueDate = DateStringField(source="due_date")
    status = serializers.ChoiceField(list(STATUS_IDS), source="display_status")


# T4: an invoice with its customer's contact.


class IspContactSerializer(serializers.Serializer):
    """The customer as ``get_all_invoices`` shows it, with the document's
    placeholders where the customer has no such data."""

    user_id = serializers.CharField(source="pk")
    person_title = serializers.CharField(source="account_number")
    status = serializers.ChoiceField(choices=Customer.Status.choices)
    group_name = ConstantField("")
    first_name = serializers.CharField()
    last_name = PlaceholderField(placeholder="Customer")
    email = PlaceholderField(setting="ISP_PLACEHOLDER_EMAIL")
    phone_phone_number = PlaceholderField(source="phone", placeholder="9999999999")
    street_addres1 = PlaceholderField(source="street", placeholder="123 Anywhere St")
    street_addres2 = JoinedField("city", "state", "zip")
    account_id = serializers.CharField(source="account_number")
    create_datetime = LocalTimeField("created_at")
    user_created = LocalTimeField("created_at")
    gst_number = NullWhenEmptyField(source="tax_number")
    gst_start_date = ConstantField(None)
    deleted = ConstantField("0")
    profile_name = ConstantField("")


class IspInvoiceSerializer(serializers.Serializer):
    """The invoice as ``get_all_invoices`` shows it."""

    id = serializers.CharField(source="pk")
    public_number = serializers.CharField(source="number")
    balance = MoneyStringField()
    total = MoneyStringField()
    status_id = StatusIdField(source="display_status")
    create_timestamp = LocalTimeField("issued_at", "created_at")
    package_name = serializers.CharField(source="description")


class IspContactAndInvoiceSerializer(serializers.Serializer):
    """An item of ``get_all_invoices`` (an array in an array)."""

    Contact = IspContactSerializer(source="contact")
    Invoice = IspInvoiceSerializer(source="invoice")


# The answer: the items, in an array in an array.
ALL_INVOICES = serializers.ListSerializer(child=IspContactAndInvoiceSerializer(many=True))


# T5 and every error: a status-coded message.


class IspStatusAnswerSerializer(serializers.Serializer):
    """``get_invoice_receipt``'s answer (``"success"``, 200, the receipt's URL),
    and the face's error (``"error"``, the HTTP status, what is wrong)."""

    status = serializers.ChoiceField(["success", "error"])
    errorCode = serializers.IntegerField()
    message = serializers.CharField()
