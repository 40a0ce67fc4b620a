"""Helpers shared by the apps' tests."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


def bearer_client(user) -> APIClient:
    """An API client that sends a valid access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client
