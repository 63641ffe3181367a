"""How long a worker may wait inside the SDK before a retry, and what the server asked for.

anthropic 2.x sleeps for whatever ``retry-after`` a 429/5xx carries before retrying (0.x slept
only when it was at most 60 s and backed off briefly otherwise), so a ``retry-after: 600`` would
hold a worker for ten minutes per retry. A longer wait is not spent in the worker: the request
fails at once and the stage is retried at the server's time by the scheduled sweeper.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import anthropic
import httpx2

# The longest wait the SDK may sleep in a worker between two attempts (0.x's own limit).
MAX_INLINE_RETRY_WAIT_S = 60.0


class ServerAskedToWait(anthropic.APIError):
    """A failed response whose ``retry-after`` is longer than a worker should sleep.

    Not an ``APIStatusError`` on purpose: the SDK retries those; this one reaches the engine at
    once, carrying the status error the SDK would have raised (``status_error``).
    """

    def __init__(self, status_error: anthropic.APIStatusError, wait_s: float) -> None:
        super().__init__(status_error.message, status_error.request, body=status_error.body)
        self.status_error = status_error
        self.wait_s = wait_s


def server_wait_s(headers: httpx2.Headers) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, retry-after seconds or HTTP date)."""
    try:
        if "retry-after-ms" in headers:
            wait = float(headers["retry-after-ms"]) / 1000
        elif (value := headers.get("retry-after")) is None:
            return None
        else:
            try:
                wait = float(value)
            except ValueError:
                wait = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
    except (TypeError, ValueError, OverflowError):
        return None
    return wait if math.isfinite(wait) else None


def no_long_waits_in_the_worker(
    request: anthropic.APIRequest, call_next: Any
) -> anthropic.APIResponse[Any]:
    """SDK middleware (runs once per attempt): a failure asking for a long wait ends the call."""
    response = call_next(request)
    http = response.http_response
    if http.is_success:
        return response
    wait = server_wait_s(http.headers)
    if wait is None or wait <= MAX_INLINE_RETRY_WAIT_S:
        return response
    http.read()
    body = _body(http)
    # The message the SDK itself would give this error.
    message = f"Error code: {http.status_code} - {body}"
    raise ServerAskedToWait(anthropic.APIStatusError(message, response=http, body=body), wait)


def _body(http: httpx2.Response) -> object:
    try:
        return http.json()
    except ValueError:
        return http.text
