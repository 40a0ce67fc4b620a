"""What the schema says of each operation beyond what the views show: its
operation id, summary, description and examples. Each face keeps its own in a
``schema_docs`` module (``OPERATIONS``, keyed by ``"METHOD /path"`` as the schema
writes the path); ``billing_site.api.schema.document_operations`` applies them."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operation:
    """``operation_id`` is the name generated clients give the call: camelCase,
    a verb first. ``request`` and ``response`` are example bodies (``response``
    of the operation's success status); ``examples`` more named request bodies."""

    operation_id: str
    summary: str = ""
    description: str = ""
    request: Any = None
    response: Any = None
    examples: dict[str, Any] = field(default_factory=dict)


# The auth routes: a token pair for a username and password, its refresh and its end.
AUTH_TAG = "auth"
OPERATIONS = {
    "POST /login": Operation("login"),
    "POST /api/auth/token/": Operation("obtainToken"),
    "POST /api/auth/token/refresh/": Operation("refreshToken"),
    "POST /api/auth/logout/": Operation("logout"),
}
