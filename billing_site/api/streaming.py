"""Large JSON answers sent piece by piece, never built whole in memory."""

from collections.abc import Callable, Iterable
from itertools import islice

from django.http import StreamingHttpResponse

from .batches import ordered_batches
from .numbers import dumps
from .pagination import LinkHeaderPagination


def encode_values(chunk: list) -> str:
    """Items of a JSON array, comma-separated, without the brackets (a
    ``Decimal`` is an exact JSON number)."""
    return dumps(chunk, separators=(",", ":"))[1:-1]


def streamed_json(
    items: Iterable,
    *,
    opening: str = "[",
    closing: str = "]",
    encode: Callable[[list], str] = encode_values,
    chunk_size: int = 1000,
):
    yield opening
    separator = ""
    items = iter(items)
    while chunk := list(islice(items, chunk_size)):
        yield separator + encode(chunk)
        separator = ","
    yield closing


def json_stream_response(items: Iterable, **options) -> StreamingHttpResponse:
    return StreamingHttpResponse(streamed_json(items, **options), content_type="application/json")


class BareArrayListMixin:
    """``list`` as documents 001 and 003 show it: a bare JSON array of every
    matching row, streamed in batches read with a keyset on the list's order
    (constant memory; nothing cut). Paging is the client's choice: with
    ``?page`` or ``?page_size`` the answer is one page of that array, the total
    in ``X-Total-Count`` and the neighbouring pages in ``Link`` (RFC 8288)."""

    pagination_class = LinkHeaderPagination
    stream_batch_size = 500

    def wants_page(self, request) -> bool:
        paginator = self.paginator
        asked = {paginator.page_query_param, paginator.page_size_query_param}
        return bool(asked & request.query_params.keys())

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        if self.wants_page(request):
            page = self.paginate_queryset(queryset)
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return json_stream_response(self.streamed_rows(queryset))

    def streamed_rows(self, queryset):
        for batch in ordered_batches(queryset, batch_size=self.stream_batch_size):
            yield from self.get_serializer(batch, many=True).data
