"""``reports.api.errors.error_body``: document 003's error shape, for the face's
views and for whatever answers an unknown route under ``/api/v2/``."""

from reports.api.errors import error_body


def test_a_bad_request_is_error_with_the_fields_at_fault():
    assert error_body("Start date must be before end date", 400) == {
        "error": "Start date must be before end date"
    }
    detail = {"start_date": ["Must be a valid date written YYYY-MM-DD."], "colour": ["Unknown."]}
    assert error_body("start_date: ...", 400, detail) == {
        "error": "start_date: Must be a valid date written YYYY-MM-DD.; colour: Unknown.",
        "errors": detail,
    }
    assert error_body("x", 400, {"non_field_errors": ["Invalid format: xyz"]}) == {
        "error": "Invalid format: xyz"
    }


def test_every_other_error_is_detail():
    assert error_body("Not found.", 404) == {"detail": "Not found."}
    assert error_body("Method not allowed.", 405, {"detail": "ignored"}) == {
        "detail": "Method not allowed."
    }
