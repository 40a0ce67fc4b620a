import pytest

from billing_site.testing import bearer_client
from invoices.models import VIEW_ALL_CUSTOMERS, Customer
from invoices.tests.factories import CustomerFactory, InvoiceFactory, UserFactory
from invoices.tests.json_bodies import parsed

pytestmark = pytest.mark.django_db

PERMS = [
    "api.use_invoices",
    "invoices.view_customer",
    "invoices.add_customer",
    "invoices.change_customer",
    "invoices.delete_customer",
]


@pytest.fixture
def client():
    return bearer_client(UserFactory(perms=[*PERMS, VIEW_ALL_CUSTOMERS]))


def test_customer_crud(client):
    created = client.post(
        "/api/v1/customers/",
        {
            "name": "Jane Roe",
            "first_name": "Jane",
            "last_name": "Roe",
            "email": "jane@example.com",
            "phone": "+1 555 0100",
            "tax_number": "US-1",
            "address": {
                "street": "1 Road",
                "city": "Town",
                "state": "CA",
                "zip": "90001",
                "country": "US",
            },
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["address"] == {
        "street": "1 Road",
        "city": "Town",
        "state": "CA",
        "zip": "90001",
        "country": "US",
    }
    assert body["account_number"]  # generated
    assert body["status"] == "active"
    url = f"/api/v1/customers/{body['id']}/"
    assert client.get(url).json()["email"] == "jane@example.com"
    patched = client.patch(url, {"address": {"city": "City"}, "status": "inactive"}, format="json")
    assert patched.status_code == 200
    assert (patched.json()["address"]["city"], patched.json()["address"]["street"]) == (
        "City",
        "1 Road",
    )
    assert [row["id"] for row in parsed(client.get("/api/v1/customers/?status=inactive"))] == [
        body["id"]
    ]
    assert client.delete(url).status_code == 204
    assert not Customer.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({}, "name"),
        ({"name": "x", "email": "not-an-email"}, "email"),
        ({"name": "x", "status": "gone"}, "status"),
        ({"name": "x", "address": "street"}, "address"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_customer_input_is_400(client, payload, field):
    response = client.post("/api/v1/customers/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_blank_account_number_keeps_the_one_given(client):
    created = client.post("/api/v1/customers/", {"name": "Ann"}, format="json").json()
    assert created["account_number"]
    url = f"/api/v1/customers/{created['id']}/"
    kept = client.patch(url, {"account_number": "", "name": "Ann B"}, format="json")
    assert kept.status_code == 200
    assert (kept.json()["account_number"], kept.json()["name"]) == (
        created["account_number"],
        "Ann B",
    )


def test_duplicate_account_number_is_400(client):
    CustomerFactory(account_number="A-1")
    response = client.post(
        "/api/v1/customers/", {"name": "x", "account_number": "A-1"}, format="json"
    )
    assert response.status_code == 400
    assert "account_number" in response.json()


def test_a_customer_with_invoices_cannot_be_deleted(client):
    invoice = InvoiceFactory()
    response = client.delete(f"/api/v1/customers/{invoice.customer_id}/")
    assert response.status_code == 409
    assert Customer.objects.filter(pk=invoice.customer_id).exists()


def test_a_linked_user_sees_only_its_customer():
    mine, other = CustomerFactory(), CustomerFactory()
    user = UserFactory(perms=PERMS)
    mine.users.add(user)
    client = bearer_client(user)
    assert [row["id"] for row in parsed(client.get("/api/v1/customers/"))] == [mine.pk]
    assert client.get(f"/api/v1/customers/{other.pk}/").status_code == 404
    assert client.delete(f"/api/v1/customers/{other.pk}/").status_code == 404


def test_customers_need_permissions(api_client):
    assert api_client.get("/api/v1/customers/").status_code == 401
    face_only = bearer_client(UserFactory(perms=["api.use_invoices"]))
    assert face_only.get("/api/v1/customers/").status_code == 403
    models_only = bearer_client(UserFactory(perms=[p for p in PERMS if p.startswith("invoices.")]))
    assert models_only.get("/api/v1/customers/").json() == {
        "detail": "You do not have permission to use this API."
    }


def test_the_list_is_a_bare_array_every_row_streamed_paged_on_request(client, monkeypatch):
    from invoices.api.views import CustomerViewSet

    monkeypatch.setattr(CustomerViewSet, "stream_batch_size", 2)
    names = sorted(f"Customer {index:02}" for index in range(7))
    for name in names:
        CustomerFactory(name=name)
    whole = client.get("/api/v1/customers/")
    assert whole.streaming and [row["name"] for row in parsed(whole)] == names
    page = client.get("/api/v1/customers/?page=2&page_size=3")
    assert [row["name"] for row in parsed(page)] == names[3:6]
    assert page["X-Total-Count"] == "7"
    assert 'rel="next"' in page["Link"] and 'rel="prev"' in page["Link"]
    assert client.get("/api/v1/customers/?name=Customer 0&ordering=-name").status_code == 200
    assert client.get("/api/v1/customers/?created=2023-01-01").status_code == 400


# Each request: user, token deny-list, permissions, and the request log row.
PER_REQUEST = 4


@pytest.mark.parametrize("count", [1, 12])
def test_the_streamed_list_costs_a_query_a_batch(client, count, django_assert_num_queries):
    CustomerFactory.create_batch(count)
    with django_assert_num_queries(PER_REQUEST + 1):  # one batch (500 rows)
        assert len(parsed(client.get("/api/v1/customers/"))) == count


@pytest.mark.parametrize("page_size", [1, 12])
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, page_size, django_assert_num_queries
):
    CustomerFactory.create_batch(12)
    with django_assert_num_queries(PER_REQUEST + 2):  # the count, the page
        assert len(parsed(client.get(f"/api/v1/customers/?page_size={page_size}"))) == page_size


def test_a_customer_created_by_a_linked_user_is_theirs():
    mine = CustomerFactory()
    user = UserFactory(perms=PERMS)
    mine.users.add(user)
    client = bearer_client(user)
    created = client.post("/api/v1/customers/", {"name": "Branch office"}, format="json").json()
    assert client.get(f"/api/v1/customers/{created['id']}/").status_code == 200
    assert {row["id"] for row in parsed(client.get("/api/v1/customers/"))} == {
        mine.pk,
        created["id"],
    }
