from django.conf import settings
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .fields import whole_number


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped at MAX_PAGE_SIZE); a page or page
    size that is not a positive integer in ASCII digits is a 400 rather than
    quietly the default (or, for ``"\\u0661"``, page 1)."""

    page_size_query_param = "page_size"
    max_page_size = settings.MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and whole_number(raw) is None:
            raise ValidationError({"page_size": ["Must be a positive integer."]})
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if number not in self.last_page_strings and whole_number(str(number)) is None:
            raise ValidationError({self.page_query_param: ["Must be a positive integer."]})
        return number

    def get_schema_operation_parameters(self, view):
        # Both are whole numbers from 1; the page size stops at the cap.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class LinkHeaderPagination(PageNumberPagination):
    """Pages whose body stays a bare JSON array, as document 003's clients read it;
    the total and the neighbouring pages travel in ``X-Total-Count`` and ``Link``."""

    def get_paginated_response(self, data):
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema
