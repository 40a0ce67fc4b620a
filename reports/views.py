"""The reports face (document 003): services and orders in, billing reports out;
and usage reporting (document 001)."""

from django.conf import settings
from django.db import transaction
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from billing_site.api.exceptions import all_messages
from billing_site.api.fields import whole_number
from billing_site.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from billing_site.api.idempotency import idempotent
from billing_site.api.pagination import LinkHeaderPagination
from billing_site.api.permissions import HasPerms, ModelPermissions
from billing_site.money import format_min_places
from invoices.permissions import SharedObjectWrites

from . import selectors, services
from .filters import BillingReportFilter, OrderFilter
from .renderers import ReportCSVRenderer, ReportPDFRenderer
from .serializers import (
    DOWNLOAD_FORMATS,
    RENDERERS,
    CustomerSummarySerializer,
    GenerateReportSerializer,
    OrderBatchSerializer,
    OrderInputSerializer,
    OrderSerializer,
    ReportDetailSerializer,
    ReportSerializer,
    ServiceSerializer,
    UsageRecordSerializer,
    UsageReportRequestSerializer,
    UsageReportSerializer,
    minor_amount,
    report_body,
    usage_records_with_customers,
)

REPORT_ERROR = inline_serializer("ReportError", {"error": serializers.CharField()})
_ERRORS = {
    400: REPORT_ERROR,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
    429: OpenApiTypes.OBJECT,
}


class ReportsFace:
    """Document 003's errors: ``{"error": ...}`` for a bad request, naming every
    field at fault; ``{"detail": ...}`` otherwise."""

    permission_classes = [IsAuthenticated, ModelPermissions]
    throttle_scope = "reports"

    def error_body(self, message, status_code=None, detail=None):
        if status_code == 400:
            body = {"error": all_messages(detail)}
            fields = isinstance(detail, dict) and set(detail) - {"non_field_errors", "detail"}
            per_order = isinstance(detail, list) and any(isinstance(item, dict) for item in detail)
            if fields or per_order:
                body["errors"] = detail
            return body
        return {"detail": message}


@extend_schema(tags=["reports"])
class ServiceViewSet(ReportsFace, viewsets.ModelViewSet):
    permission_classes = [*ReportsFace.permission_classes, SharedObjectWrites]
    serializer_class = ServiceSerializer
    queryset = selectors.service_list()

    def perform_create(self, serializer):
        serializer.instance = services.service_create(**serializer.validated_data)


@extend_schema(tags=["reports"])
class OrderViewSet(
    ReportsFace,
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
            errors = exc.detail
            raise ValidationError(
                errors if many or not isinstance(errors, list) else errors[0]
            ) from None
        created = services.order_create_many(
            orders=[services.OrderInput(**order) for order in orders]
        )
        rows = list(self.get_queryset().filter(pk__in=[order.pk for order in created]))
        data = OrderSerializer(rows, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


def _respond_as(request, renderer_class):
    """Answer in the format the client chose by parameter, not by Accept."""
    renderer = renderer_class()
    request.accepted_renderer, request.accepted_media_type = renderer, renderer.media_type


@extend_schema(tags=["reports"])
class ReportViewSet(ReportsFace, viewsets.ReadOnlyModelViewSet):
    serializer_class = ReportSerializer
    filterset_class = BillingReportFilter
    pagination_class = LinkHeaderPagination
    renderer_classes = [JSONRenderer, ReportCSVRenderer, ReportPDFRenderer]

    def get_queryset(self):
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

    def _body(self, report, output="json"):
        self._check_size(report, output)
        return report_body(report, selectors.report_line_rows(report))

    @extend_schema(responses={200: ReportDetailSerializer, 404: OpenApiTypes.OBJECT})
    def retrieve(self, request, pk=None):
        return Response(self._body(self._report(pk)))

    @extend_schema(
        parameters=[IDEMPOTENCY_HEADER],
        request=GenerateReportSerializer,
        responses={
            (201, "application/json"): ReportDetailSerializer,
            (201, "text/csv"): OpenApiTypes.STR,
            (201, "application/pdf"): OpenApiTypes.BINARY,
            **_ERRORS,
        },
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def generate(self, request):
        serializer = GenerateReportSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        output = data["output_format"]
        with transaction.atomic():  # a report too long for its document is not kept
            report = services.report_generate(
                customer=data["customer"], start_date=data["start_date"], end_date=data["end_date"]
            )
            body = self._body(report, output)
        if output in RENDERERS:
            _respond_as(request, RENDERERS[output])
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers=_attachment(report, output) if output in RENDERERS else None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(DOWNLOAD_FORMATS), default="csv")
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/json"): ReportDetailSerializer,
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **_ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        unknown = sorted(set(request.query_params) - {"format"})
        if unknown:
            raise ValidationError(f"Unknown query parameter: {', '.join(unknown)}")
        formats = request.query_params.getlist("format") or ["csv"]
        output = formats[0]
        if output not in DOWNLOAD_FORMATS or len(formats) > 1:
            raise ValidationError(f"Invalid format: {','.join(formats)}")
        report = self._report(pk)
        if output == "csv":  # streamed, so a report of any size leaves in constant memory
            self._check_size(report, "csv")
            lines = (
                (
                    line["order_id"],
                    line["service_id"],
                    line["service_name"],
                    minor_amount(line["amount_minor"], report.currency),
                )
                for line in selectors.report_line_rows(report)
            )
            response = StreamingHttpResponse(
                ReportCSVRenderer.stream(lines), content_type="text/csv; charset=utf-8"
            )
            for header, value in _attachment(report, "csv").items():
                response[header] = value
            return response
        if output == "pdf":
            _respond_as(request, ReportPDFRenderer)
        return Response(self._body(report, output), headers=_attachment(report, output))

    @extend_schema(
        parameters=[OpenApiParameter("customer_id", OpenApiTypes.INT, required=False)],
        responses={200: CustomerSummarySerializer(many=True), **_ERRORS},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="customer-summary",
        filterset_class=None,
        pagination_class=None,
    )
    def customer_summary(self, request):
        unknown = set(request.query_params) - {"customer_id"}
        if unknown:
            raise ValidationError({name: ["Unknown query parameter."] for name in sorted(unknown)})
        raw = request.query_params.get("customer_id")
        customer_id = None if raw is None else whole_number(raw)
        if raw is not None and customer_id is None:
            raise ValidationError({"customer_id": ["A valid id is required."]})
        rows = selectors.customer_summary(user=request.user, customer_id=customer_id)
        return Response(CustomerSummarySerializer(rows, many=True).data)


def _attachment(report, extension: str) -> dict:
    filename = f"billing_report_{report.pk}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@extend_schema(tags=["usage"])
class UsageRecordView(APIView):
    """``POST /api/v1/usage/``: record one usage record or a JSON array of them."""

    permission_classes = [IsAuthenticated, HasPerms]
    required_perms = ["reports.add_usagerecord"]
    throttle_scope = "invoices"

    @extend_schema(request=UsageRecordSerializer, responses={201: UsageRecordSerializer})
    def post(self, request):
        many = isinstance(request.data, list)
        limit = {"max_length": settings.MAX_ITEMS_PER_REQUEST} if many else {}
        serializer = UsageRecordSerializer(data=request.data, many=many, **limit)
        serializer.is_valid(raise_exception=True)
        try:
            records = usage_records_with_customers(
                serializer.validated_data if many else [serializer.validated_data],
                user=request.user,
            )
        except ValidationError as exc:
            raise ValidationError(exc.detail if many else exc.detail[0]) from None
        rows = services.usage_record_many(records=records)
        data = UsageRecordSerializer(rows, many=True).data
        return Response(data if many else data[0], status=status.HTTP_201_CREATED)


@extend_schema(tags=["usage"])
class UsageReportView(APIView):
    """``POST /api/v1/usage/report``: the usage of a period, optionally of one
    region and service, with its total cost summed exactly."""

    permission_classes = [IsAuthenticated, HasPerms]
    required_perms = ["reports.view_usagerecord"]
    throttle_scope = "invoices"

    @extend_schema(request=UsageReportRequestSerializer, responses={200: UsageReportSerializer})
    def post(self, request):
        serializer = UsageReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = data.get("filters", {})
        try:
            usage, total = selectors.usage_report(
                user=request.user,
                start_date=data["start_date"],
                end_date=data["end_date"],
                **filters,
            )
        except selectors.TooManyRecords as exc:
            raise ValidationError(str(exc)) from None
        return Response(
            UsageReportSerializer(
                {
                    "start_date": data["start_date"],
                    "end_date": data["end_date"],
                    "filters": filters,
                    "usage": usage,
                    "total_cost": format_min_places(total),
                }
            ).data
        )
