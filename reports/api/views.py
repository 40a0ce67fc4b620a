"""The reports face (document 003): services and orders in, billing reports out."""

from django.conf import settings
from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing_site.api.exceptions import DetailSerializer
from billing_site.api.fields import whole_number
from billing_site.api.filters import check_query_params
from billing_site.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from billing_site.api.idempotency import idempotent
from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.permissions import ModelPermissions, UsesFace
from billing_site.api.streaming import BareArrayListMixin, json_stream_response
from invoices.permissions import SharedObjectWrites
from invoices.selectors import invoice_list
from reports import selectors, services

from . import errors
from .documents import csv_stream, report_attachment, report_detail
from .filters import BillingReportFilter, CustomerSummaryFilter, OrderFilter
from .renderers import CSV_COLUMN_SETS, CSV_EXTENDED_COLUMNS, REPORT_RENDERERS
from .serializers import (
    BillReportSerializer,
    GenerateReportSerializer,
    OrderBatchSerializer,
    OrderInputSerializer,
    ServiceSerializer,
)
from .shapes import (
    CustomerSummarySerializer,
    OrderSerializer,
    ReportDetailSerializer,
    ReportInvoiceSerializer,
    ReportSerializer,
    invoice_path,
)

_ERRORS = {
    400: errors.ReportErrorSerializer,
    **{code: DetailSerializer for code in (401, 403, 404, 429)},
}
# An action that answers CSV or PDF still words its errors in JSON; said per
# media type, so that generated clients read them as JSON.
_JSON_ERRORS = {(code, "application/json"): shape for code, shape in _ERRORS.items()}


def _errors_of_the_one(errors):
    """A batch of one order's errors as that order's own: DRF lists them by index
    (a list, or a dict of the failing indexes); errors of the whole batch stay."""
    if isinstance(errors, list):
        return errors[0]
    return errors.get(0, errors)


class ReportsFace:
    """What every view of document 003 shares: the face's permission besides the
    model permissions, its rate (100 a minute), amounts as JSON numbers, its error
    shape, and path ids that reach the view whatever they are, so that a bad one
    is a 404 in that shape rather than a route that does not match."""

    face = "reports"
    permission_classes = [IsAuthenticated, UsesFace, ModelPermissions]
    renderer_classes = [NumberJSONRenderer]
    throttle_scope = "reports"
    lookup_value_regex = "[^/]+"

    error_body = staticmethod(errors.error_body)

    def get_object(self):
        # ASCII digits only: int() would read "\u0661" (an Arabic-Indic one) as 1.
        if whole_number(self.kwargs[self.lookup_url_kwarg or self.lookup_field]) is None:
            raise NotFound()
        return super().get_object()


class ServiceViewSet(ReportsFace, BareArrayListMixin, viewsets.ModelViewSet):
    permission_classes = [*ReportsFace.permission_classes, SharedObjectWrites]
    serializer_class = ServiceSerializer
    queryset = selectors.service_list()

    def perform_create(self, serializer):
        serializer.instance = services.service_create(**serializer.validated_data)


class OrderViewSet(
    ReportsFace,
    BareArrayListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Orders with their service costs. ``POST`` one order, or a JSON array of
    orders to create many at once: all of them, or none when one is invalid."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter

    def get_queryset(self):
        return selectors.order_list(user=self.request.user)

    @extend_schema(request=OrderInputSerializer, responses={201: OrderSerializer, **_ERRORS})
    def create(self, request, *args, **kwargs):
        many = isinstance(request.data, list)
        batch = OrderBatchSerializer(
            child=OrderInputSerializer(),
            data=request.data if many else [request.data],
            context=self.get_serializer_context(),
            allow_empty=False,
            max_length=settings.MAX_ITEMS_PER_REQUEST,
        )
        try:
            batch.is_valid(raise_exception=True)
            orders = batch.resolve()
        except ValidationError as exc:
            raise ValidationError(exc.detail if many else _errors_of_the_one(exc.detail)) from None
        created = services.order_create_many(
            orders=[services.OrderInput(**order) for order in orders]
        )
        rows = list(self.get_queryset().filter(pk__in=[order.pk for order in created]))
        data = OrderSerializer(rows, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


def _respond_as(request, output: str):
    """Answer in the format the client chose by parameter, not by Accept."""
    renderer = REPORT_RENDERERS[output]()
    request.accepted_renderer, request.accepted_media_type = renderer, renderer.media_type


# The documents an action may answer with, whatever the client's Accept says.
DOCUMENT_RENDERERS = list(REPORT_RENDERERS.values())

# No schema default: generated clients send a parameter's default, and another
# format than CSV refuses both.
CSV_PARAMETERS = [
    OpenApiParameter(
        "columns",
        OpenApiTypes.STR,
        enum=list(CSV_COLUMN_SETS),
        description="A CSV's columns: the document's four (without it), or `extended`: those "
        "and then " + ", ".join(f"`{name}`" for name in CSV_EXTENDED_COLUMNS) + ". Only for a CSV.",
    ),
    OpenApiParameter(
        "bom",
        OpenApiTypes.STR,
        enum=["0", "1"],
        description="`1` starts a CSV with a UTF-8 byte-order mark, so that Excel reads "
        "its text as UTF-8 (without it: none). Only for a CSV.",
    ),
]
_BOM_VALUES = {"0": False, "1": True}


def _csv_options(request, output: str) -> dict:
    """``?columns`` and ``?bom`` as ``ReportCSVRenderer`` reads them from its
    context. A value it does not know, or either for another format, is a 400."""
    params = request.query_params
    columns, bom = params.get("columns", "document"), params.get("bom", "0")
    errors = {}
    if columns not in CSV_COLUMN_SETS:
        errors["columns"] = [f"Must be one of: {', '.join(CSV_COLUMN_SETS)}."]
    if bom not in _BOM_VALUES:
        errors["bom"] = ["Must be 0 or 1."]
    if output != "csv":
        errors.update(
            {name: ["Only a CSV has it."] for name in ("columns", "bom") if name in params}
        )
    if errors:
        raise ValidationError(errors)
    return {"columns": columns, "bom": _BOM_VALUES[bom]}


class ReportViewSet(ReportsFace, BareArrayListMixin, viewsets.ReadOnlyModelViewSet):
    """``GET /api/v2/reports/`` is a bare JSON array of every matching report,
    streamed; ``?page``/``?page_size`` ask for one page of it instead."""

    serializer_class = ReportSerializer
    filterset_class = BillingReportFilter
    action_perms = {
        # The summary's rows are customers, its figures the reports': reading reports it is.
        "customer_summary": ["reports.view_billingreport"],
        # Billing reads a report and makes an invoice, as the invoices face's POST does.
        "invoice": ["reports.view_billingreport", "invoices.add_invoice"],
    }

    # What a CSV answer's renderer reads from its context (``_csv_options``).
    csv_options: dict = {}

    def get_renderer_context(self):
        return {**super().get_renderer_context(), **self.csv_options}

    def get_queryset(self):
        if self.action == "customer_summary":  # a row per customer
            return selectors.summarised_customers(user=self.request.user)
        return selectors.report_list(user=self.request.user)

    def _report(self, pk):
        pk = whole_number(pk)
        report = selectors.report_get(user=self.request.user, pk=pk) if pk else None
        if report is None:
            raise NotFound()
        return report

    @staticmethod
    def _check_size(report, output: str) -> None:
        """A report too long for the document asked for is a 400, not a huge answer."""
        limit = (
            settings.REPORT_MAX_CSV_LINES if output == "csv" else settings.REPORT_MAX_DOCUMENT_LINES
        )
        if report.line_count > limit:
            advice = "" if output == "csv" else "; download it as CSV"
            raise ValidationError(
                f"Report {report.pk} has {report.line_count} lines, more than "
                f"the {limit} a {output.upper()} document holds{advice}."
            )

    def _detail(self, report, output="json"):
        self._check_size(report, output)
        return report_detail(report)

    @extend_schema(responses={200: ReportDetailSerializer, 404: OpenApiTypes.OBJECT})
    def retrieve(self, request, pk=None):
        return Response(self._detail(self._report(pk)))

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER, *CSV_PARAMETERS],
        request=GenerateReportSerializer,
        responses={
            (201, "application/json"): ReportDetailSerializer,
            (201, "text/csv"): OpenApiTypes.STR,
            (201, "application/pdf"): OpenApiTypes.BINARY,
            **_JSON_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], renderer_classes=DOCUMENT_RENDERERS)
    @idempotent
    def generate(self, request):
        check_query_params(request, {"columns", "bom"})
        serializer = GenerateReportSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        output = "json" if data["output_format"] == "dict" else data["output_format"]
        self.csv_options = _csv_options(request, output)
        with transaction.atomic():  # a report too long for its document is not kept
            report = services.report_generate(
                customer=data["customer"], start_date=data["start_date"], end_date=data["end_date"]
            )
            body = self._detail(report, output)
        _respond_as(request, output)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers=report_attachment(report, output) if output != "json" else None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=list(REPORT_RENDERERS), default="csv"
            ),
            *CSV_PARAMETERS,
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): ReportDetailSerializer,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **_JSON_ERRORS,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=DOCUMENT_RENDERERS)
    def download(self, request, pk=None):
        check_query_params(request, {"format", "columns", "bom"})
        output = request.query_params.get("format", "csv")
        if output not in REPORT_RENDERERS:
            raise ValidationError(f"Invalid format: {output}")
        options = _csv_options(request, output)
        report = self._report(pk)
        if output == "csv":  # streamed, so a report of any size leaves in constant memory
            self._check_size(report, "csv")
            response = StreamingHttpResponse(
                csv_stream(report, **options), content_type="text/csv; charset=utf-8"
            )
            for header, value in report_attachment(report, "csv").items():
                response[header] = value
            return response
        body = self._detail(report, output)
        _respond_as(request, output)
        return Response(body, headers=report_attachment(report, output))

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER],
        request=BillReportSerializer,
        responses={
            201: OpenApiResponse(ReportInvoiceSerializer, description="The invoice, made now."),
            200: OpenApiResponse(
                ReportInvoiceSerializer, description="The invoice the report was billed as before."
            ),
            409: OpenApiResponse(DetailSerializer, description="The report has nothing to bill."),
            **_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def invoice(self, request, pk=None):
        check_query_params(request, set())
        report = self._report(pk)  # another customer's is a 404, as everywhere on this face
        serializer = BillReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invoice, created = services.report_bill(report=report, **serializer.validated_data)
        # As the invoices face reads it: customer, lines, payments, and the report it bills.
        invoice = (
            invoice_list(user=request.user).select_related("billing_report").get(pk=invoice.pk)
        )
        return Response(
            ReportInvoiceSerializer(invoice).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={"Location": request.build_absolute_uri(invoice_path(invoice))},
        )

    @extend_schema(responses={200: CustomerSummarySerializer(many=True), **_ERRORS})
    @action(
        detail=False,
        methods=["get"],
        url_path="customer-summary",
        filterset_class=CustomerSummaryFilter,
    )
    def customer_summary(self, request):
        """A bare JSON array of a row per customer (and currency), streamed a batch
        of customers at a time; a page of it holds the rows of ``page_size``
        customers, and ``X-Total-Count`` counts customers."""
        customers = self.filter_queryset(self.get_queryset())
        if self.wants_page(request):
            rows = selectors.customer_summary_rows(self.paginate_queryset(customers))
            return self.get_paginated_response(CustomerSummarySerializer(rows, many=True).data)
        rows = selectors.customer_summary(customers, batch_size=self.stream_batch_size)
        return json_stream_response(CustomerSummarySerializer(row).data for row in rows)
