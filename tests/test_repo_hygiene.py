"""The repository stands alone: a clone needs nothing from the machine it was built on."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Paths that only exist on the machine a file was written on.
MACHINE_PATHS = re.compile(r"(?<![\w.~-])/(?:work|home|Users|root|mnt|private/var)/[\w.+-]+")


def tracked() -> list[tuple[str, str]]:
    """(mode, path) of every file git tracks, the way a clone gets them."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        if os.environ.get("CI"):
            pytest.fail("CI runs from a git clone: git and .git must be there")
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=REPO, check=True, capture_output=True
    ).stdout.decode()
    rows = []
    for entry in filter(None, out.split("\0")):
        meta, path = entry.split("\t", 1)
        rows.append((meta.split()[0], path))
    return rows


def test_no_tracked_file_is_a_symbolic_link():
    links = [path for mode, path in tracked() if mode == "120000"]
    assert links == [], f"symbolic links are tracked (remove with git rm --cached): {links}"


def test_no_tracked_file_names_an_absolute_path_outside_the_repository():
    found = []
    for _mode, path in tracked():
        file = REPO / path
        if not file.is_file() or file.stat().st_size > 2_000_000:
            continue
        raw = file.read_bytes()
        if b"\0" in raw[:4096]:  # binary: audio, images
            continue
        text = raw.decode("utf-8", errors="replace")
        found += [f"{path}: {m.group(0)}" for m in MACHINE_PATHS.finditer(text)]
        if str(REPO) in text:
            found.append(f"{path}: {REPO}")
    assert found == [], "files name paths of one machine:\n" + "\n".join(found)


def test_the_pattern_catches_a_machine_path_and_spares_urls_and_repo_paths():
    # Built from parts, so this file does not itself name a machine path.
    assert MACHINE_PATHS.search("see /" + "work/wt-int/.venv for the venv")
    assert MACHINE_PATHS.search("cache: /" + "home/alice/.cache")
    assert not MACHINE_PATHS.search("https://example.com/work/items and tests/fixtures/calls")
    assert not MACHINE_PATHS.search("~/work/x is the user's own")
