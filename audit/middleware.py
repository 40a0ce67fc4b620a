"""Writes one row to the ``logs`` table for every request."""

import functools
import logging
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import JsonResponse

from billing_site.api.clients import client_address
from billing_site.api.parsers import text_charset
from billing_site.request_context import is_counted, request_id

from . import spool
from .masking import mask_link_signatures, mask_text
from .services import (
    log_settings,
    request_log_can_be_owed,
    request_log_owed,
    request_log_write,
)
from .services import spool as log_spool

logger = logging.getLogger(__name__)

_TEXT_TYPES = ("json", "text/", "xml", "x-www-form-urlencoded", "javascript")
# Pages (the docs, the admin) carry CSRF tokens and session data: summarised.
_SUMMARISED_TYPES = ("text/html",)


def _text(raw: bytes, charset: str | None) -> str:
    """A body as the API read it: in its declared charset (UTF-8 when none, or
    when the API refuses the charset); bytes that do not decode are replaced."""
    return raw.decode(text_charset(charset) or "utf-8", errors="replace")


@functools.lru_cache(maxsize=256)
def _kind(content_type: str) -> str:
    """How a body of this type is logged: "text", "binary" or "html" (a few types
    come again and again: judged once each)."""
    if content_type and not any(kind in content_type for kind in _TEXT_TYPES):
        return "binary"
    return "html" if any(kind in content_type for kind in _SUMMARISED_TYPES) else "text"


def _summarise(raw: bytes, content_type: str, charset: str | None) -> str:
    """Masked, capped text of a body; a short summary of a binary one. A body of
    reasonable size is masked whole before it is cut (a cut JSON no longer
    parses); only the start of a huge one is read, masked key by key."""
    if not raw:
        return ""
    kind = _kind(content_type)
    if kind != "text":
        return f"<{kind} {content_type}, {len(raw)} bytes>"
    cap = log_settings().body_cap
    try:
        read = raw if len(raw) <= 4 * cap else raw[: 2 * cap]
        text = mask_text(_text(read, charset), content_type)
    except Exception:  # the log must never fail the request
        logger.exception("Could not mask a body for the request log")
        return f"<body of {len(raw)} bytes not logged: it could not be masked>"
    if len(raw) > cap or len(text) > cap:
        return f"{text[:cap]}...[truncated, {len(raw)} bytes in all]"
    return text


def _request_body(request) -> str:
    try:
        raw = request.body
    except RequestDataTooBig:
        return f"<body over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes, not read>"
    return _summarise(raw, request.content_type or "", request.encoding)


def _response_body(response) -> str:
    content_type = response.get("Content-Type", "")
    if response.streaming:
        return f"<streamed {content_type}>"
    # The charset (a lookup of the settings when the type names none) only for text.
    charset = response.charset if _kind(content_type) == "text" else None
    return _summarise(response.content, content_type, charset)


def _query_string(request) -> str:
    query = request.META.get("QUERY_STRING", "")
    return mask_text(query, "x-www-form-urlencoded") if query else ""


def _user(request):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class RequestLogMiddleware:
    """A row in the ``logs`` table for every API request (after
    ``billing_site.request_context``, which gives it its id)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_counted(request):
            return self.get_response(request)
        if not hasattr(request, "request_id"):  # the request context middleware is not in use
            request.request_id = request_id(request)
        request.request_log = _Pending(time.perf_counter(), _request_body(request))
        moves_money = spool.durable_requested()
        try:
            response = log_full() or self.get_response(request)
            durable = spool.is_durable_required()
        finally:
            spool.reset_durable(moves_money)
        if request.request_log.stored is not response:
            request_log_write(**_fields(request, response), durable=durable)
        return response


class _Pending:
    """A request's row on its way: when it started, its body as logged, and the
    answer whose row its transaction stored (``log_with_commit``)."""

    def __init__(self, started: float, request_body: str):
        self.started, self.request_body, self.stored = started, request_body, None


def _fields(request, response) -> dict:
    elapsed_ms = (time.perf_counter() - request.request_log.started) * 1000
    return dict(
        endpoint=mask_link_signatures(request.path)[:500],
        method=request.method[:10],
        status_code=response.status_code,
        request_body=request.request_log.request_body,
        response_body=_response_body(response),
        query_string=_query_string(request),
        user=_user(request),
        client_address=client_address(request) or None,
        duration_ms=f"{elapsed_ms:.3f}",  # the column's decimal, written as text
        request_id=request.request_id,
    )


def log_with_commit(request, response) -> None:
    """Called inside the transaction of a request that moves money, with the
    answer it will give (rendered): where that transaction is the request's
    outermost and the database can, the request's row is written in it, so the
    commit that keeps the money keeps the row, on disk before the answer
    leaves, without a sync of the log's own. Its time runs to here, before the
    COMMIT. Rolled back, the row goes with the money, and the answer the client
    gets instead is logged as any other; a COMMIT whose answer was lost (the
    connection cut) leaves both rows, the one committed and the 503's."""
    pending = getattr(request, "request_log", None)
    if pending is None or not spool.is_durable_required() or not _is_rendered(response):
        return
    if request_log_can_be_owed() and request_log_owed(**_fields(request, response)):
        transaction.on_commit(functools.partial(setattr, pending, "stored", response))


def _is_rendered(response) -> bool:
    return not response.streaming and getattr(response, "is_rendered", True)


def log_full() -> JsonResponse | None:
    """A 503 while the spool holds more than it may: the database is behind, and
    a request answered now might never be logged."""
    if not log_settings().spooled or not log_spool().full():
        return None
    response = JsonResponse(
        {
            "detail": "The service is unavailable: its request log is catching up. "
            "Try again shortly."
        },
        status=503,
    )
    response["Retry-After"] = "5"
    return response
