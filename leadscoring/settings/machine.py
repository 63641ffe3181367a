"""What this machine offers the workers: the CPU cores this process may really use."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def usable_cores(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """Cores this process may run on, capped by a container's CPU quota (cgroup v2).

    ``os.cpu_count()`` counts the host's cores: in a container limited to 2 CPUs on a 64-core
    host it says 64, and sizing thread pools from it would oversubscribe the quota 32 times.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        pass  # no cgroup v2 CPU controller here: the affinity count stands
    return max(1, cores)


CPU_CORES = usable_cores()
