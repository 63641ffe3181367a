"""Worker heartbeats: a scheduled task records that a qcluster ran it; readiness reads it."""

from __future__ import annotations

import socket
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone
from django_q.conf import Conf

from leadscoring.models import WorkerHeartbeat

# Hosts come and go (containers get new names); rows this old belong to none that still runs.
_FORGET_AFTER = timedelta(days=1)


def worker_heartbeat_record() -> None:
    """Mark this worker's cluster and host as seen now, and forget long-gone workers."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        cluster=Conf.CLUSTER_NAME, host=socket.gethostname(), defaults={"seen_at": now}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - _FORGET_AFTER).delete()


async def worker_last_seen() -> datetime | None:
    """When any worker last ran the heartbeat, or None if none ever has."""
    seen = await WorkerHeartbeat.objects.aaggregate(last=Max("seen_at"))
    return seen["last"]
