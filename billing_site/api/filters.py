from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError


class StrictFilterBackend(filters.DjangoFilterBackend):
    """A query parameter that no filter, ordering or pagination knows, or one
    given twice, is a 400, not silently ignored or half used."""

    allowed_extra = frozenset({"page", "page_size"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            # A view names any other parameters it reads in ``extra_query_params``.
            extra = set(getattr(view, "extra_query_params", ()))
            known = set(filterset_class.base_filters) | self.allowed_extra | extra
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                raise ValidationError({name: ["Unknown query parameter."] for name in unknown})
        return super().filter_queryset(request, queryset, view)
