from __future__ import annotations

import os

from leadscoring.settings.machine import usable_cores

AFFINITY = len(os.sched_getaffinity(0))


def test_a_container_cpu_quota_caps_the_cores_rounded_up(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("50000 100000\n")  # half a core
    assert usable_cores(cpu_max) == 1
    cpu_max.write_text("150000 100000\n")
    assert usable_cores(cpu_max) == min(2, AFFINITY)
    cpu_max.write_text(f"{100000 * (AFFINITY + 4)} 100000\n")  # a quota above what we may use
    assert usable_cores(cpu_max) == AFFINITY


def test_no_quota_or_no_cgroup_leaves_the_cores_this_process_may_run_on(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("max 100000\n")
    assert usable_cores(cpu_max) == AFFINITY
    assert usable_cores(tmp_path / "missing") == AFFINITY
