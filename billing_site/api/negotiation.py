"""Content negotiation: DRF's, with the common case answered without parsing."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """A request that states no preference (no ``Accept`` header, or ``*/*``, and
    no format in its path or query) gets the view's first renderer with its own
    media type, as DRF's negotiation gives it (tests hold the two to the same
    answers): most API clients send no Accept, and parsing it cost the gateway
    more than finding the record's row did."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and not format_suffix
            and not request.META.get("QUERY_STRING")
            and request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
