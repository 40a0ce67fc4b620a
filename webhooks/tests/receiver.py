"""A webhook receiver on 127.0.0.1 that checks each delivery as a real one
would: with the ``standardwebhooks`` package and the endpoint's secret."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool
    answered: int | None

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """``secret``: the endpoint's (set once it is made). ``fail_first``: answer
    the first N requests with a 500; ``stall``: seconds to wait before answering
    (past the sender's timeout, the sender gives up)."""

    secret: str = ""
    fail_first: int = 0
    stall: float = 0.0
    received: list[Received] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    # Called with each request's client port before it is answered (in the
    # server's thread): the port tells which process sent it.
    on_request: object = None

    def answer(self, headers: dict, body: bytes, client_port: int = 0) -> int:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            failing = len(self.received) < self.fail_first
        try:
            if self.on_request:
                self.on_request(client_port)
            if self.stall:
                time.sleep(self.stall)
            try:
                Webhook(self.secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                verified = False
            status = 500 if failing else (204 if verified else 401)
            with self.lock:
                self.received.append(Received(headers, body, verified, status))
            return status
        finally:
            with self.lock:
                self.in_flight -= 1


def serve(receiver: Receiver):
    """Run ``receiver`` on a free port until the returned server is shut down."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.answer(headers, body, self.client_address[1])
            reply = json.dumps({"status": status, "padding": "x" * 3000}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except OSError:  # the sender gave up waiting
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks?source=billing"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
