"""An answer rendered at once (``rendered``) is what DRF's ``Response`` becomes."""

import pytest
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.responses import rendered

RECORDS = [
    {"billingNumber": 900000, "customerAccountName": "Amy Cisneros", "success": "true"},
    {"name": 'Zoë \u2028 \u2029 "quoted" \\ back </script>', "emoji": "\U0001f4b8", "n": -0.5},
    {"nested": [1, {"a": None, "b": True}], "empty": {}, "text": ""},
]
ACCEPTS = [None, "*/*", "application/json", "application/json; indent=4", "application/*"]


class AsDRF(APIView):
    authentication_classes = []
    permission_classes = []
    record: dict = {}

    def post(self, request):
        return Response(self.record)


class AtOnce(AsDRF):
    def post(self, request):
        return rendered(self, request, self.record)


@pytest.mark.parametrize("renderer", [JSONRenderer, NumberJSONRenderer])
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("record", RECORDS)
def test_the_answer_is_drfs(renderer, accept, record):
    def answer(view):
        headers = {} if accept is None else {"HTTP_ACCEPT": accept}
        request = APIRequestFactory().post("/x", {}, format="json", **headers)
        response = view.as_view(renderer_classes=[renderer], record=record)(request)
        if hasattr(response, "render"):
            response.render()
        return response.status_code, response.content, dict(response.items())

    assert answer(AtOnce) == answer(AsDRF)


def test_a_refused_accept_is_refused_before_the_view():
    request = APIRequestFactory().post("/x", {}, format="json", HTTP_ACCEPT="text/csv")
    response = AtOnce.as_view(renderer_classes=[JSONRenderer], record={})(request)
    assert response.status_code == 406
