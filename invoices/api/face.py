"""What every view of the invoices face shares."""

from rest_framework.exceptions import NotFound

from billing_site.api.fields import ID_SCHEMA, whole_number
from billing_site.api.numbers import NumberJSONRenderer
from billing_site.api.schema import AutoSchema

from .errors import error_body


class PathIdSchema(AutoSchema):
    """Ids in this face's paths are routed as any segment, so that a bad one is
    the face's 404 (``path_id``); the schema says what a good one is."""

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id" or parameter["name"].endswith("_id"):
                parameter["schema"] = dict(ID_SCHEMA)
        return parameters


class InvoicesFaceView:
    """A view of the invoices face: the face's permission (``UsesFace``, which
    each view names in its ``permission_classes``) and throttle, amounts as
    exact JSON numbers, errors in the face's shape."""

    face = "invoices"
    throttle_scope = "invoices"
    renderer_classes = [NumberJSONRenderer]
    error_body = staticmethod(error_body)
    schema = PathIdSchema()


def path_id(raw: str) -> int:
    """An id taken from the path. Anything but a whole number in range, in
    ASCII digits ("abc", "\\u0661", 10**30), names no record: a 404 in the face's
    shape, never a database error."""
    value = whole_number(raw)
    if value is None:
        raise NotFound()
    return value
