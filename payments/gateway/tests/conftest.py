import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def every_permission_but_the_gateways(db) -> list[str]:
    """Every model permission and every other face's, the grant to see every
    customer included: all a user may hold but ``api.use_gateway``."""
    permissions = Permission.objects.exclude(content_type__app_label="api", codename="use_gateway")
    return [f"{p.content_type.app_label}.{p.codename}" for p in permissions]
