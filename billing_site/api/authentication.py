"""Bearer-token authentication, on the hot path of every API call.

The user is read with the ledger's answer to whether it acts for particular
customers (``settings.API_USER_CUSTOMERS``) in the same query, as
``acts_for_customers``: every read of customer records asks, and the answer then
costs neither a query nor a subquery per record. With the shared cache, the
user, its permissions and that answer come from there instead (``backends``)."""

import functools
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import BlacklistMixin, Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from . import revocation
from .backends import cached_user
from .local_cache import LocalCache

# The annotation each authenticated user carries (read by the ledger's scoping).
ACTS_FOR_CUSTOMERS = "acts_for_customers"

# Access tokens this process verified, by their text: (the key that signed them,
# the token). Nothing a token says can change: one seen again needs only its
# expiry and the deny-list of logged-out tokens checked (``revocation``, asked at
# most once per PERMISSIONS_LOCAL_SECONDS), not its signature and claims decoded
# again. A token class with a blacklist is verified every time.
_verified = LocalCache()


class JWTAuthentication(authentication.JWTAuthentication):
    def get_validated_token(self, raw_token: bytes) -> Token:
        key = api_settings.SIGNING_KEY
        signed_with, token = _verified.get(raw_token, (None, None))
        if signed_with != key or token["exp"] <= time.time():
            token = super().get_validated_token(raw_token)
            if not isinstance(token, BlacklistMixin):
                _verified.set(raw_token, (key, token), token["exp"] - time.time())
        # Kept or not, a token revoked at logout is refused: at once in the worker
        # that revoked it, within PERMISSIONS_LOCAL_SECONDS in the others.
        if revocation.is_revoked(token):
            raise InvalidToken(_("Token has been revoked"), code="token_revoked")
        return token

    def get_user(self, validated_token: Token):
        """simplejwt's, with the user read by ``load_user``."""
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as error:
            raise InvalidToken(_("Token contained no recognizable user identification")) from error
        try:
            user = load_user({api_settings.USER_ID_FIELD: user_id})
        except self.user_model.DoesNotExist as error:
            raise AuthenticationFailed(_("User not found"), code="user_not_found") from error
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


def load_user(lookup: dict):
    """The user ``lookup`` names, with ``acts_for_customers``: from the shared
    cache when it is on (``backends.cached_user``), else in one query. Raises the
    user model's ``DoesNotExist`` when there is none."""
    if not settings.PERMISSIONS_CACHE_SECONDS:
        return _users().get(**lookup)
    key = ",".join(f"{field}={value}" for field, value in sorted(lookup.items()))
    return cached_user(key, lambda: _users().get(**lookup), annotations=(ACTS_FOR_CUSTOMERS,))


def _users():
    # Built when the database is read only: a queryset costs more to build than a
    # cached read.
    acts_for_customers = _hook(settings.API_USER_CUSTOMERS)()
    return get_user_model().objects.annotate(**{ACTS_FOR_CUSTOMERS: acts_for_customers})


@functools.cache
def _hook(path: str):
    return import_string(path)


class JWTScheme(SimpleJWTScheme):
    """The API docs' Bearer scheme for this authentication."""

    target_class = JWTAuthentication
