"""Webhook endpoints: /api/v1/webhook-endpoints/ and, for each endpoint, its
deliveries and the re-sending of one."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from billing_site.api.filters import check_query_params
from billing_site.api.streaming import json_stream_response
from invoices.api.face import path_id
from invoices.api.views import FaceViewSet

from .. import selectors, services
from .serializers import (
    DeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
)

_CHANGE_ENDPOINT = ["webhooks.change_webhookendpoint"]


@extend_schema_view(
    create=extend_schema(
        request=WebhookEndpointSerializer, responses={201: WebhookEndpointWithSecretSerializer}
    ),
    destroy=extend_schema(responses={204: None}),
)
class WebhookEndpointViewSet(FaceViewSet):
    """Endpoints that receive the ledger's events as webhooks signed per
    Standard Webhooks 1.0 (headers ``webhook-id``, ``webhook-timestamp``,
    ``webhook-signature``). The ``secret`` is in the answer of create and of
    ``rotate-secret`` only. A user acting for customers manages the endpoints
    of its customers only."""

    serializer_class = WebhookEndpointSerializer
    action_perms = {"resend": _CHANGE_ENDPOINT, "rotate_secret": _CHANGE_ENDPOINT}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.endpoint_list(user=self.request.user)

    def get_serializer_class(self):
        return DeliverySerializer if self.action == "deliveries" else super().get_serializer_class()

    def _write_serializer(self, instance=None):
        if not isinstance(self.request.data, dict):
            raise ValidationError({"detail": ["The body must be a JSON object."]})
        serializer = WebhookEndpointSerializer(
            instance,
            data=self.request.data,
            partial=instance is not None,
            context=self.get_serializer_context(),
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def create(self, request, *args, **kwargs):
        arguments = self._write_serializer().service_arguments()
        endpoint = services.endpoint_create(created_by=request.user, **arguments)
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        endpoint = self.get_object()
        arguments = self._write_serializer(endpoint).service_arguments()
        endpoint = services.endpoint_update(endpoint=endpoint, **arguments)
        return Response(WebhookEndpointSerializer(endpoint).data)

    def perform_destroy(self, instance):
        services.endpoint_delete(endpoint=instance)

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = services.endpoint_rotate_secret(endpoint=self.get_object())
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(responses={200: DeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The endpoint's deliveries, newest first, each with its attempts: a
        bare array, paged on ``?page``/``?page_size``."""
        check_query_params(request, {"page", "page_size"})
        queryset = selectors.delivery_list(endpoint=self.get_object())
        if self.wants_page(request):
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return json_stream_response(self.streamed_rows(queryset))

    @extend_schema(request=None, responses={200: DeliverySerializer})
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>[^/]+)/resend")
    def resend(self, request, pk=None, delivery_id=None):
        """Send a succeeded or failed delivery again, with the same ``webhook-id``
        (409 while it is pending)."""
        endpoint = self.get_object()
        delivery = (
            selectors.delivery_list(endpoint=endpoint).filter(pk=path_id(delivery_id)).first()
        )
        if delivery is None:
            raise NotFound()
        delivery = services.delivery_resend(delivery=delivery)
        fresh = selectors.delivery_list(endpoint=endpoint).get(pk=delivery.pk)
        return Response(DeliverySerializer(fresh).data)
