"""What a JSON answer is made of: its keys in order and each value's JSON type."""

import json


def json_type(value) -> str:
    """The JSON type of a parsed value: null, boolean, number, string, array, object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def typed_keys(obj: dict) -> list[tuple[str, str]]:
    """``[(key, JSON type)]`` of an object, in its order."""
    return [(key, json_type(value)) for key, value in obj.items()]


def parsed(response):
    """The JSON body of a response, streamed or not, keys in the order sent."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(body)
