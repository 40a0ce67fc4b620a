"""The bill pages as a payer sees them: rendered by a real headless Chromium
against a running server (skipped where Debian's chromium is not installed)."""

import shutil
import subprocess

import pytest

from billing_site.testing import demo_server, http_call

CHROMIUM = shutil.which("chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def render(url: str, tmp_path) -> str:
    result = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


@pytest.mark.server
@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")
def test_bill_and_payment_pages_in_headless_chromium(tmp_path):
    with demo_server(tmp_path, workers=1) as (base, token):
        _, bills = http_call(f"{base}/api/collections/demo/bills", token=token)
        bill = next(bill for bill in bills["data"] if bill["ref1"] == "Membership 2026")
        page = render(bill["bill_url"], tmp_path)
        for text in (
            f"Bill {bill['bill_no']}",
            "Raudhah Pay",
            "product 1",
            "105.00",
            "Download the bill (PDF)",
        ):
            assert text in page, text
        assert 'id="status">Open<' in page
        pay = render(bill["payment_url"], tmp_path)
        assert "Pay 105.00 MYR with the sandbox" in pay
        missing = render(f"{base}/bills/nope", tmp_path)
        assert "Bill not found" in missing
