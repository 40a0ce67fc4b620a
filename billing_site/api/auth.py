"""``POST /login``: the gateway clients' login, on simplejwt's token pair."""

import math

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.views import TokenBlacklistView, TokenObtainPairView, TokenViewBase

from billing_site.api import revocation
from billing_site.api.exceptions import GatewayErrorSerializer
from billing_site.api.lockout import LOCKED_OUT, LockedOutMixin, seconds_locked_out
from billing_site.api.parsers import AnyTypeJSONParser
from billing_site.api.tokens import AccessToken, TokenObtainPairSerializer


class LoginResponseSerializer(serializers.Serializer):
    """What ``/login`` answers: the schema's and every answer's."""

    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the access token is valid.")


class LoginSerializer(TokenObtainPairSerializer):
    def validate(self, attrs):
        tokens = super().validate(attrs)
        return LoginResponseSerializer(
            {
                "access_token": tokens["access"],
                "refresh_token": tokens["refresh"],
                "token_type": "Bearer",
                "expires_in": int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
            }
        ).data


class TokenObtainView(LockedOutMixin, TokenObtainPairView):
    """simplejwt's token pair, behind the login lock-out."""


class LoginView(LockedOutMixin, TokenViewBase):
    """Exchange a username and password for a bearer token. Wrong credentials or an
    inactive account: 401; missing fields or a body that is not JSON: 400; a
    username or address locked out after failed logins: 429 (``lockout``)."""

    serializer_class = LoginSerializer
    parser_classes = [AnyTypeJSONParser]

    @extend_schema(
        responses={
            200: LoginResponseSerializer,
            # A body that is not a JSON object: detail; missing fields: a list each.
            400: inline_serializer(
                "LoginError",
                {
                    "detail": serializers.CharField(required=False),
                    "username": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                    "password": serializers.ListField(
                        child=serializers.CharField(), required=False
                    ),
                },
            ),
            # A lock-out in the gateway's shape; every other error is DRF's detail.
            429: GatewayErrorSerializer,
        },
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"detail": "The body must be a JSON object."}, status=400)
        return super().post(request, *args, **kwargs)

    def error_body(self, message, status_code, detail=None):
        # The gateway's clients read a lock-out in the gateway's error shape; the
        # 400s and 401s keep the ``detail`` they have always had.
        if status_code == 429:
            return {"success": "false", "message": message}
        return detail


class LogoutView(TokenBlacklistView):
    """Log out: the refresh token of the body is blacklisted and then the access
    token of the ``Authorization`` header, if any, is revoked until it expires
    (refused at once by the worker that answers, within
    ``PERMISSIONS_LOCAL_SECONDS`` by the others). Without a valid refresh token
    nothing is revoked, so a request that fails changes nothing."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)  # raises for a bad refresh token
        access = _access_token(request)
        if access is not None:
            revocation.revoke(access)
        return response


def _access_token(request) -> AccessToken | None:
    authentication = JWTAuthentication()
    try:
        header = authentication.get_header(request)
        raw = header and authentication.get_raw_token(header)
        return AccessToken(raw) if raw else None
    except (AuthenticationFailed, TokenError):
        return None


def throttled_admin_login(request, *args, **kwargs):
    """The admin's login page, behind the API's login lock-out."""
    if request.method == "POST":
        username = request.POST.get(get_user_model().USERNAME_FIELD)
        seconds = seconds_locked_out(request, username)
        if seconds:
            response = HttpResponse(
                f"{LOCKED_OUT} Try again later.", status=429, content_type="text/plain"
            )
            response["Retry-After"] = str(math.ceil(seconds))
            return response
    return admin.site.login(request, *args, **kwargs)
