"""The API fuzzed against its own OpenAPI schema: no 500s, every response matches the schema.

Schemathesis generates requests from the schema (valid and invalid ones) and sends them through
the WSGI app with a rep's and an admin's token; examples are bounded so CI stays quick. Every
check runs except "schema-valid data is accepted": a schema cannot say "real audio" or "a user
that exists", and refusing those (422, 400) with a clear error is the behaviour we want.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from tests.api.test_calls_api import scored_call

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "30")),  # raise it for a deeper run
    deadline=None,
    # The same examples every run in CI (a failure is reproducible, not flaky); set
    # API_FUZZ_RANDOM=1 to explore new ones locally.
    derandomize=not os.environ.get("API_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


EXCLUDED = [schemathesis.checks.positive_data_acceptance]
# Loaded at collection (the schema view needs no database); cases then run inside each test's
# transaction, like any other pytest-django test.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    # The WSGI handler closes the DB connection after each request, which would end the test's
    # transaction on PostgreSQL; Django's own test client detaches the same signal handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(people, _keep_test_connection) -> dict[str, str]:
    """Calls for the fuzzer to find (ids 1.. exist), and the tokens to send."""
    for owner in ("rep1", "rep2", "rep1"):
        scored_call(people[owner].user)
    return {
        name: people[name].client._credentials["HTTP_AUTHORIZATION"] for name in ("rep1", "admin")
    }


@schema.parametrize()
@FUZZ
def test_a_reps_token_keeps_the_schema_under_fuzzing(case, seeded) -> None:
    case.call_and_validate(headers={"Authorization": seeded["rep1"]}, excluded_checks=EXCLUDED)


@schema.parametrize()
@FUZZ
def test_an_admins_token_keeps_the_schema_under_fuzzing(case, seeded) -> None:
    case.call_and_validate(headers={"Authorization": seeded["admin"]}, excluded_checks=EXCLUDED)
