"""Domain errors raised by services. The API exception handler turns each into a
response with its ``status_code`` in the calling face's error shape."""


class BillingError(Exception):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFoundError(BillingError):
    """What the request names does not exist."""

    status_code = 404


class ConflictError(BillingError):
    """The request is valid but the object's state does not allow it."""

    status_code = 409
