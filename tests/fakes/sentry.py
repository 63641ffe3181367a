"""Sentry's ingest endpoint: envelopes posted to /api/<project>/envelope/, events kept in order."""

from __future__ import annotations

import gzip
import json
from typing import Any

import httpx


class FakeSentry:
    def __init__(self, *, project_id: str = "42", public_key: str = "public-key") -> None:
        self.project_id, self.public_key = project_id, public_key
        self.events: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []

    def dsn(self, base_url: str) -> str:
        scheme, host = base_url.split("://")
        return f"{scheme}://{self.public_key}@{host}/{self.project_id}"

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method != "POST" or request.url.path != f"/api/{self.project_id}/envelope/":
            return httpx.Response(404)
        if f"sentry_key={self.public_key}" not in request.headers.get("x-sentry-auth", ""):
            return httpx.Response(401, json={"detail": "invalid api key"})
        body = request.content
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        header = self._parse(body)
        return httpx.Response(200, json={"id": header.get("event_id")})

    def _parse(self, body: bytes) -> dict[str, Any]:
        """Envelope: a header line, then items (a header line, then a payload of ``length``
        bytes or up to the next newline)."""
        header_line, _, rest = body.partition(b"\n")
        while rest.strip():
            item_line, _, rest = rest.partition(b"\n")
            item = json.loads(item_line)
            if "length" in item:
                payload, rest = rest[: item["length"]], rest[item["length"] + 1 :]
            else:
                payload, _, rest = rest.partition(b"\n")
            if item.get("type") == "event":
                self.events.append(json.loads(payload))
        return json.loads(header_line)
