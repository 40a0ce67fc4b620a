from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped at MAX_PAGE_SIZE); a page size that
    is not a positive integer is a 400 rather than quietly the default."""

    page_size_query_param = "page_size"
    max_page_size = settings.MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isdigit() and int(raw) > 0):
            raise ValidationError({"page_size": ["Must be a positive integer."]})
        return super().get_page_size(request)
