"""Unknown routes answer JSON in their face's error shape, DEBUG on or off."""

import pytest

pytestmark = pytest.mark.django_db

CASES = [
    ("/no-such-route", {"success": "false", "message": "Not found."}),
    ("/checkPaymentStatus/extra/part", {"success": "false", "message": "Not found."}),
    ("/api/v1/get_all_invoice_ids/2023-01-01/2023-12-31/unpaid/more", None),
    ("/api/v1/no-such-route", {"detail": "Not found."}),
    ("/api/v2/no-such-route", {"detail": "Not found."}),
    ("/api/collections/fees/bills/abc/more", {"message": "Not found.", "errors": {}}),
    ("/api/no-such-route", {"detail": "Not found."}),
]
ISP = {"status": "error", "errorCode": 404, "message": "Not found."}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path, body", CASES)
def test_an_unknown_route_is_a_json_404_in_its_face_shape(
    staff_client, settings, debug, path, body
):
    settings.DEBUG = debug
    response = staff_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == (body or ISP)
