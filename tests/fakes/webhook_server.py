"""A real HTTP webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures,
deduplicates on the webhook id as the spec asks receivers to, and can misbehave on purpose.
"""

from __future__ import annotations

import base64
import random
import secrets
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

FAULTS = ("ok", "error_500", "rate_limited", "slow", "drop_before", "drop_after")


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True  # idle keep-alive connections must not keep the server open

    def __init__(
        self,
        *,
        secret: str,
        faults: dict[str, float] | None = None,
        seed: int = 0,
        slow_seconds: float = 0.3,
        latency_seconds: float = 0.0,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.verifier = Webhook(secret)
        self.faults = faults or {"ok": 1.0}
        self.random = random.Random(seed)
        self.slow_seconds = slow_seconds
        self.latency_seconds = latency_seconds
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.in_flight = 0
        self.deliveries: Counter[str] = Counter()  # every request that carried a key
        self.applied: Counter[str] = Counter()  # updates applied, once per key at most
        self.served: Counter[str] = Counter()  # which behaviour each request got
        self.bad_signatures = 0
        self.bodies: dict[str, Any] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/leadscoring"

    def pick(self) -> str:
        with self.lock:
            kinds, weights = zip(*self.faults.items(), strict=True)
            kind = self.random.choices(kinds, weights)[0]
            self.served[kind] += 1
            return kind

    def apply(self, key: str, document: Any) -> None:
        with self.lock:
            if not self.applied[key]:
                self.applied[key] += 1
                self.bodies[key] = document

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out closed its socket: the late write fails, as it would in life.
        pass

    @contextmanager
    def running(self) -> Iterator[WebhookReceiver]:
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        thread.start()
        try:
            yield self
        finally:
            # Requests still being handled (a slow answer) finish first: the counts are final.
            with self.idle:
                self.idle.wait_for(lambda: self.in_flight == 0, timeout=10)
            self.shutdown()
            self.server_close()
            thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver
    protocol_version = "HTTP/1.1"
    # Headers and body go out as separate writes; with Nagle on, the client's delayed ACK
    # would add ~40 ms to every response.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        with self.server.lock:
            self.server.in_flight += 1
        try:
            self._handle()
        finally:
            with self.server.idle:
                self.server.in_flight -= 1
                self.server.idle.notify_all()

    def _handle(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        key = self.headers.get("webhook-id", "")
        try:
            event = self.server.verifier.verify(body, dict(self.headers.items()))
        except WebhookVerificationError:
            with self.server.lock:
                self.server.bad_signatures += 1
            return self._reply(401, b'{"error":"bad signature"}')
        with self.server.lock:
            self.server.deliveries[key] += 1
        if self.server.latency_seconds:
            time.sleep(self.server.latency_seconds)
        kind = self.server.pick()
        if kind == "error_500":
            return self._reply(500, b'{"error":"boom"}')
        if kind == "rate_limited":
            retry_after = self.server.random.randint(1, 30)
            return self._reply(429, b'{"error":"slow down"}', {"Retry-After": str(retry_after)})
        if kind == "drop_before":
            return self._drop()
        self.server.apply(key, event["data"])
        if kind == "drop_after":
            return self._drop()
        if kind == "slow":
            time.sleep(self.server.slow_seconds)
        self._reply(200, b'{"ok":true}')

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _drop(self) -> None:
        # Close the connection without a response: the client sees a dropped connection.
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
