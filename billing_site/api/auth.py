"""``POST /login``: the gateway clients' login, on simplejwt's token pair."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.views import TokenViewBase

from billing_site.api.parsers import AnyTypeJSONParser


class LoginSerializer(TokenObtainPairSerializer):
    def validate(self, attrs):
        tokens = super().validate(attrs)
        return {
            "access_token": tokens["access"],
            "refresh_token": tokens["refresh"],
            "token_type": "Bearer",
            "expires_in": int(api_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        }


class LoginView(TokenViewBase):
    """Exchange a username and password for a bearer token. Wrong credentials or an
    inactive account: 401; missing fields or a body that is not JSON: 400."""

    serializer_class = LoginSerializer
    parser_classes = [AnyTypeJSONParser]
    throttle_scope = "login"

    @extend_schema(
        operation_id="login",
        tags=["auth"],
        responses={
            200: inline_serializer(
                "LoginResponse",
                {
                    "access_token": serializers.CharField(),
                    "refresh_token": serializers.CharField(),
                    "token_type": serializers.CharField(),
                    "expires_in": serializers.IntegerField(),
                },
            ),
            400: inline_serializer("LoginError", {"detail": serializers.CharField()}),
            401: inline_serializer("LoginFailed", {"detail": serializers.CharField()}),
        },
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            return Response({"detail": "The body must be a JSON object."}, status=400)
        return super().post(request, *args, **kwargs)
