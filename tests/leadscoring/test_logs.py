"""A refused request logs one line through the configured handler; real errors keep their stack."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from logging.config import DictConfigurator

import pytest
from django.urls import reverse

from leadscoring.logs import LogFormat, logging_config


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """What the project's console handler (LOGGING) writes, with its filters and format."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def lines(buffer: io.StringIO) -> list[str]:
    return buffer.getvalue().splitlines()


@pytest.mark.django_db
def test_a_page_that_does_not_exist_logs_one_line(client, console):
    assert client.get("/no-such-page/").status_code == 404
    assert len(lines(console)) == 1
    assert "WARNING" in lines(console)[0] and "Not Found: /no-such-page/" in lines(console)[0]


def test_permission_denied_logs_one_line_without_a_traceback(client, people, console):
    client.force_login(people.rep)
    assert client.get(reverse("scoring:review-queue")).status_code == 403
    assert len(lines(console)) == 1, console.getvalue()
    assert "Forbidden (Permission denied): /review/" in lines(console)[0]
    assert "Traceback" not in console.getvalue()


@pytest.mark.django_db
def test_a_host_we_do_not_serve_logs_one_line_without_a_traceback(client, console):
    assert client.get("/accounts/login/", HTTP_HOST="evil.example").status_code == 400
    assert len(lines(console)) == 1, console.getvalue()
    assert "django.security.DisallowedHost" in lines(console)[0]
    assert "Invalid HTTP_HOST header: 'evil.example'" in lines(console)[0]


@pytest.mark.django_db
def test_a_probe_that_is_not_ready_logs_the_failing_check_in_one_line(client, console):
    assert client.get(reverse("health-ready")).status_code == 503
    [line] = lines(console)  # and no django.request ERROR for the 503
    assert "WARNING" in line
    assert (
        "health_check: Health check WorkerSeen() failed: Unavailable: no worker has been seen"
        in line
    )
    assert "Traceback" not in console.getvalue()


def test_an_unexpected_error_keeps_its_traceback(console):
    try:
        raise RuntimeError("a bug of ours")
    except RuntimeError:
        logging.getLogger("django.request").exception("Internal Server Error: /x")
    assert "Traceback (most recent call last)" in console.getvalue()
    assert "RuntimeError: a bug of ours" in console.getvalue()


def test_json_format_writes_one_object_per_record_with_the_stack_inside_it():
    config = logging_config(level="INFO", fmt=LogFormat.JSON)
    formatter = DictConfigurator(config).configure_formatter(config["formatters"]["default"])
    try:
        raise RuntimeError("a bug of ours")
    except RuntimeError:
        record = logging.getLogger("calls").makeRecord(
            "calls", logging.ERROR, __file__, 1, "failed %s", ("call 7",), sys.exc_info()
        )
    record.request = object()  # Django attaches the request; it is not written out
    record.status_code = 500
    out = formatter.format(record)
    assert "\n" not in out
    data = json.loads(out)
    assert {k: data[k] for k in ("level", "logger", "message", "status_code")} == {
        "level": "ERROR",
        "logger": "calls",
        "message": "failed call 7",
        "status_code": 500,
    }
    assert "RuntimeError: a bug of ours" in data["exc_info"] and "request" not in data
    assert data["time"].endswith("+00:00")
