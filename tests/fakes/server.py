"""A real HTTP server on 127.0.0.1 that answers with an httpx-style handler.

Fakes keep the ``handler(request) -> httpx.Response`` shape, so the same fake can sit behind an
``httpx.MockTransport`` or, where the code under test opens its own connections (the outbound
guard pins addresses and builds its own transport), behind a real socket.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Handler = Callable[[httpx.Request], httpx.Response]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    handler: Handler
    # The fakes are plain stateful objects, not thread-safe: one request at a time reaches them.
    lock: threading.Lock

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host", "127.0.0.1")
        request = httpx.Request(
            self.command, f"http://{host}{self.path}", headers=dict(self.headers), content=body
        )
        with type(self).lock:
            response = type(self).handler(request)
        chunked = "transfer-encoding" in response.headers
        self.send_response(response.status_code)
        for name, value in response.headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        if chunked:  # a body from a generator: streamed, with no declared length
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(response.read())))
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            if chunked:
                for chunk in response.stream:  # type: ignore[union-attr]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(response.content)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up on purpose (the size cap)

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(handler: Handler, *, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve ``handler`` on an ephemeral port; yields the base URL ``http(s)://127.0.0.1:PORT``."""
    handler_class = type(
        "Bound", (_RequestHandler,), {"handler": staticmethod(handler), "lock": threading.Lock()}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        scheme = "https" if tls is not None else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
