"""What a JSON answer is made of: its keys in order and each value's JSON type."""

import json

from billing_site.testing import json_type


def typed_keys(obj: dict) -> list[tuple[str, str]]:
    """``[(key, JSON type)]`` of an object, in its order."""
    return [(key, json_type(value)) for key, value in obj.items()]


def parsed(response):
    """The JSON body of a response, streamed or not, keys in the order sent."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)
