"""The ISP invoice-details face (document 002). Path arguments are validated
here: a malformed date, id or status is a 400 in the face's error shape
``{"status": "error", "errorCode": <code>, "message": ...}``."""

import datetime
import re

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.fields import ID_SCHEMA, whole_number
from billing_site.api.permissions import HasPerms
from billing_site.api.schema import AutoSchema
from billing_site.api.streaming import encode_id_keys, json_stream_response

from . import receipts, selectors
from .api.serializers import InvoiceSerializer
from .isp import CONTACT_FIELDS, INVOICE_FIELDS, ISP_STATUSES, contact_and_invoice, invoice_details
from .renderers import ReceiptPDFRenderer

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)

ISP_ERROR = inline_serializer(
    "IspError",
    {
        "status": serializers.CharField(),
        "errorCode": serializers.IntegerField(),
        "message": serializers.CharField(),
    },
)
_ERRORS = {code: ISP_ERROR for code in (400, 401, 403, 404, 405, 429)}
ID_MAP = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "example": {"12960": 12960, "12961": 12961},
}


def parse_date(value: str, name: str) -> datetime.date:
    try:
        if _DATE.match(value):
            return datetime.date.fromisoformat(value)
    except ValueError:
        pass
    raise ValidationError(f"{name} must be a date as yyyy-mm-dd, not {value!r}.")


def parse_id(value: str, name: str) -> int:
    pk = whole_number(value)
    if pk is None:
        raise ValidationError(f"{name} must be a numeric id, not {value!r}.")
    return pk


def parse_status(value: str | None) -> str:
    if value is None:
        return "all"
    if value not in ISP_STATUSES:
        raise ValidationError(f"status must be one of paid, unpaid, all, not {value!r}.")
    return value


def parse_range(from_date: str | None, to_date: str | None) -> dict:
    if from_date is None:
        return {}
    start, end = parse_date(from_date, "fromDate"), parse_date(to_date, "toDate")
    if start > end:
        raise ValidationError("fromDate must not be after toDate.")
    return {"date_from": start, "date_to": end}


_DATE_SCHEMA = {"type": "string", "format": "date"}
PATH_ARGUMENTS = {
    "from_date": _DATE_SCHEMA,
    "to_date": _DATE_SCHEMA,
    "status": {"type": "string", "enum": sorted(ISP_STATUSES)},
    "user_id": ID_SCHEMA,
    "invoice_id": ID_SCHEMA,
}


class PathOperationIds(AutoSchema):
    """One view serves several paths here (optional path arguments): name each
    operation after its whole path, ``get_all_invoice_ids_from_date_to_date``,
    and document each argument as the parsers above read it."""

    def get_operation_id(self):
        return "_".join(part.strip("{}") for part in self.path.strip("/").split("/")[2:])

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            parameter["schema"] = PATH_ARGUMENTS.get(parameter["name"], parameter["schema"])
        return parameters


class IspView(APIView):
    schema = PathOperationIds()
    permission_classes = [IsAuthenticated, HasPerms]
    required_perms = ["invoices.view_invoice"]
    throttle_scope = "invoices"

    def error_body(self, message, status_code=None, detail=None):
        return {"status": "error", "errorCode": status_code, "message": message}


class InvoiceIdsView(IspView):
    @extend_schema(
        tags=["isp"],
        summary="Ids of the invoices issued in a date range (status paid, unpaid, all)",
        responses={200: ID_MAP, **_ERRORS},
    )
    def get(self, request, from_date=None, to_date=None, status=None):
        queryset = selectors.isp_invoice_list(
            user=request.user, status=parse_status(status), **parse_range(from_date, to_date)
        )
        return json_stream_response(
            selectors.ids_in_batches(queryset), opening="{", closing="}", encode=encode_id_keys
        )


class InvoiceDetailsView(IspView):
    @extend_schema(
        tags=["isp"],
        operation_id="get_invoice_details",
        summary="One invoice's details, as a one-element array",
        responses={200: {"type": "array", "items": {"type": "object"}}, **_ERRORS},
    )
    def get(self, request, invoice_id):
        pk = parse_id(invoice_id, "invoiceId")
        invoice = selectors.isp_invoice_get(user=request.user, pk=pk)
        if invoice is None:
            raise NotFound(f"Invoice {pk} not found.")
        return Response([invoice_details(invoice)])


class UserInvoicesView(IspView):
    @extend_schema(
        tags=["isp"],
        summary="Ids of one user's invoices, in a one-element array",
        responses={200: {"type": "array", "items": ID_MAP}, **_ERRORS},
    )
    def get(self, request, user_id, status=None):
        customer_id = parse_id(user_id, "userId")
        status = parse_status(status)
        if selectors.customer_get(user=request.user, pk=customer_id) is None:
            raise NotFound(f"User {customer_id} not found.")
        queryset = selectors.isp_invoice_list(
            user=request.user, status=status, customer_id=customer_id
        )
        return json_stream_response(
            selectors.ids_in_batches(queryset), opening="[{", closing="}]", encode=encode_id_keys
        )


class AllInvoicesView(IspView):
    @extend_schema(
        tags=["isp"],
        summary="Every invoice with its customer's contact, in a nested array",
        responses={200: {"type": "array", "items": {"type": "array"}}, **_ERRORS},
    )
    def get(self, request, from_date=None, to_date=None):
        queryset = selectors.isp_invoice_list(user=request.user, **parse_range(from_date, to_date))
        rows = selectors.rows_with_customers(queryset, INVOICE_FIELDS, CONTACT_FIELDS)
        return json_stream_response(
            (contact_and_invoice(row, customer) for row, customer in rows),
            opening="[[",
            closing="]]",
        )


class InvoiceReceiptView(IspView):
    @extend_schema(
        tags=["isp"],
        operation_id="get_invoice_receipt",
        summary="A signed, expiring URL of the invoice's PDF receipt",
        responses={
            200: inline_serializer(
                "IspReceipt",
                {
                    "status": serializers.CharField(),
                    "errorCode": serializers.IntegerField(),
                    "message": serializers.URLField(),
                },
            ),
            **_ERRORS,
        },
    )
    def get(self, request, user_id, invoice_id):
        customer_id, pk = parse_id(user_id, "userId"), parse_id(invoice_id, "invoiceId")
        invoice = (
            selectors.isp_invoice_list(user=request.user, customer_id=customer_id)
            .filter(pk=pk)
            .first()
        )
        if invoice is None:
            raise NotFound(f"Invoice {pk} of user {customer_id} not found.")
        url = reverse("invoice-receipt-pdf", kwargs={"token": receipts.receipt_token(invoice)})
        return Response(
            {"status": "success", "errorCode": 200, "message": request.build_absolute_uri(url)}
        )


class ReceiptPDFView(APIView):
    """The receipt PDF behind a signed link: no token needed, the link is the key."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [ReceiptPDFRenderer]
    http_method_names = ["get", "head"]
    throttle_scope = "invoices"

    @extend_schema(
        tags=["isp"],
        operation_id="invoice_receipt_pdf",
        auth=[],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (404, "application/json"): OpenApiTypes.OBJECT,
            (410, "application/json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, token):
        invoice = receipts.invoice_from_token(token)
        return Response(
            InvoiceSerializer(invoice).data,
            headers={"Content-Disposition": f'inline; filename="invoice_{invoice.pk}.pdf"'},
        )
