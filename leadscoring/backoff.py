"""How long to wait before trying again: exponential backoff with jitter, the server's
``Retry-After``, and retrying a call in place for a few seconds before giving up to a schedule."""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


def backoff_seconds(attempt: int, *, base: float, cap: float = math.inf) -> float:
    """The wait after failed attempt ``attempt`` (1, 2, ...): ``base`` doubling up to ``cap``,
    half of each step fixed and half random ("equal jitter").

    The random half spreads the retries of many callers failing together; the fixed half keeps
    the spacing from collapsing to zero, as full jitter can.
    """
    step = min(cap, base * 2 ** (attempt - 1))
    return step / 2 + random.uniform(0, step / 2)


def retry_after_time(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """``Retry-After`` as a time: delay-seconds or an HTTP date (RFC 9110 §10.2.3); None if
    absent or unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    now = now or datetime.now(UTC)
    if value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InPlaceRetry:
    """Retry within the current call: ``attempts`` tries in all, waits from ``base_s``, and
    never past ``budget_s`` from the first try (the time the attempts take counts too)."""

    attempts: int
    base_s: float
    budget_s: float


def retry_in_place(
    action: Callable[[], T],
    *,
    policy: InPlaceRetry,
    should_retry: Callable[[Exception], bool],
    retry_at: Callable[[Exception], datetime | None],
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """``action()``, tried again after a transient failure while the policy allows.

    A wait the server asks for (``retry_at``) is honoured; when it or the backoff does not fit
    the budget, the failure is raised at once for the caller's own, longer, retry schedule.
    """
    start = clock()
    attempt = 1
    while True:
        try:
            return action()
        except Exception as exc:
            if attempt >= policy.attempts or not should_retry(exc):
                raise
            delay = backoff_seconds(attempt, base=policy.base_s)
            asked = retry_at(exc)
            if asked is not None:
                delay = max(delay, (asked - datetime.now(UTC)).total_seconds())
            if clock() - start + delay > policy.budget_s:
                raise
            logger.info("attempt %s failed (%s); retrying in %.2f s", attempt, exc, delay)
            sleep(delay)
            attempt += 1
