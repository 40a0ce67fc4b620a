"""The Postman collections of postman/, one per face: each request names an
operation of the schema (checked without node), and each collection runs green
with newman against a real server with the demo data."""

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator

from billing_site.testing import NODE_TOOLS, ROOT, missing_node_tools, serve, tool_missing

COLLECTIONS = ROOT / "postman"
# Each face's collection and the login its document's clients use.
LOGINS = {
    "gateway": "/login",
    "invoices": "/api/auth/token/",
    "isp": "/api/auth/token/",
    "reports": "/api/auth/token/",
    "bills": "/api/auth/token/",
}
VARIABLE = re.compile(r"\{\{([^}]+)\}\}")


def collection(face: str) -> dict:
    return json.loads((COLLECTIONS / f"{face}.postman_collection.json").read_text())


def requests_of(items):
    """Every request item of a collection, folders walked through."""
    for item in items:
        if "item" in item:
            yield from requests_of(item["item"])
        else:
            yield item


def script(item: dict, listen: str) -> str:
    return "\n".join(
        line
        for event in item.get("event", [])
        if event["listen"] == listen
        for line in event["script"]["exec"]
    )


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operation(schema, method: str, path: str):
    """The schema's operation that ``method path`` calls (``{{variables}}``
    standing for path parameters), or None. As the routes resolve, a literal
    segment wins over a parameter (``/reports/customer-summary/``, not ``{id}``)."""
    concrete = VARIABLE.sub("1", path)
    matches = []
    for template, operations in schema["paths"].items():
        pattern = "[^/]+".join(map(re.escape, re.split(r"\{[^}]+\}", template)))
        if re.fullmatch(pattern, concrete) and method.lower() in operations:
            matches.append((template.count("{"), operations[method.lower()]))
    return min(matches, key=lambda match: match[0])[1] if matches else None


def test_there_is_a_collection_per_face():
    assert sorted(path.name for path in COLLECTIONS.glob("*.json")) == sorted(
        f"{face}.postman_collection.json" for face in LOGINS
    )


@pytest.mark.parametrize("face", LOGINS)
def test_a_collection_logs_in_first_and_sends_its_token(face):
    data = collection(face)
    assert data["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert data["auth"] == {
        "type": "bearer",
        "bearer": [{"key": "token", "value": "{{access_token}}", "type": "string"}],
    }
    variables = {variable["key"] for variable in data["variable"]}
    assert {"baseUrl", "username", "password", "access_token"} <= variables
    login = data["item"][0]
    assert login["name"] == "Log in"
    assert login["request"]["method"] == "POST"
    assert login["request"]["url"] == "{{baseUrl}}" + LOGINS[face]
    assert login["request"]["auth"] == {"type": "noauth"}
    assert json.loads(login["request"]["body"]["raw"]) == {
        "username": "{{username}}",
        "password": "{{password}}",
    }
    assert 'pm.collectionVariables.set("access_token", ' in script(login, "test")


@pytest.mark.parametrize("face", LOGINS)
def test_every_request_names_an_operation_of_the_schema(face, schema):
    data = collection(face)
    declared = {variable["key"] for variable in data["variable"]}
    for item in requests_of(data["item"]):
        request, name = item["request"], item["name"]
        assert request["url"].startswith("{{baseUrl}}/"), name
        url = urlsplit(request["url"].removeprefix("{{baseUrl}}"))
        found = operation(schema, request["method"], url.path)
        assert found is not None, f"{name}: {request['method']} {url.path} is not in the schema"
        query = {parameter["name"] for parameter in found.get("parameters", [])}
        for key, _ in parse_qsl(url.query):
            assert key in query, f"{name}: ?{key} is not a parameter of {url.path}"
        used = VARIABLE.findall(request["url"] + request.get("body", {}).get("raw", ""))
        assert set(used) <= declared, f"{name}: undeclared variables {set(used) - declared}"
        assert "pm.test(" in script(item, "test"), f"{name} tests nothing"


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    if reason := missing_node_tools("newman"):
        tool_missing(reason)
    with serve(tmp_path_factory.mktemp("postman"), workers=2) as server:
        yield server.base


def newman(path: Path, base_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(NODE_TOOLS / "newman"),
            "run",
            str(path),
            "--env-var",
            f"baseUrl={base_url}",
            "--reporters",
            "cli",
            "--color",
            "off",
            "--verbose",  # a failure shows the answers' bodies
            "--timeout-request",
            "60000",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.server
@pytest.mark.parametrize("face", LOGINS)
def test_the_collection_runs_green_with_newman(face, demo_server):
    run = newman(COLLECTIONS / f"{face}.postman_collection.json", demo_server)
    assert run.returncode == 0, run.stdout + run.stderr
    requests = len(list(requests_of(collection(face)["item"])))
    assert re.search(rf"│\s+requests\s+│\s+{requests}\s+│\s+0\s+│", run.stdout), run.stdout
    assert re.search(r"│\s+assertions\s+│\s+\d+\s+│\s+0\s+│", run.stdout), run.stdout
