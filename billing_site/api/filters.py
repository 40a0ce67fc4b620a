from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError


class StrictFilterBackend(filters.DjangoFilterBackend):
    """A query parameter that no filter, ordering or pagination knows, or one
    given twice, is a 400, not silently ignored or half used."""

    allowed_extra = frozenset({"page", "page_size"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        # A view names any other parameters it reads in ``extra_query_params``.
        known |= self.allowed_extra | set(getattr(view, "extra_query_params", ()))
        params = request.query_params
        errors = {name: ["Unknown query parameter."] for name in sorted(set(params) - known)}
        errors.update(
            {
                name: ["Given more than once."]
                for name in sorted(params)
                if len(params.getlist(name)) > 1
            }
        )
        if errors:
            raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)
