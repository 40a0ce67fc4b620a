"""What the schema says of each operation beyond what the views show: its
operation id, summary, description and examples. Each face keeps its own in a
``schema_docs`` module (``TAG`` and ``OPERATIONS``, keyed by ``"METHOD /path"``
as the schema writes the path); ``billing_site.api.schema.document_operations``
applies them. This one holds the auth routes'."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Operation:
    """``operation_id`` is the name generated clients give the call: camelCase,
    a verb first. ``description`` replaces the view's docstring when given.
    ``request`` is an example request body (``examples``: several, by name);
    ``responses`` an example answer body by status. ``tag`` replaces the
    module's ``TAG`` (the signed document links have their own)."""

    operation_id: str
    summary: str
    description: str = ""
    request: Any = None
    responses: dict[int, Any] = field(default_factory=dict)
    examples: dict[str, Any] = field(default_factory=dict)
    tag: str = ""


# Examples, not secrets: tokens signed by no key (real ones are longer), and the
# gateway user seed_demo creates.
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.c2lnbmF0dXJl"  # noqa: S105
REFRESH_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.c2lnbmF0dXJl"  # noqa: S105
CREDENTIALS = {"username": "gateway", "password": "gateway-demo-password"}

TAG = "auth"
OPERATIONS = {
    "POST /login": Operation(
        "login",
        "Log in with a username and password",
        "The gateway clients' login (document 000): a bearer token for "
        "`Authorization: Bearer <access_token>`, valid `expires_in` seconds, and a refresh "
        "token for `POST /api/auth/token/refresh/`. The body is read as JSON whatever its "
        'Content-Type. Wrong credentials or an inactive account: 401 {"detail"}; missing '
        "fields or a body that is not a JSON object: 400; a username or address locked out "
        'after failed logins: 429 {"success": "false", "message"}.',
        request=CREDENTIALS,
        responses={
            200: {
                "access_token": ACCESS_TOKEN,
                "refresh_token": REFRESH_TOKEN,
                "token_type": "Bearer",
                "expires_in": 3600,
            },
            401: {"detail": "No active account found with the given credentials"},
        },
    ),
    "POST /api/auth/token/": Operation(
        "obtainToken",
        "Obtain an access and refresh token pair",
        "simplejwt's token pair for a username and password, behind the same lock-out "
        'as /login (429). Wrong credentials: 401 {"detail"}.',
        request=CREDENTIALS,
        responses={401: {"detail": "No active account found with the given credentials"}},
    ),
    "POST /api/auth/token/refresh/": Operation(
        "refreshToken",
        "Exchange a refresh token for a new access token",
        "A refresh token that is valid, not blacklisted (logout) and not expired gives a "
        'new access token; any other: 401 {"detail", "code": "token_not_valid"}.',
        request={"refresh": REFRESH_TOKEN},
        responses={200: {"refresh": REFRESH_TOKEN, "access": ACCESS_TOKEN}},
    ),
    "POST /api/auth/logout/": Operation(
        "logout",
        "Log out: revoke the refresh token and the access token",
        "The refresh token of the body is blacklisted, then the access token of the "
        "`Authorization` header, if one is sent, is revoked until it expires. Without a "
        "valid refresh token (401) nothing is revoked.",
        request={"refresh": REFRESH_TOKEN},
    ),
}
