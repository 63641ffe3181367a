"""The anthropic SDK client, built one way for the engine, the tests and the benchmarks.

anthropic 2.x runs on httpx2 and refuses an ``httpx`` client, so this is the one outbound client
not made by ``leadscoring.http.make_http_client``; it follows the same policy (a timeout with a
short connect limit, no redirects) on httpx2. The User-Agent is the SDK's own (``Anthropic/Python
<version>``): its default headers override the HTTP client's, in 0.x as in 2.x.
"""

from __future__ import annotations

import anthropic
import httpx2

from scoring.engines.claude.retries import no_long_waits_in_the_worker


def make_anthropic_client(
    *,
    api_key: str,
    base_url: str,
    max_retries: int,
    timeout: float,
    transport: httpx2.BaseTransport | None = None,
) -> anthropic.Anthropic:
    """``transport`` is for tests (an ``httpx2.MockTransport``); production opens sockets."""
    http_client = httpx2.Client(
        timeout=httpx2.Timeout(timeout, connect=min(10.0, timeout)),
        transport=transport,
        follow_redirects=False,
    )
    return anthropic.Anthropic(
        # Always explicit: without it the SDK would look for keys and profile files itself.
        api_key=api_key,
        base_url=base_url or None,
        max_retries=max_retries,
        timeout=timeout,
        http_client=http_client,
        middleware=[no_long_waits_in_the_worker],
    )
