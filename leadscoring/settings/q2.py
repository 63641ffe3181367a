"""django-q2: the ORM broker by default, Redis when REDIS_URL is set; two clusters.

The default cluster runs every task but local transcription: scoring, CRM syncs, webhooks, URL
fetches and the schedules (sweepers, polls). Local Whisper runs in its own cluster, so hours of
transcription never hold up a sync. Start each with ``manage.py qcluster``; the Whisper one with
``Q_CLUSTER_NAME=<Q_WHISPER_CLUSTER> manage.py qcluster`` (django-q2 reads the variable when it
is imported; ``qcluster --name`` sets it too late on Linux).
"""

from __future__ import annotations

import math

from leadscoring.settings.env import env
from leadscoring.settings.machine import CPU_CORES
from leadscoring.settings.storage import MAX_RECORDING_SECONDS
from leadscoring.settings.transcription import TRANSCRIPTION_PROVIDER
from leadscoring.settings.whisper import Q_WHISPER_WORKERS, WHISPER_SECONDS_PER_AUDIO_SECOND

REDIS_URL = env.str("REDIS_URL", default="")

# The site's name: the default cluster's queue, and the key that signs every task. Sites that
# share one Redis database need different names. (Not Q_CLUSTER_NAME: django-q2 reads that one
# to pick which cluster a qcluster process runs.)
Q_NAME = env.str("Q_NAME", default="leadscoring")
Q_WHISPER_CLUSTER = f"{Q_NAME}-whisper"

# timeout must stay below retry, or a receipt broker re-delivers a task that is still running.
Q_TIMEOUT = env.int("Q_TIMEOUT", default=1800)
# Its tasks mostly wait on HTTP (CRMs, Claude, Gladia), so they barely compete with Whisper for
# the cores; a couple of workers keep syncs flowing while one waits on a slow server.
Q_WORKERS = env.int("Q_WORKERS", default=max(2, CPU_CORES // 2))
# The longest recording ingest accepts, at the slowest measured speed, twice over, plus model
# loading: no recording that got in can reach it.
Q_WHISPER_TIMEOUT = env.int(
    "Q_WHISPER_TIMEOUT",
    default=math.ceil(2 * MAX_RECORDING_SECONDS * WHISPER_SECONDS_PER_AUDIO_SECOND) + 600,
)

Q_CLUSTER: dict[str, object] = {
    "name": Q_NAME,
    "workers": Q_WORKERS,
    "timeout": Q_TIMEOUT,
    "retry": env.int("Q_RETRY", default=Q_TIMEOUT + 300),
    # Business retries are our own state on the row; the broker never retries a task.
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "poll": 0.5,
    # Only what differs from the default cluster; django-q2 applies it when Q_CLUSTER_NAME names
    # the cluster.
    "ALT_CLUSTERS": {
        Q_WHISPER_CLUSTER: {
            "workers": Q_WHISPER_WORKERS,
            "timeout": Q_WHISPER_TIMEOUT,
            "retry": env.int("Q_WHISPER_RETRY", default=Q_WHISPER_TIMEOUT + 300),
            # Schedules belong to the default cluster; this one only transcribes.
            "scheduler": False,
        }
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"


def task_clusters(transcription_provider: str) -> dict[str, str]:
    """Which cluster runs which task, by dotted path; a task not named runs on the default one.

    Only local transcription is long and CPU-bound; a remote provider's hand-off is quick.
    """
    if transcription_provider == "whisper":
        return {"calls.tasks.call_transcribe": Q_WHISPER_CLUSTER}
    return {}


Q_TASK_CLUSTERS = task_clusters(TRANSCRIPTION_PROVIDER)

# Stage work that has not moved for this long is requeued by the sweeper (a crashed worker, a
# lost message): past the timeout of the cluster that runs it, so nothing still running is.
PIPELINE_STAGE_TIMEOUT_SECONDS = env.int("PIPELINE_STAGE_TIMEOUT_SECONDS", default=Q_TIMEOUT + 600)
PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS = env.int(
    "PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS", default=Q_WHISPER_TIMEOUT + 600
)
PIPELINE_MAX_ATTEMPTS = env.int("PIPELINE_MAX_ATTEMPTS", default=5)
PIPELINE_RETRY_BASE_SECONDS = env.int("PIPELINE_RETRY_BASE_SECONDS", default=60)
