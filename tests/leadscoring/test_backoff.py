"""The shared backoff: equal jitter, Retry-After, and retrying in place within a time budget.

Sleeping and the clock are injected, so the waits are checked without being waited.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leadscoring.backoff import InPlaceRetry, backoff_seconds, retry_after_time, retry_in_place


class Transient(Exception):
    def __init__(self, retry_at: datetime | None = None) -> None:
        super().__init__("try again")
        self.retry_at = retry_at


class Clock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def flaky(failures: list[Exception]):
    calls: list[int] = []

    def action() -> str:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        return "done"

    return action, calls


def run(action, policy: InPlaceRetry, clock: Clock) -> str:
    return retry_in_place(
        action,
        policy=policy,
        should_retry=lambda exc: isinstance(exc, Transient),
        retry_at=lambda exc: getattr(exc, "retry_at", None),
        sleep=clock.sleep,
        clock=clock,
    )


def test_backoff_doubles_from_the_base_with_half_of_each_step_random_up_to_the_cap():
    assert all(0.5 <= backoff_seconds(1, base=1.0) <= 1.0 for _ in range(50))
    assert all(2.0 <= backoff_seconds(3, base=1.0) <= 4.0 for _ in range(50))
    assert all(5.0 <= backoff_seconds(9, base=1.0, cap=10.0) <= 10.0 for _ in range(50))
    # Jitter: many callers failing together do not all come back at the same instant.
    assert len({backoff_seconds(2, base=1.0) for _ in range(20)}) > 1


def test_retry_after_is_read_as_seconds_or_an_http_date_and_garbage_is_ignored():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert retry_after_time("120", now=now) == now + timedelta(seconds=120)
    assert retry_after_time("Sun, 01 Mar 2026 12:05:00 GMT", now=now) == now + timedelta(minutes=5)
    assert retry_after_time("soon", now=now) is None
    assert retry_after_time("", now=now) is None
    assert retry_after_time(None, now=now) is None


def test_a_transient_failure_is_retried_in_place_with_growing_jittered_waits():
    clock = Clock()
    action, calls = flaky([Transient(), Transient()])

    assert run(action, InPlaceRetry(attempts=4, base_s=0.5, budget_s=5.0), clock) == "done"

    assert len(calls) == 3
    first, second = clock.sleeps
    assert 0.25 <= first <= 0.5 and 0.5 <= second <= 1.0


def test_retries_stop_after_the_attempts_and_the_last_error_is_raised():
    clock = Clock()
    action, calls = flaky([Transient(), Transient(), Transient()])
    with pytest.raises(Transient):
        run(action, InPlaceRetry(attempts=2, base_s=0.5, budget_s=5.0), clock)
    assert len(calls) == 2 and len(clock.sleeps) == 1


def test_an_error_that_cannot_pass_is_raised_at_once():
    clock = Clock()
    action, calls = flaky([ValueError("bad request")])
    with pytest.raises(ValueError, match="bad request"):
        run(action, InPlaceRetry(attempts=4, base_s=0.5, budget_s=5.0), clock)
    assert len(calls) == 1 and clock.sleeps == []


def test_retry_after_is_honoured_when_it_fits_the_budget_and_raised_when_it_does_not():
    clock = Clock()
    soon = datetime.now(UTC) + timedelta(seconds=2)
    action, calls = flaky([Transient(retry_at=soon)])
    assert run(action, InPlaceRetry(attempts=4, base_s=0.01, budget_s=5.0), clock) == "done"
    assert 1.5 <= clock.sleeps[0] <= 2.0  # the server's wait, not the tiny backoff

    clock = Clock()
    later = datetime.now(UTC) + timedelta(seconds=600)
    action, calls = flaky([Transient(retry_at=later)])
    with pytest.raises(Transient):  # left to the scheduled retry, which honours it
        run(action, InPlaceRetry(attempts=4, base_s=0.01, budget_s=5.0), clock)
    assert len(calls) == 1 and clock.sleeps == []


def test_time_spent_in_slow_attempts_counts_against_the_budget():
    clock = Clock()
    failures = [Transient(), Transient()]

    def slow_action() -> str:
        clock.now += 4.0  # e.g. an upload that timed out after four seconds
        if failures:
            raise failures.pop(0)
        return "done"

    with pytest.raises(Transient):
        run(slow_action, InPlaceRetry(attempts=4, base_s=0.5, budget_s=5.0), clock)
    assert len(clock.sleeps) == 1 and clock.now < 10.0
