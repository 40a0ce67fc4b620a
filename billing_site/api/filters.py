from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError


def check_query_params(request, known) -> None:
    """A 400 naming each query parameter not in ``known`` and each one given
    more than once: neither is silently ignored or half used."""
    params = request.query_params
    errors = {name: ["Unknown query parameter."] for name in sorted(set(params) - set(known))}
    errors.update(
        {
            name: ["Given more than once."]
            for name in sorted(params)
            if len(params.getlist(name)) > 1
        }
    )
    if errors:
        raise ValidationError(errors)


class StrictFilterBackend(filters.DjangoFilterBackend):
    """The query parameters of a list are its filters', ordering's and
    pagination's (``check_query_params``)."""

    allowed_extra = frozenset({"page", "page_size"})

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        # A view names any other parameters it reads in ``extra_query_params``.
        known |= self.allowed_extra | set(getattr(view, "extra_query_params", ()))
        check_query_params(request, known)
        return super().filter_queryset(request, queryset, view)
