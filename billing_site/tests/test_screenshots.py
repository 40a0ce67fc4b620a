"""Every admin page and every kind of PDF as an image, for a person to look at
(``make screenshots``; CI keeps them). Staff's pages are opened in Debian's
headless Chromium driven by Selenium, logged in through the admin's own login
form; the PDFs (invoice and receipt, bill, billing report) are turned into PNGs
by ``pdftoppm``. A page that answers 5xx or Django's error page, a PDF that
does not parse, or an image that stays blank fails the run. The images are
written under ``artifacts/screenshots/`` (``SCREENSHOTS_DIR``)."""

import contextlib
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib import admin

from billing_site.testing import PRODUCTION_ENV, ROOT, demo_server, http_call

pytestmark = [pytest.mark.screenshots, pytest.mark.server]

OUT = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / "artifacts" / "screenshots")
TOOLS = ("chromium", "chromedriver", "pdftoppm")
ERROR_PAGES = ("Server Error (500)", "Traceback (most recent call last)", "A server error occurred")


def _tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"make screenshots needs {', '.join(missing)} "
            "(apt-get install chromium chromium-driver poppler-utils)"
        )


def _slug(url_path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", url_path).strip("-") or "index"


class Staff:
    """A staff member's browser: Chromium logged into the admin, and the same
    session for reading status codes and PDFs (a browser hides both)."""

    def __init__(self, base: str, profile: Path):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in (
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1680,1000",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
        ):
            options.add_argument(flag)
        self.base = base
        self.driver = webdriver.Chrome(
            service=Service(executable_path=shutil.which("chromedriver")), options=options
        )
        self.driver.set_page_load_timeout(60)

    def log_in(self, username: str, password: str):
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver.get(f"{self.base}/admin/login/")
        self.driver.find_element(By.ID, "id_username").send_keys(username)
        self.driver.find_element(By.ID, "id_password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        # The click returns before the form's answer may have arrived: wait for it.
        with contextlib.suppress(TimeoutException):
            WebDriverWait(self.driver, 30).until(lambda driver: driver.get_cookie("sessionid"))
        assert self.driver.get_cookie("sessionid"), "the admin login did not succeed"

    def fetch(self, url: str) -> tuple[int, str, bytes]:
        """(status, content type, body) of a GET in the browser's session."""
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(url, headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers.get_content_type(), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get_content_type(), error.read()

    def shoot(self, url: str, name: str, expect=(200,)) -> str:
        """The page as a PNG (its whole height); returns its HTML."""
        status, content_type, body = self.fetch(url)
        assert status in expect, f"{url} answered {status}"
        if content_type == "application/pdf":
            render_pdf(body, name)
            return ""
        self.driver.get(url)
        html = self.driver.page_source
        for marker in ERROR_PAGES:
            assert marker not in html, f"{url} shows an error page"
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(1680, min(max(height, 600), 6000))
        path = OUT / "admin" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.driver.save_screenshot(str(path)), url
        self.driver.set_window_size(1680, 1000)
        return html

    def quit(self):
        self.driver.quit()


def render_pdf(body: bytes, name: str, pages: int = 2) -> list[Path]:
    """The first pages of a PDF as PNGs under pdf/; fails on a PDF that poppler
    cannot read or a page with nothing on it."""
    from PIL import Image

    assert body.startswith(b"%PDF-"), f"{name} is not a PDF"
    folder = OUT / "pdf"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"{name}.pdf"
    source.write_bytes(body)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-l", str(pages), str(source), str(folder / name)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    images = sorted(folder.glob(f"{name}-*.png"))
    assert images, f"{name}: pdftoppm made no image"
    for image in images:
        with Image.open(image) as page:
            colours = page.convert("L").getextrema()
        assert colours[0] < 128, f"{image.name} is blank"
    return images


def _admin_pages():
    """(app_label, model_name) of every model the admin shows."""
    return sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


def _first_object_url(html: str, changelist: str) -> str | None:
    """The change page of the change list's first row, from its HTML."""
    match = re.search(rf'href="({re.escape(changelist)}[^"/]+/change/)"', html)
    return match.group(1) if match else None


def _object_tools(html: str) -> list[str]:
    """The GET links of a change page's tools (history, documents, forms)."""
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', html, re.S)
    return re.findall(r'href="(/[^"]+)"', tools.group(1)) if tools else []


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _tools()
    tmp = tmp_path_factory.mktemp("screens")
    # Production settings: the static files (the admin's styles) served as deployed.
    with demo_server(tmp, workers=2, **PRODUCTION_ENV) as (base, token):
        yield base, token, tmp


def test_every_admin_page(server):
    base, _token, tmp = server
    staff = Staff(base, tmp / "profile")
    try:
        staff.shoot(f"{base}/admin/login/", "login")
        staff.log_in("admin", "password")
        staff.shoot(f"{base}/admin/", "index")
        for app_label, model_name in _admin_pages():
            changelist = f"/admin/{app_label}/{model_name}/"
            name = f"{app_label}-{model_name}"
            html = staff.shoot(base + changelist, f"{name}-list")
            status, _, _ = staff.fetch(f"{base}{changelist}add/")
            if status == 200:
                staff.shoot(f"{base}{changelist}add/", f"{name}-add")
            else:
                assert status == 403, f"{changelist}add/ answered {status}"
            change = _first_object_url(html, changelist)
            if change is None:
                continue
            page = staff.shoot(base + change, f"{name}-change")
            for link in _object_tools(page):
                tool = link.removeprefix(change.removesuffix("change/"))
                staff.shoot(base + link, f"{name}-{_slug(tool)}")
            staff.shoot(
                base + change.replace("/change/", "/delete/"), f"{name}-delete", expect=(200, 403)
            )
    finally:
        staff.quit()


def _get(base: str, path: str, token: str):
    status, body = http_call(base + path, token=token)
    assert status == 200, (path, body)
    return body


def _download(url: str, token: str | None = None) -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=120) as r:
        assert r.headers.get_content_type() == "application/pdf", url
        return r.read()


def test_every_kind_of_pdf(server):
    base, token, _tmp = server
    invoices = _get(base, "/api/v1/invoices/", token) + _get(
        base, "/api/v1/invoices/?status=void", token
    )
    assert invoices, "the demo data has no invoices"
    for invoice in invoices:
        if invoice["status"] == "draft":
            continue  # drafts have no receipt link: the ISP face never shows them
        answer = _get(
            base, f"/api/v1/get_invoice_receipt/{invoice['customer']['id']}/{invoice['id']}", token
        )
        name = _slug(invoice["number"])
        # The receipt link (the receipts once paid), and the invoice behind the same token.
        render_pdf(_download(answer["message"]), f"receipt-link-{name}")
        invoice_url = answer["message"].replace("/receipts/", "/invoices/")
        render_pdf(_download(invoice_url), f"invoice-{name}")
    bills = _get(base, "/api/collections/demo/bills", token)["data"]
    for number, bill in enumerate(bills[:2], 1):
        page = urllib.request.urlopen(bill["bill_url"], timeout=60).read().decode()
        pdf = re.search(r'href="([^"]+)"[^>]*>[^<]*PDF', page)
        assert pdf, "the bill page links no PDF"
        render_pdf(
            _download(urllib.parse.urljoin(bill["bill_url"], pdf.group(1))), f"bill-{number}"
        )
    orders = _get(base, "/api/v2/orders/", token)
    assert orders, "the demo data has no orders"
    order = orders[0]
    status, report = http_call(
        f"{base}/api/v2/reports/generate/",
        {
            "customer_id": order["customer_id"],
            "start_date": order["order_date"][:8] + "01",
            "end_date": order["order_date"],
            "output_format": "json",
        },
        token=token,
    )
    assert status in (200, 201), report
    render_pdf(
        _download(f"{base}/api/v2/reports/{report['id']}/download/?format=pdf", token), "report"
    )
    notes = _get(base, "/api/v1/credit-notes/", token)
    assert notes, "the demo data has no credit notes"
    for note in notes:
        pdf = _download(f"{base}/api/v1/credit-notes/{note['id']}/pdf", token)
        render_pdf(pdf, f"credit-note-{_slug(note['number'])}")
