"""Log lines as plain text or as one JSON object each (``LOG_FORMAT``). A line
written while a request is answered carries the request's id, user and face
(the request log middleware binds them; ``RequestContextFilter`` adds them),
and every request ends with one access line on the ``billing.access`` logger.

Imported by ``gunicorn.conf.py`` before Django is set up: nothing here reads
settings or models."""

import contextvars
import logging

from django.utils.functional import SimpleLazyObject, empty
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

access_log = logging.getLogger("billing.access")
# (request, face) of the request being answered in this thread or task.
_request = contextvars.ContextVar("log_request", default=None)


class JsonFormatter(BaseJsonFormatter):
    """``{"timestamp", "level", "logger", "message", ...}``: the time in UTC (ISO
    8601), then whatever the line carries (request id, user, face, exc_info)."""

    def __init__(self, **kwargs):
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            timestamp=True,
            rename_fields={"levelname": "level", "name": "logger"},
            **kwargs,
        )


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``user`` and ``face`` to a line written during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _request.get()
        if bound is not None:
            request, face = bound
            record.request_id = getattr(request, "request_id", None)
            record.user = _username(request)
            record.face = face
        return True


def _username(request) -> str | None:
    # Only a user already known: authentication's lazy user is not read here,
    # or writing a line could cost a session lookup.
    user = request.__dict__.get("user")
    if type(user) is SimpleLazyObject:
        user = None if user._wrapped is empty else user._wrapped
    return user.get_username() if user is not None and user.is_authenticated else None


def bind_request(request, face: str) -> contextvars.Token:
    """Lines written from now on carry ``request``'s id, user and face; pass the
    token to ``unbind_request`` when it is answered."""
    return _request.set((request, face))


def unbind_request(token: contextvars.Token) -> None:
    _request.reset(token)


def log_access(*, method: str, path: str, status: int, duration_ms: float) -> None:
    """The request's access line (its id, user and face come from the binding)."""
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "%s %s %s %.1f ms",
            method,
            path,
            status,
            duration_ms,
            extra={
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": round(duration_ms, 3),
            },
        )
