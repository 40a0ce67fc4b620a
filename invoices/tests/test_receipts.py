"""The receipt PDF behind a signed link, as the ISP face, the bill pages and
the admin hand it out."""

import pytest
from django.core import signing

from invoices import receipts
from invoices.tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    return InvoiceFactory()


def test_forged_and_expired_receipt_links(api_client, invoice, settings):
    token = receipts.receipt_token(invoice)
    forged = signing.dumps(InvoiceFactory().pk, salt="another-salt")
    response = api_client.get(f"/receipts/{forged}.pdf")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    assert response.json() == {"detail": "This receipt link is not valid."}
    assert api_client.get(f"/receipts/{token}.pdf").status_code == 200
    settings.RECEIPT_LINK_MAX_AGE = -1
    assert api_client.get(f"/receipts/{token}.pdf").status_code == 410


@pytest.mark.parametrize("method", ["options", "post", "delete"])
def test_the_receipt_link_answers_only_get(api_client, invoice, method):
    token = receipts.receipt_token(invoice)
    response = getattr(api_client, method)(f"/receipts/{token}.pdf")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
