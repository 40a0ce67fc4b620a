import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing_site.api import backends, local_cache
from billing_site.api.backends import GENERATION_KEY, USER_ENTRY
from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS
from invoices.tests.factories import InvoiceFactory, UserFactory

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


@pytest.fixture
def shared_cache(settings, django_capture_on_commit_callbacks):
    settings.PERMISSIONS_CACHE_SECONDS = 300
    cache.clear()
    backends.forget_recent()  # what this process read in earlier tests
    with django_capture_on_commit_callbacks(execute=True):
        yield
    cache.clear()


def fresh(user):
    """The user as the next request loads it: no permissions read yet."""
    return type(user).objects.get(pk=user.pk)


def test_cached_permissions_cost_no_query(shared_cache):
    user = UserFactory(perms=["invoices.view_invoice"])
    assert fresh(user).has_perm("invoices.view_invoice")
    again = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert again.has_perm("invoices.view_invoice")
    assert len(queries) == 0


def test_a_revoked_permission_is_gone_at_once(shared_cache, django_capture_on_commit_callbacks):
    user = UserFactory(perms=["invoices.view_invoice"])
    group = Group.objects.create(name="payers")
    group.permissions.add(permission("payments.add_payment"))
    user.groups.add(group)
    assert fresh(user).has_perms(["invoices.view_invoice", "payments.add_payment"])
    with django_capture_on_commit_callbacks(execute=True):
        user.user_permissions.remove(permission("invoices.view_invoice"))
    assert not fresh(user).has_perm("invoices.view_invoice")
    with django_capture_on_commit_callbacks(execute=True):
        group.permissions.clear()
    assert not fresh(user).has_perm("payments.add_payment")
    with django_capture_on_commit_callbacks(execute=True):
        group.permissions.add(permission("payments.add_payment"))
    assert fresh(user).has_perm("payments.add_payment")
    with django_capture_on_commit_callbacks(execute=True):
        group.delete()
    assert fresh(user).get_all_permissions() == set()


def test_a_change_before_commit_does_not_renew_the_cache(shared_cache):
    # Renewed on commit: a request reading between the change and the commit must
    # not leave the old permissions cached under the new generation.
    user = UserFactory(perms=["invoices.view_invoice"])
    assert fresh(user).has_perm("invoices.view_invoice")
    generation = cache.get(GENERATION_KEY)
    user.user_permissions.clear()  # no commit yet: the callbacks wait
    assert cache.get(GENERATION_KEY) == generation


def test_a_returning_user_id_does_not_inherit_permissions(
    shared_cache, django_capture_on_commit_callbacks
):
    user = UserFactory(perms=["invoices.view_invoice"])
    assert fresh(user).has_perm("invoices.view_invoice")
    pk = user.pk
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    newcomer = UserFactory(pk=pk)
    assert newcomer.pk == pk
    assert not fresh(newcomer).has_perm("invoices.view_invoice")


def check(client, invoice):
    payload = {"orderID": invoice.order_id, "billingNumber": invoice.number}
    return client.post("/checkPaymentStatus", payload, format="json")


def test_a_token_request_reads_its_user_and_permissions_from_the_cache(shared_cache):
    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    client, invoice = bearer_client(user), InvoiceFactory()
    assert check(client, invoice).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert check(client, invoice).status_code == 200
    tables = " ".join(query["sql"] for query in queries)
    assert "auth_user" not in tables and "auth_permission" not in tables
    assert "invoices_invoice" in tables


def test_a_deactivated_user_is_refused_at_once(shared_cache, django_capture_on_commit_callbacks):
    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    client, invoice = bearer_client(user), InvoiceFactory()
    assert check(client, invoice).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()
    assert check(client, invoice).status_code == 401


def test_linking_a_user_to_a_customer_applies_at_once(
    shared_cache, django_capture_on_commit_callbacks
):
    user = UserFactory(perms=["api.use_gateway"])
    client, invoice = bearer_client(user), InvoiceFactory()
    assert check(client, invoice).status_code == 404  # linked to no customer: sees none
    with django_capture_on_commit_callbacks(execute=True):
        invoice.customer.users.add(user)
    assert check(client, invoice).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        invoice.customer.users.remove(user)
    assert check(client, invoice).status_code == 404


def test_a_login_keeps_the_cache(shared_cache, django_capture_on_commit_callbacks):
    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    assert check(bearer_client(user), InvoiceFactory()).status_code == 200
    generation = cache.get(GENERATION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        user.save(update_fields=["last_login"])
    assert cache.get(GENERATION_KEY) == generation
    with django_capture_on_commit_callbacks(execute=True):
        user.save()
    assert cache.get(GENERATION_KEY) != generation


def test_the_cache_holds_no_password_hash(shared_cache):
    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    assert check(bearer_client(user), InvoiceFactory()).status_code == 200
    entry = cache.get(f"{USER_ENTRY}:id={user.pk}")
    assert entry is not None
    assert user.password not in repr(entry)
    assert str(user.pk) in repr(entry) and "api.use_gateway" in repr(entry)


def test_without_the_cache_the_database_answers(
    shared_cache, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    monkeypatch.setattr(cache, "get_many", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    assert check(bearer_client(user), InvoiceFactory()).status_code == 200
    assert "The shared cache failed" in caplog.text
    with django_capture_on_commit_callbacks(execute=True):
        user.is_active = False
        user.save()  # committed: the cache's failure does not undo it or raise
    assert "Could not renew the permissions cache" in caplog.text
    assert check(bearer_client(user), InvoiceFactory()).status_code == 401


def test_a_worker_keeps_what_it_read_for_permissions_local_seconds(
    shared_cache, settings, monkeypatch
):
    # Another worker revokes a permission (seen here as a bulk delete, which sends
    # no signal, and a renewed generation): this worker applies it within the window.
    settings.PERMISSIONS_LOCAL_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(local_cache.time, "monotonic", lambda: clock[0])
    user = UserFactory(perms=["invoices.view_invoice", VIEW_ALL_CUSTOMERS])
    assert fresh(user).has_perm("invoices.view_invoice")
    user.user_permissions.through.objects.filter(user=user).delete()
    cache.set(GENERATION_KEY, "renewed by another worker")
    reads = []
    monkeypatch.setattr(cache, "get_many", lambda *args, **kwargs: reads.append(args) or {})
    clock[0] += 0.9
    assert fresh(user).has_perm("invoices.view_invoice")
    assert reads == []  # no round trip to the shared cache
    monkeypatch.undo()  # the cache answers again
    monkeypatch.setattr(local_cache.time, "monotonic", lambda: clock[0] + 0.2)
    assert not fresh(user).has_perm("invoices.view_invoice")


def test_the_grant_to_see_every_customer_comes_and_goes_with_the_cache(
    shared_cache, django_capture_on_commit_callbacks
):
    user = UserFactory(perms=["api.use_gateway", VIEW_ALL_CUSTOMERS])
    client, invoice = bearer_client(user), InvoiceFactory()
    assert check(client, invoice).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        user.user_permissions.remove(permission(VIEW_ALL_CUSTOMERS))
    assert check(client, invoice).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        user.user_permissions.add(permission(VIEW_ALL_CUSTOMERS))
    assert check(client, invoice).status_code == 200
