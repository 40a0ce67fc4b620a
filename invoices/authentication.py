"""Bearer-token authentication that reads, in the same query as the user, whether
the user acts for particular customers: every read of customer records asks, and
the answer then costs neither a query nor a subquery per record. With a shared
cache, the user (and their permissions) comes from there instead."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt import authentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import BlacklistMixin, Token

from billing_site.api import revocation
from billing_site.api.backends import cached_user

from .models import Customer


class UsersWithCustomerLinks:
    """Where simplejwt's ``get_user`` finds users (``objects.get``,
    ``DoesNotExist``): the user model's rows, each with ``acts_for_customers``."""

    def __init__(self):
        self.objects = self
        self.DoesNotExist = get_user_model().DoesNotExist

    @cached_property
    def rows(self):
        # Built on a cache miss only: a queryset costs more to build than a cached read.
        links = Customer.users.through.objects.filter(user_id=OuterRef("pk"))
        return get_user_model().objects.annotate(acts_for_customers=Exists(links))

    def get(self, **lookup):
        if not settings.PERMISSIONS_CACHE_SECONDS:
            return self.rows.get(**lookup)
        key = ",".join(f"{field}={value}" for field, value in sorted(lookup.items()))
        return cached_user(
            key, lambda: self.rows.get(**lookup), annotations=("acts_for_customers",)
        )


# Access tokens this process verified, by their text (with the key that signed
# them). Nothing a token says can change: one seen again needs only its expiry
# and the deny-list of logged-out tokens checked (``revocation``, asked at most
# once per PERMISSIONS_LOCAL_SECONDS), not its signature and claims decoded
# again. A token class with a blacklist is verified every time.
_verified: dict[bytes, tuple[str, Token]] = {}
_VERIFIED_LIMIT = 10_000  # emptied when full


class JWTAuthentication(authentication.JWTAuthentication):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_model = UsersWithCustomerLinks()

    def get_validated_token(self, raw_token: bytes) -> Token:
        key = api_settings.SIGNING_KEY
        signed_with, token = _verified.get(raw_token, (None, None))
        if signed_with != key or token["exp"] <= time.time():
            token = super().get_validated_token(raw_token)
            if not isinstance(token, BlacklistMixin):
                if len(_verified) >= _VERIFIED_LIMIT:
                    _verified.clear()
                _verified[raw_token] = (key, token)
        # Kept or not, a token revoked at logout is refused: at once in the worker
        # that revoked it, within PERMISSIONS_LOCAL_SECONDS in the others.
        if revocation.is_revoked(token):
            raise InvalidToken(_("Token has been revoked"), code="token_revoked")
        return token


class JWTScheme(SimpleJWTScheme):
    """The API docs' Bearer scheme for this authentication."""

    target_class = JWTAuthentication
