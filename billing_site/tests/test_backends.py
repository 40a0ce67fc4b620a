import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def permission(name):
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def test_own_and_group_permissions_are_read_in_one_query():
    user = UserFactory(perms=["invoices.view_invoice"])
    group = Group.objects.create(name="payers")
    group.permissions.add(permission("payments.add_payment"))
    user.groups.add(group)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perms(["invoices.view_invoice", "payments.add_payment"])
        assert not user.has_perm("invoices.delete_invoice")
    assert len(queries) == 1
    assert user.get_all_permissions() == {"invoices.view_invoice", "payments.add_payment"}


def test_an_inactive_user_holds_no_permission():
    user = UserFactory(perms=["invoices.view_invoice"], is_active=False)
    assert not user.has_perm("invoices.view_invoice")
    assert user.get_all_permissions() == set()
