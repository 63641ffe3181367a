"""The one way outbound HTTP clients are built: always a timeout, a role-tagged User-Agent,
and no redirects unless the caller asks (a redirect can point anywhere)."""

from __future__ import annotations

import httpx

USER_AGENT = "leadscoring/0.1"


def make_http_client(
    *,
    role: str,
    base_url: str = "",
    timeout: float = 30.0,
    transport: httpx.BaseTransport | None = None,
    headers: dict[str, str] | None = None,
    follow_redirects: bool = False,
) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        transport=transport,
        headers={"User-Agent": f"{USER_AGENT} ({role})", **(headers or {})},
        follow_redirects=follow_redirects,
    )
