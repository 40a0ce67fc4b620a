"""Reading answers as a client reads them: JSON numbers exactly (a ``Decimal``
keeps the digits sent, so ``1500.00`` is told from ``1500.0``), streamed or not;
and holding them to a document's example by keys and JSON types."""

import json
from decimal import Decimal

from billing_site.testing import json_type


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def exact_json(response):
    return json.loads(content(response), parse_float=Decimal)


def mismatches(example, answer, path="$") -> list[str]:
    """Where ``answer`` lacks a key of ``example`` or has another JSON type. An
    array's items are held to the example's first item; an object keyed by ids
    (``service_totals``) has its values held to the example's first value."""
    if json_type(example) != json_type(answer):
        return [f"{path}: {json_type(answer)}, the document shows {json_type(example)}"]
    if isinstance(example, list):
        return [
            problem
            for index, item in enumerate(answer)
            for problem in mismatches(example[0], item, f"{path}[{index}]")
        ]
    if isinstance(example, dict):
        if all(key.isdigit() for key in example):
            first = next(iter(example.values()))
            return [
                problem
                for key, value in answer.items()
                for problem in ([f"{path}: key {key!r} is not an id"] if not key.isdigit() else [])
                + mismatches(first, value, f"{path}.{key}")
            ]
        return [
            problem
            for key, value in example.items()
            for problem in (
                mismatches(value, answer[key], f"{path}.{key}")
                if key in answer
                else [f"{path}: no {key!r}"]
            )
        ]
    return []
