"""Where webhooks may go: public addresses only (unless allowed), every address
a name resolves to checked, the connection pinned to the checked address."""

import socket

import pytest

from webhooks import signing, targets

from .receiver import Receiver, serve


@pytest.fixture
def strict(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10:8080/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
        "http://0.0.0.0/",
        "http://localhost/",
        "http://2130706433/",  # 127.0.0.1 written as one number
    ],
)
def test_private_loopback_link_local_and_reserved_addresses_are_refused(strict, url):
    with pytest.raises(targets.TargetRefused, match="only to public addresses"):
        targets.resolve(url)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://93.184.216.34/", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("http:///path", "names no host"),
        ("http://93.184.216.34:99999/", "port"),
        ("http://no-such-host.invalid/", "does not resolve"),
    ],
)
def test_other_urls_are_refused_with_a_reason(strict, url, message):
    with pytest.raises(targets.TargetRefused, match=message):
        targets.resolve(url)


def test_a_public_address_is_accepted(strict):
    assert targets.resolve("https://93.184.216.34/hooks") == ["93.184.216.34"]
    assert targets.resolve("http://[2606:2800:220:1:248:1893:25c8:1946]/") == [
        "2606:2800:220:1:248:1893:25c8:1946"
    ]


def test_every_address_of_a_name_is_checked(strict, monkeypatch):
    """A name with a public and a private address is refused: the connection
    could go to either."""
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", 80)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(targets.TargetRefused, match=r"10\.0\.0\.8"):
        targets.resolve("http://two-faced.example/")


def test_the_request_goes_to_the_checked_address_not_a_second_answer(monkeypatch):
    """DNS rebinding: a name that answers a checked address first and another one
    later still reaches the first; the Host header keeps the name."""
    receiver = Receiver(secret=signing.new_secret())
    server = serve(receiver)
    port = server.server_address[1]
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1", "10.255.255.1"])

    def rebinding(host, *args, **kwargs):
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    try:
        answer = targets.post(
            f"http://rebind.example:{port}/in", b"{}", {"webhook-id": "x"}, timeout=2
        )
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 401  # reached the receiver (which found no signature)
    assert receiver.received[0].headers["host"] == f"rebind.example:{port}"


def test_a_redirect_is_not_followed_and_is_no_success():
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    followed = []

    class Redirecting(BaseHTTPRequestHandler):
        def do_POST(self):
            if self.path == "/elsewhere":
                followed.append(self.path)
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer = targets.post(f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {}, timeout=2)
    finally:
        server.shutdown()
        server.server_close()
    assert (answer.status_code, answer.succeeded, followed) == (307, False, [])


def test_a_closed_port_is_an_error_not_an_exception():
    from billing_site.faults import free_port

    answer = targets.post(f"http://127.0.0.1:{free_port()}/", b"{}", {}, timeout=2)
    assert answer.status_code is None and answer.error.startswith("ConnectionRefusedError")


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off_at_the_timeout():
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Dripping(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            try:
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 100:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Dripping)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        answer = targets.post(
            f"http://127.0.0.1:{server.server_address[1]}/", b"{}", {}, timeout=0.6
        )
    finally:
        server.shutdown()
        server.server_close()
    assert (answer.status_code, answer.error) == (None, "Timed out after 0.6 s.")
    assert 550 <= answer.duration_ms < 1500


def test_the_next_checked_address_is_tried_when_one_does_not_answer(monkeypatch):
    """A name with two addresses, the first closed: the request reaches the second."""
    receiver = Receiver(secret=signing.new_secret())
    server = serve(receiver)
    port = server.server_address[1]
    real = socket.getaddrinfo
    closed = ("127.0.0.2", port)  # the receiver listens on 127.0.0.1 alone

    def two(host, *args, **kwargs):
        if host == "two.example":
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", closed),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
            ]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two)
    try:
        answer = targets.post(f"http://two.example:{port}/", b"{}", {}, timeout=2)
    finally:
        server.shutdown()
        server.server_close()
    assert answer.status_code == 401 and len(receiver.received) == 1
