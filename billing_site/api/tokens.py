"""simplejwt's tokens, with every claim's type checked before it is used: a
correctly signed token whose ``exp`` is text, whose ``user_id`` is a list or a
number no id can be, or whose ``jti`` or ``token_type`` is not text is refused
as invalid (a 401), never left to raise where the claim is read (a 500)."""

import datetime

from django.utils.translation import gettext_lazy as _
from rest_framework_simplejwt import serializers, tokens
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings

from .fields import MAX_ID, whole_number

# The last second a datetime can name: a later ``exp`` cannot be compared.
_LAST_SECOND = int(datetime.datetime.max.replace(tzinfo=datetime.UTC).timestamp())
_MAX_JTI_LENGTH = 255  # the blacklist's column


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid_user_id(value) -> bool:
    if _is_int(value):
        return 0 < value <= MAX_ID
    return isinstance(value, str) and whole_number(value) is not None


def check_claim_types(payload: dict) -> None:
    """Raise ``TokenError`` unless each claim this service reads has its type."""
    exp = payload.get("exp")
    if not _is_int(exp) or not 0 < exp <= _LAST_SECOND:
        raise TokenError(_("Token has an invalid expiry"))
    for claim in ("iat", "nbf"):
        if claim in payload and not _is_int(payload[claim]):
            raise TokenError(_("Token has an invalid time claim"))
    jti = payload.get(api_settings.JTI_CLAIM)
    if not isinstance(jti, str) or not 0 < len(jti) <= _MAX_JTI_LENGTH:
        raise TokenError(_("Token has an invalid id"))
    if not isinstance(payload.get(api_settings.TOKEN_TYPE_CLAIM), str):
        raise TokenError(_("Token has an invalid type"))
    if not _valid_user_id(payload.get(api_settings.USER_ID_CLAIM)):
        raise TokenError(_("Token has an invalid user id"))


class StrictClaims:
    def verify(self) -> None:
        check_claim_types(self.payload)
        super().verify()


class AccessToken(StrictClaims, tokens.AccessToken):
    pass


class RefreshToken(StrictClaims, tokens.RefreshToken):
    access_token_class = AccessToken


class TokenObtainPairSerializer(serializers.TokenObtainPairSerializer):
    token_class = RefreshToken


class TokenRefreshSerializer(serializers.TokenRefreshSerializer):
    token_class = RefreshToken


class TokenBlacklistSerializer(serializers.TokenBlacklistSerializer):
    token_class = RefreshToken
