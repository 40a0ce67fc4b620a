import pytest

pytestmark = pytest.mark.django_db

APP = "https://app.example"


def preflight(client, origin):
    return client.options(
        "/checkPaymentStatus",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )


def test_cross_origin_calls_are_refused_unless_configured(gateway_client):
    response = gateway_client.get("/getAllBilling", HTTP_ORIGIN=APP)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response
    assert "Access-Control-Allow-Origin" not in preflight(gateway_client, APP)


def test_a_configured_origin_may_call(gateway_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    answer = preflight(gateway_client, APP)
    assert answer.status_code == 204
    assert answer["Access-Control-Allow-Origin"] == APP
    assert "POST" in answer["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in answer["Access-Control-Allow-Headers"]
    response = gateway_client.get("/getAllBilling", HTTP_ORIGIN=APP)
    assert response["Access-Control-Allow-Origin"] == APP
    assert "Origin" in response["Vary"]


def test_another_origin_stays_refused(gateway_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    for origin in ("https://evil.example", "null", APP + ".evil.example"):
        assert "Access-Control-Allow-Origin" not in preflight(gateway_client, origin)
        response = gateway_client.get("/getAllBilling", HTTP_ORIGIN=origin)
        assert "Access-Control-Allow-Origin" not in response


def test_a_guards_answer_is_readable_too(gateway_client, settings):
    settings.CORS_ALLOWED_ORIGINS = [APP]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = gateway_client.post(
        "/checkPaymentStatus", {"orderID": "x" * 50}, format="json", HTTP_ORIGIN=APP
    )
    assert response.status_code == 413
    assert response["Access-Control-Allow-Origin"] == APP
    assert "Retry-After" in response["Access-Control-Expose-Headers"]
