"""Large JSON answers sent piece by piece, never built whole in memory."""

from collections.abc import Callable, Iterable
from itertools import islice

from django.http import StreamingHttpResponse

from .numbers import dumps


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
