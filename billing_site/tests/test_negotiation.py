"""The content negotiation's shortcut gives what DRF's own negotiation gives."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from billing_site.api.negotiation import ContentNegotiation
from billing_site.api.numbers import NumberJSONRenderer
from billing_site.documents.renderer import PDFRenderer
from reports.api.views import DOCUMENT_RENDERERS

RENDERER_SETS = [
    [JSONRenderer()],
    [NumberJSONRenderer()],
    [PDFRenderer()],
    [renderer() for renderer in DOCUMENT_RENDERERS],
    [BrowsableAPIRenderer(), JSONRenderer()],
]
ACCEPTS = [None, "*/*", "application/json", "text/html", "application/pdf", "text/csv, */*"]


def request(accept, query=""):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return Request(APIRequestFactory().get(f"/x{query}", **headers))


@pytest.mark.parametrize(
    "renderers", RENDERER_SETS, ids=lambda rs: "+".join(type(r).__name__ for r in rs)
)
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?page=2"])
def test_the_shortcut_answers_as_drf(renderers, accept, query):
    def outcome(negotiation):
        try:
            renderer, media_type = negotiation.select_renderer(request(accept, query), renderers)
        except Exception as error:  # the refusal is part of the answer
            return type(error).__name__
        return type(renderer).__name__, media_type

    assert outcome(ContentNegotiation()) == outcome(DefaultContentNegotiation())


def test_a_request_without_preference_skips_the_parsing(monkeypatch):
    def parsed(*args):
        raise AssertionError("parsed")

    monkeypatch.setattr(DefaultContentNegotiation, "_get_parsed_accept_list", parsed)
    renderer, media_type = ContentNegotiation().select_renderer(request(None), [JSONRenderer()])
    assert (type(renderer), media_type) == (JSONRenderer, "application/json")
