"""The README's walk-through runs as written against a fresh server with the demo
data (what ``make run`` gives): every ``sh`` block of "Using the API", in order,
in one shell, each ``curl`` failing the run on an HTTP error. Blocks that are not
meant to be run as they stand are fenced as ``text``."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from billing_site.testing import demo_server

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_BASE = "http://127.0.0.1:8000"

# Each curl fails on an HTTP error (the body is still shown) and ends its output
# with a newline, so one answer does not run into the next in the log.
PRELUDE = """set -euxo pipefail
curl() { command curl -sS --fail-with-body "$@"; echo; }
"""


def walkthrough() -> str:
    text = README.read_text()
    section = text.split("\n## Using the API\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"^```sh\n(.*?)^```$", section, flags=re.S | re.M))


def test_the_walkthrough_has_a_step_for_every_face():
    script = walkthrough()
    for path in (
        "/login",
        "/checkPaymentStatus",
        "/updatePaymentStatus",
        "/getAllBilling",
        "/api/v1/invoices/",
        "/api/v1/get_invoice_details/",
        "/api/v2/reports/",
        "/api/v1/usage/",
        "/api/collections/",
    ):
        assert path in script, path


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("mysql"), reason="SQLite run")
@pytest.mark.skipif(shutil.which("curl") is None, reason="the walk-through is curl commands")
def test_the_readme_walkthrough_runs_as_written(tmp_path):
    with demo_server(tmp_path, workers=1) as (base, _token):
        script = PRELUDE + walkthrough().replace(DOCUMENTED_BASE, base)
        result = subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
