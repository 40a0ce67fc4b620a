"""Bases of the document renderers (PDF, CSV)."""

from rest_framework.renderers import BaseRenderer, JSONRenderer


class DocumentRenderer(BaseRenderer):
    """A DRF renderer for a downloadable document. Error payloads (4xx, 5xx) and
    the description an ``OPTIONS`` request gets still go out as JSON, so a client
    gets a readable answer instead of a broken file."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        request = (renderer_context or {}).get("request")
        not_a_document = request is not None and request.method == "OPTIONS"
        if response is not None and (response.status_code >= 400 or not_a_document):
            response["Content-Type"] = "application/json"
            return JSONRenderer().render(data)
        return self.render_document(data, renderer_context or {})

    def render_document(self, data, renderer_context) -> bytes:
        raise NotImplementedError


class BinaryRenderer(DocumentRenderer):
    charset = None
    render_style = "binary"
