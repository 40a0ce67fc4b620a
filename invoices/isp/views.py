"""The ISP face's views: path arguments read by ``arguments`` (a bad one is a
400), answers written by ``shapes``, errors by ``errors.error_body``."""

from collections.abc import Callable
from functools import partial

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.numbers import dumps
from billing_site.api.permissions import HasPerms, UsesFace
from billing_site.api.schema import AutoSchema
from billing_site.api.streaming import json_stream_response
from invoices import receipts
from invoices.selectors import customer_get

from . import arguments, errors, selectors
from .shapes import (
    ALL_INVOICES,
    IspContactAndInvoiceSerializer,
    IspInvoiceDetailsSerializer,
    IspInvoiceIdMapSerializer,
    IspStatusAnswerSerializer,
)


def written_by(shape) -> Callable[[list], str]:
    """How ``streamed_json`` writes a chunk of items: the JSON ``shape`` gives
    the chunk, without its outer brackets (array items, or an object's members)."""
    return lambda chunk: dumps(shape(chunk).data, separators=(",", ":"))[1:-1]


class PathArguments(AutoSchema):
    """Each path argument described as ``arguments`` reads it."""

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            parameter["schema"] = arguments.SCHEMAS.get(parameter["name"], parameter["schema"])
        return parameters


class IspView(APIView):
    face = "isp"
    schema = PathArguments()
    permission_classes = [IsAuthenticated, UsesFace, HasPerms]
    required_perms = ["invoices.view_invoice"]
    throttle_scope = "invoices"
    error_body = staticmethod(errors.error_body)


class InvoiceIdsView(IspView):
    @extend_schema(
        responses={200: IspInvoiceIdMapSerializer},
    )
    def get(self, request, from_date=None, to_date=None, status=None):
        dates = arguments.parse_range(from_date, to_date)  # the arguments in path order
        queryset = selectors.isp_invoice_list(
            user=request.user, status=arguments.parse_status(status), **dates
        )
        return json_stream_response(
            selectors.invoice_ids(queryset),
            opening="{",
            closing="}",
            encode=written_by(IspInvoiceIdMapSerializer),
        )


class InvoiceDetailsView(IspView):
    @extend_schema(
        responses={200: IspInvoiceDetailsSerializer(many=True)},
    )
    def get(self, request, invoice_id):
        pk = arguments.parse_id(invoice_id, "invoiceId")
        invoice = selectors.isp_invoice_get(user=request.user, pk=pk)
        if invoice is None:
            raise NotFound(f"Invoice {pk} not found.")
        return Response(IspInvoiceDetailsSerializer([invoice], many=True).data)


class UserInvoicesView(IspView):
    @extend_schema(
        responses={200: IspInvoiceIdMapSerializer(many=True)},
    )
    def get(self, request, user_id, status=None):
        customer_id = arguments.parse_id(user_id, "userId")
        status = arguments.parse_status(status)
        if customer_get(user=request.user, pk=customer_id) is None:
            raise NotFound(f"User {customer_id} not found.")
        queryset = selectors.isp_invoice_list(
            user=request.user, status=status, customer_id=customer_id
        )
        return json_stream_response(
            selectors.invoice_ids(queryset),
            opening="[{",
            closing="}]",
            encode=written_by(IspInvoiceIdMapSerializer),
        )


class AllInvoicesView(IspView):
    @extend_schema(
        responses={200: ALL_INVOICES},
    )
    def get(self, request, from_date=None, to_date=None):
        queryset = selectors.isp_invoice_list(
            user=request.user, **arguments.parse_range(from_date, to_date)
        )
        return json_stream_response(
            selectors.invoices_with_contacts(queryset),
            opening="[[",
            closing="]]",
            encode=written_by(partial(IspContactAndInvoiceSerializer, many=True)),
        )


class InvoiceReceiptView(IspView):
    @extend_schema(
        responses={200: IspStatusAnswerSerializer},
    )
    def get(self, request, user_id, invoice_id):
        customer_id = arguments.parse_id(user_id, "userId")
        pk = arguments.parse_id(invoice_id, "invoiceId")
        invoice = selectors.isp_invoice_get(user=request.user, pk=pk, customer_id=customer_id)
        if invoice is None:
            raise NotFound(f"Invoice {pk} of user {customer_id} not found.")
        url = request.build_absolute_uri(receipts.receipt_path(invoice))
        answer = {"status": "success", "errorCode": 200, "message": url}
        return Response(IspStatusAnswerSerializer(answer).data)
