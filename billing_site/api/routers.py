from rest_framework.routers import SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """A router whose routes match with and without a trailing slash, and whose
    ids are ASCII digits: another script's digits ("\\u0661") name no record (a
    404), where the default pattern let int() read them as an id."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None and (
            getattr(viewset, "lookup_field", "pk") in ("pk", "id")
        ):
            lookup = getattr(viewset, "lookup_url_kwarg", None) or viewset.lookup_field
            return f"(?P<{lookup_prefix}{lookup}>[0-9]+)"
        return super().get_lookup_regex(viewset, lookup_prefix)
