"""``make serve``'s server for real: gunicorn with our config on a free 127.0.0.1 port, a real
qcluster, and dependencies that are really down (closed ports), configured by env only."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Under load the first import of Django and the app can take a while on a shared machine.
BOOT_SECONDS = 120
pytestmark = pytest.mark.slow

# Settings a developer's shell might carry that would change what these servers do.
_CLEARED = [
    "DATABASE_URL",
    "DJANGO_SECURE",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEBUG",
    "LOG_FORMAT",
    "PROMETHEUS_METRICS",
    "PROMETHEUS_MULTIPROC_DIR",
    "SENTRY_DSN",
    "WEB_CONCURRENCY",
    "WEB_THREADS",
    "GUNICORN_CMD_ARGS",
]


@dataclass
class Site:
    """A migrated, collected data directory and the environment that points at it."""

    data: Path
    env: dict[str, str]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    # A data directory that does not exist yet and a key from the environment, as a first
    # deployment has them; the database is the embedded default, SQLite in that directory.
    data = tmp_path_factory.mktemp("serve") / "var"
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED and k != "Q_CLUSTER_NAME"}
    env.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=str(data),
        DJANGO_SECRET_KEY="serve-test-" + "s" * 40,
        # Its own site name (the clusters' queues derive from it), so a Redis broker shared with
        # other runs delivers to these workers only. Q_CLUSTER_NAME would pick a cluster instead.
        Q_NAME=f"serve-test-{os.getpid()}",
        SCORING_ENGINE="rules",
        TRANSCRIPTION_PROVIDER="fake",
        PYTHONUNBUFFERED="1",
    )
    site = Site(data=data, env=env)
    site.run("migrate", "--noinput", "-v0")
    site.run("collectstatic", "--noinput", "-v0")
    return site


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but never listening: connecting is refused at once, and nobody takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def process(cmd: list[str], env: dict[str, str], log_path: Path) -> Iterator[subprocess.Popen]:
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
        )
    try:
        yield proc
    finally:
        # The leader stops its own workers gracefully; whatever is left of the group goes.
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def gunicorn(site: Site, name: str, **env: str) -> Iterator[Server]:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-c", "python:leadscoring.gunicorn_conf"]
    cmd += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"]
    server = Server(url=f"http://127.0.0.1:{port}", log_path=site.data / f"{name}.log")
    with process(cmd, {**site.env, **env}, server.log_path) as proc:
        deadline = time.monotonic() + BOOT_SECONDS
        while True:
            assert proc.poll() is None, f"gunicorn exited:\n{server.log()}"
            try:
                if httpx.get(f"{server.url}/health/live/", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"gunicorn never answered:\n{server.log()}"
            time.sleep(0.5)
        yield server


def readiness(server: Server) -> tuple[int, dict[str, str]]:
    response = httpx.get(
        f"{server.url}/health/ready/", headers={"Accept": "application/json"}, timeout=30
    )
    return response.status_code, response.json()


def failing(body: dict[str, str]) -> set[str]:
    return {check for check, state in body.items() if state != "OK"}


def test_gunicorn_serves_static_files_metrics_json_logs_and_becomes_ready_with_a_worker(
    site: Site,
) -> None:
    manifest = json.loads((site.data / "static" / "staticfiles.json").read_text())["paths"]
    with gunicorn(site, "app", LOG_FORMAT="json", PROMETHEUS_METRICS="true") as server:
        # whitenoise, DEBUG off: the hashed name the pages link to, cached for good, gzipped.
        login = httpx.get(f"{server.url}/accounts/login/")
        assert login.status_code == 200
        css = f"/static/{manifest['css/app.css']}"
        assert css in login.text
        static = httpx.get(f"{server.url}{css}", headers={"Accept-Encoding": "gzip"})
        assert static.status_code == 200
        assert static.headers["Content-Encoding"] == "gzip"
        assert "immutable" in static.headers["Cache-Control"]
        assert static.content == (ROOT / "static" / "css" / "app.css").read_bytes()
        assert httpx.get(f"{server.url}/static/css/no-such.css").status_code == 404

        assert httpx.get(f"{server.url}/no-such-page/").status_code == 404
        metrics = httpx.get(f"{server.url}/metrics")
        assert metrics.status_code == 200
        assert "django_http_requests_before_middlewares_total" in metrics.text

        # No qcluster yet: up, but not ready.
        status, body = readiness(server)
        assert status == 503
        assert failing(body) == {"WorkerSeen()"}

        # A real worker: the heartbeat schedule fires on the cluster's first scheduler pass.
        with process(
            [sys.executable, str(ROOT / "manage.py"), "qcluster"],
            site.env,
            site.data / "qcluster.log",
        ):
            deadline = time.monotonic() + BOOT_SECONDS
            while (result := readiness(server))[0] != 200:
                assert time.monotonic() < deadline, (
                    result,
                    (site.data / "qcluster.log").read_text(),
                )
                time.sleep(1)
        assert failing(result[1]) == set()

        records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        assert len(records) == len(server.log().splitlines()), server.log()  # JSON, line by line
    refused = [r for r in records if "/no-such-page/" in r["message"]]
    assert [(r["level"], r["logger"], r["status_code"]) for r in refused] == [
        ("WARNING", "django.request", 404)
    ]
    assert "Traceback" not in server.log()


def test_readiness_is_503_and_liveness_200_when_the_database_is_down(
    site: Site, closed_port: int
) -> None:
    url = f"postgres://postgres:hunter2@127.0.0.1:{closed_port}/leadscoring"
    with gunicorn(site, "db-down", DATABASE_URL=url) as server:
        assert httpx.get(f"{server.url}/health/live/").status_code == 200
        status, body = readiness(server)
        response = httpx.get(f"{server.url}/health/ready/")
    assert status == 503 and response.status_code == 503
    assert "Database(alias='default')" in failing(body)
    assert "WorkerSeen()" in failing(body)  # heartbeats live in the database too
    assert body["Storage(alias='default')"] == "OK"
    assert "hunter2" not in response.text and str(closed_port) not in response.text
    # In the log, one line per failing check with the driver's reason; no stack, no 503 ERROR.
    lines = [ln for ln in server.log().splitlines() if "Database(alias='default') failed" in ln]
    assert len(lines) == 2  # one for each of the two probes
    assert all("Unavailable: connection failed (OperationalError: " in ln for ln in lines)
    assert "Traceback" not in server.log() and "Service Unavailable" not in server.log()


def test_readiness_is_503_when_the_redis_broker_is_down(site: Site, closed_port: int) -> None:
    with gunicorn(site, "broker-down", REDIS_URL=f"redis://127.0.0.1:{closed_port}/1") as server:
        status, body = readiness(server)
    assert status == 503
    assert "QueueBroker(kind='redis')" in failing(body)
    assert body["Database(alias='default')"] == "OK"


def test_django_secure_redirects_plain_http_and_trusts_the_proxy_for_https(site: Site) -> None:
    env = {
        "DJANGO_SECURE": "true",
        "DJANGO_ALLOWED_HOSTS": "leads.example.com,127.0.0.1",
        "DJANGO_SECRET_KEY": "serve-test-" + "k" * 40,
        "LEADSCORING_SITE_URL": "https://leads.example.com",
    }
    with gunicorn(site, "secure", **env) as server:
        host = {"Host": "leads.example.com"}
        plain = httpx.get(f"{server.url}/accounts/login/", headers=host)
        proxied = httpx.get(
            f"{server.url}/accounts/login/", headers={**host, "X-Forwarded-Proto": "https"}
        )
        probe = httpx.get(f"{server.url}/health/live/")
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://leads.example.com/accounts/login/"
    assert proxied.status_code == 200
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Secure" in proxied.headers["Set-Cookie"]
    assert probe.status_code == 200  # probes are not redirected


def test_gunicorn_sizes_itself_from_the_cores_it_may_run_on(monkeypatch) -> None:
    import importlib

    import leadscoring.gunicorn_conf as conf

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    conf = importlib.reload(conf)
    assert conf.workers == max(2, len(os.sched_getaffinity(0)))
    assert (conf.worker_class, conf.threads) == ("gthread", 4)
    assert conf.control_socket_disable is True
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    assert importlib.reload(conf).workers == 5
