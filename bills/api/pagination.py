"""The face's page of a list, Laravel's LengthAwarePaginator as document 004's
clients read it: ``current_page``, ``data``, ``per_page``, ``total``,
``last_page``, ``next_page_url``, ``prev_page_url``, ``from``, ``to``."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from billing_site.api.fields import whole_number
from billing_site.api.pagination import PageNumberPagination


class LengthAwarePagination(PageNumberPagination):
    """``?page=`` and ``?per_page=`` (capped at MAX_PAGE_SIZE)."""

    page_size_query_param = "per_page"

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and whole_number(raw) is None:
            raise ValidationError({"per_page": ["Must be a positive integer."]})
        return super(PageNumberPagination, self).get_page_size(request)

    def first_index(self) -> int | None:
        return self.page.start_index() if self.page.object_list else None

    def last_index(self) -> int | None:
        return self.page.end_index() if self.page.object_list else None


def page_of(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The declared shape of a page of ``item`` objects, read from the paginator
    once it has paginated (``from`` is a Python keyword, hence ``type()``). The
    schema takes it as it is, not as a list to wrap in the paginator's page."""
    fields = {
        "current_page": serializers.IntegerField(source="page.number"),
        "data": item(many=True, source="page.object_list"),
        "per_page": serializers.IntegerField(source="page.paginator.per_page"),
        "total": serializers.IntegerField(source="page.paginator.count"),
        "last_page": serializers.IntegerField(source="page.paginator.num_pages"),
        "next_page_url": serializers.URLField(source="get_next_link", allow_null=True),
        "prev_page_url": serializers.URLField(source="get_previous_link", allow_null=True),
        "from": serializers.IntegerField(source="first_index", allow_null=True),
        "to": serializers.IntegerField(source="last_index", allow_null=True),
    }
    return extend_schema_serializer(many=False)(type(name, (serializers.Serializer,), fields))


class LengthAwareListMixin:
    """``list``: one page of the filtered queryset in ``page_serializer_class``."""

    pagination_class = LengthAwarePagination

    def list(self, request, *args, **kwargs):
        self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        page = self.page_serializer_class(self.paginator, context=self.get_serializer_context())
        return Response(page.data)
