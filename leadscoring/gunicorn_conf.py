"""gunicorn settings for ``make serve``: sized from the machine's cores, logging like Django.

Loaded with ``gunicorn -c python:leadscoring.gunicorn_conf``; every value can still be overridden
on the command line or in GUNICORN_CMD_ARGS.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from leadscoring.settings.env import DATA_DIR, env
from leadscoring.settings.logs import LOGGING
from leadscoring.settings.web import PROMETHEUS_METRICS


def _cores() -> int:
    # The cores this process may run on (a container's cpuset), not the host's total.
    return len(os.sched_getaffinity(0))


wsgi_app = "leadscoring.wsgi:application"
# One process per core keeps CPU work (templates, JSON) parallel; threads serve the requests
# that wait on the database or storage. The qcluster workers need the cores too, so no 2n+1.
workers = env.int("WEB_CONCURRENCY", default=max(2, _cores()))
threads = env.int("WEB_THREADS", default=4)
worker_class = "gthread"
timeout = env.int("WEB_TIMEOUT", default=60)
graceful_timeout = 30
# Behind a proxy that keeps connections open to us.
keepalive = 5
# A fresh process now and then bounds whatever memory a long-lived one accumulates.
max_requests = env.int("WEB_MAX_REQUESTS", default=2000)
max_requests_jitter = max_requests // 10
# The default control socket is one path per user: two servers on a machine would share it.
control_socket_disable = True

_access_log = env.bool("WEB_ACCESS_LOG", default=False)
# gunicorn's own lines go through the application's handler and format. Its access lines are
# off unless asked for: the proxy in front usually logs every request already.
logconfig_dict: dict[str, Any] = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "gunicorn.error": {"level": "INFO", "propagate": True},
        "gunicorn.access": {"level": "INFO" if _access_log else "WARNING", "propagate": True},
    },
}
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms'

# django-prometheus in several processes: each writes its samples to files that /metrics adds
# up (prometheus_client's multiprocess mode). Set before any worker imports prometheus_client.
_metrics_dir = Path(env.str("PROMETHEUS_MULTIPROC_DIR", default=str(DATA_DIR / "prometheus")))
if PROMETHEUS_METRICS:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def on_starting(server: Any) -> None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        # Samples of a previous run's processes would be added to this run's.
        _metrics_dir.mkdir(parents=True, exist_ok=True)
        for samples in _metrics_dir.glob("*.db"):
            samples.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
