"""The bills face (document 004): collections and their bills."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from billing_site.api.idempotency import idempotent
from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.permissions import ModelPermissions, UsesFace
from invoices.permissions import SharedObjectWrites

from .. import services
from ..models import Bill
from . import selectors
from .errors import ErrorSerializer, Unprocessable, error_body
from .filters import BillFilter
from .pagination import LengthAwareListMixin, page_of
from .serializers import (
    INCLUDES,
    BillCreateSerializer,
    BillSerializer,
    BillUpdateSerializer,
    CollectionSerializer,
)

ERRORS = {code: ErrorSerializer for code in (400, 401, 403, 404, 409, 422, 429)}
_ONE_INCLUDE = "|".join(re.escape(name) for name in INCLUDES)
INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    required=False,
    pattern=f"^(({_ONE_INCLUDE})(,({_ONE_INCLUDE}))*)?$",
    description=f"Comma-separated, of: {', '.join(INCLUDES)}",
)
CollectionPage = page_of(CollectionSerializer, "CollectionPage")
BillPage = page_of(BillSerializer, "BillPage")


def collection_or_404(code: str):
    collection = selectors.collection_get(code)
    if collection is None:
        raise NotFound("Collection not found.")
    return collection


class BillsFace:
    """What every view of the face shares: the face's permission on top of the
    model permissions, amounts written exactly, and errors in its shape."""

    face = "bills"
    permission_classes = [IsAuthenticated, UsesFace, ModelPermissions]
    renderer_classes = [NumberJSONRenderer]
    throttle_scope = "bills"
    error_body = staticmethod(error_body)

    def valid(self, serializer):
        if not serializer.is_valid():
            raise Unprocessable(serializer.errors)
        return serializer.validated_data


class CollectionViewSet(BillsFace, LengthAwareListMixin, viewsets.GenericViewSet):
    """The collections bills are raised in (not in document 004, whose bills name
    theirs by ``code``); changed only by users who see every customer."""

    permission_classes = [*BillsFace.permission_classes, SharedObjectWrites]
    serializer_class = CollectionSerializer
    page_serializer_class = CollectionPage
    extra_query_params = ("per_page",)
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    queryset = selectors.collection_list()

    @extend_schema(responses={200: CollectionPage, **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: CollectionSerializer, **ERRORS})
    def retrieve(self, request, code=None):
        return Response(self.get_serializer(collection_or_404(code)).data)

    @extend_schema(responses={201: CollectionSerializer, **ERRORS})
    def create(self, request):
        collection = services.collection_create(
            **self.valid(self.get_serializer(data=request.data))
        )
        return Response(self.get_serializer(collection).data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[INCLUDE_PARAMETER])
class BillViewSet(BillsFace, LengthAwareListMixin, viewsets.GenericViewSet):
    """Bills of one collection, found by their bill number. A body that fails
    validation is a 422; a bad query parameter (include, filter) a 400."""

    filterset_class = BillFilter
    extra_query_params = ("include", "per_page")
    lookup_field = "bill_no"
    lookup_value_regex = "[^/]+"
    serializer_class = BillSerializer
    page_serializer_class = BillPage

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated and permitted first
        self.includes = self._includes()
        self.collection = collection_or_404(self.kwargs["code"])

    def _includes(self) -> frozenset:
        raw = self.request.query_params.get("include", "")
        names = frozenset(name.strip() for name in raw.split(",") if name.strip())
        unknown = sorted(names - set(INCLUDES))
        if unknown:
            raise ValidationError({"include": [f"Unknown include: {', '.join(unknown)}"]})
        return names

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "includes": getattr(self, "includes", ())}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no collection
            return Bill.objects.none()
        return selectors.bill_list(user=self.request.user, collection_code=self.kwargs["code"])

    def _bill(self):
        bill = selectors.bill_get(
            user=self.request.user,
            collection_code=self.kwargs["code"],
            bill_no=self.kwargs["bill_no"],
        )
        if bill is None:
            raise NotFound("Bill not found.")
        return bill

    def _respond(self, bill):
        """The bill as it is now, read back with everything its object shows."""
        return Response(self.get_serializer(self.get_queryset().get(pk=bill.pk)).data)

    @extend_schema(responses={200: BillPage, **ERRORS})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=BillCreateSerializer,
        responses={200: BillSerializer, **ERRORS},
    )
    @idempotent
    def create(self, request, code=None):
        data = self.valid(BillCreateSerializer(data=request.data))
        bill = services.bill_create(
            collection=self.collection,
            due=data["due"],
            ref1=data["ref1"],
            ref2=data["ref2"],
            currency=data["currency"],
            customer=data["customer"],
            products=data["product"],
            type=Bill.Type.API,
            api_redirect=True,
            quantity_label=data.get("quantity_label") or "",
            created_by=request.user,
            recurring=data.get("recurring"),
            recurring_end_date=data.get("recurring_end_date"),
        )
        return self._respond(bill)

    @extend_schema(responses={200: BillSerializer, **ERRORS})
    def retrieve(self, request, code=None, bill_no=None):
        return Response(self.get_serializer(self._bill()).data)

    @extend_schema(
        request=BillUpdateSerializer,
        responses={200: BillSerializer, **ERRORS},
    )
    @idempotent
    def partial_update(self, request, code=None, bill_no=None):
        bill = self._bill()
        data = self.valid(BillUpdateSerializer(data=request.data))
        return self._respond(services.bill_update(bill=bill, **data))
