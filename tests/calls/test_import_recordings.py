"""``import_recordings``: a folder of recordings is ingested once each, with sidecar metadata."""

from __future__ import annotations

import json
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call
from calls.services.folder import FolderScanner
from tests.calls.factories import UserFactory
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[dict]:
    out = StringIO()
    call_command("import_recordings", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_every_recording_is_ingested_once_with_its_sidecar(tmp_path: Path) -> None:
    rep = UserFactory(username="dana")
    (tmp_path / "a.wav").write_bytes(make_wav(2.0, channels=2))
    (tmp_path / "a.wav.meta.json").write_text(
        json.dumps(
            {
                "external_id": "rec-a",
                "rep": "dana",
                "contact_email": "lee@example.com",
                "contact_name": "Lee Park",
                "channel_roles": ["prospect", "rep"],
            }
        )
    )
    (tmp_path / "b.mp3.txt").write_text("not a recording")
    (tmp_path / "c.wav").write_bytes(make_wav(3.0))

    first = run(str(tmp_path))
    again = run(str(tmp_path))

    assert [Path(r["file"]).name for r in first] == ["a.wav", "c.wav"]
    assert all(r["stage"] == "received" and not r["duplicate"] for r in first)
    assert all(r["duplicate"] for r in again)  # a second run adds nothing
    assert Call.objects.count() == 2
    a = Call.objects.get(external_id="rec-a")
    assert (a.owner_rep, a.contact_email, a.contact_name) == (rep, "lee@example.com", "Lee Park")
    assert (a.source, a.channel_roles) == ("folder", ["prospect", "rep"])


def test_a_call_transcript_json_is_ingested_and_a_sidecar_is_not(
    tmp_path: Path, shared_calls: Path
) -> None:
    name = sorted(shared_calls.glob("*.json"))[0].name
    (tmp_path / name).write_bytes((shared_calls / name).read_bytes())
    (tmp_path / f"{name}.meta.json").write_text(json.dumps({"external_id": "t-1"}))
    results = run(str(tmp_path))
    assert [Path(r["file"]).name for r in results] == [name]
    assert Call.objects.get().external_id == "t-1"


@pytest.mark.parametrize(
    ("sidecar", "problem"),
    [
        ("{not json", "is not valid JSON"),
        (json.dumps({"extrnal_id": "typo"}), "Additional properties are not allowed"),
        (json.dumps({"channel_roles": ["rep"]}), "channel_roles"),
        (json.dumps({"rep": "ghost"}), "no active user named 'ghost'"),
    ],
)
def test_a_bad_sidecar_is_reported_and_its_file_waits(tmp_path: Path, sidecar, problem) -> None:
    (tmp_path / "a.wav").write_bytes(make_wav(2.0))
    (tmp_path / "a.wav.meta.json").write_text(sidecar)
    (tmp_path / "b.wav").write_bytes(make_wav(2.5))
    results = run(str(tmp_path))
    assert problem in results[0]["error"] and results[0]["call_id"] is None
    assert results[1]["stage"] == "received"  # the others go on
    assert Call.objects.count() == 1


def test_a_broken_recording_is_kept_as_a_rejected_call(tmp_path: Path) -> None:
    (tmp_path / "bad.wav").write_bytes(b"garbage" * 100)
    [result] = run(str(tmp_path))
    assert result["stage"] == "rejected" and result["error"]


def test_watch_mode_picks_up_new_and_fixed_files_but_not_ones_still_being_written(
    tmp_path: Path,
) -> None:
    scanner = FolderScanner(directory=tmp_path, settle_seconds=60)
    old = tmp_path / "old.wav"
    old.write_bytes(make_wav(2.0))
    past = time.time() - 120
    os.utime(old, (past, past))
    (tmp_path / "copying.wav").write_bytes(make_wav(2.5))  # just modified

    assert [i.path.name for i in scanner.scan()] == ["old.wav"]
    assert scanner.scan() == []  # nothing new: not even re-hashed

    (tmp_path / "old.wav.meta.json").write_text("{oops")
    os.utime(tmp_path / "copying.wav", (past, past))
    names = {i.path.name: i for i in scanner.scan()}
    assert set(names) == {"old.wav", "copying.wav"}  # sidecar changed; copy finished
    assert "not valid JSON" in names["old.wav"].error


def test_watch_runs_the_given_number_of_passes(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(make_wav(2.0))
    results = run(str(tmp_path), "--watch", "--passes", "2", "--interval", "0", "--settle", "0")
    assert len(results) == 1 and Call.objects.count() == 1


def test_default_channel_roles_apply_unless_a_sidecar_says_otherwise(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(make_wav(2.0, channels=2))
    (tmp_path / "b.wav").write_bytes(make_wav(2.5, channels=2))
    (tmp_path / "b.wav.meta.json").write_text(json.dumps({"channel_roles": ["rep", "prospect"]}))
    run(str(tmp_path), "--channel-roles", "prospect,rep")
    roles = dict(Call.objects.values_list("recording__original_name", "channel_roles"))
    assert roles == {"a.wav": ["prospect", "rep"], "b.wav": ["rep", "prospect"]}
    with pytest.raises(CommandError, match="two of rep/prospect/unknown"):
        call_command("import_recordings", str(tmp_path), "--channel-roles", "left,right")


def test_a_folder_call_source_gives_its_rep_and_channel_layout(tmp_path: Path) -> None:
    from calls.models import CallSource

    rep = UserFactory(username="cy")
    CallSource.objects.create(
        name="recorder-1", kind="folder", channel_roles=["prospect", "rep"], default_rep=rep
    )
    (tmp_path / "a.wav").write_bytes(make_wav(2.0, channels=2))
    run(str(tmp_path), "--source", "recorder-1")
    call = Call.objects.get()
    assert (call.owner_rep, call.channel_roles) == (rep, ["prospect", "rep"])
    with pytest.raises(CommandError, match="no folder call source named 'nope'"):
        call_command("import_recordings", str(tmp_path), "--source", "nope")


def test_a_call_source_rejects_a_bad_channel_layout() -> None:
    from django.core.exceptions import ValidationError

    from calls.models import CallSource

    with pytest.raises(ValidationError, match="two of rep/prospect/unknown"):
        CallSource(name="x", kind="folder", channel_roles=["left", "right"]).full_clean()


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a directory"):
        call_command("import_recordings", str(tmp_path / "nope"))
