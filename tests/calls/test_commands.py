from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_q.brokers import get_broker
from django_q.conf import Conf

from calls.models import Call
from tests.calls.factories import UserFactory
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_ingest_wait_prints_one_scored_json_line_per_file_when_given_call_json(
    shared_calls, tmp_path
):
    rep = UserFactory(username="rep-a")
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really audio" * 20)
    files = [str(shared_calls / "dev-001.json"), str(shared_calls / "dev-013.json"), str(corrupt)]

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 of 3 inputs were rejected or failed") as failed:
        call_command("ingest", *files, "--wait", "--rep", "rep-a", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]

    assert failed.value.returncode == 1  # the corrupt file; the lines are printed all the same
    assert [line["source"] for line in lines] == files
    for line in lines[:2]:
        assert line["stage"] == "routed" and line["score"] in {"hot", "warm", "cold"}
        assert 0 <= line["confidence"] <= 1 and line["routing"] in {"auto_approved", "needs_review"}
        assert set(line["bant"]) == {"budget", "authority", "need", "timeline"}
        assert set(line["bant"]["budget"]) == {"present", "evidence", "start_s"}
        assert line["error"] is None
    assert lines[2]["stage"] == "rejected" and "not readable audio" in lines[2]["error"]
    assert set(Call.objects.values_list("owner_rep", flat=True)) == {rep.pk}


def test_ingest_reports_a_duplicate_when_the_same_file_comes_twice(shared_calls):
    first = run("ingest", str(shared_calls / "dev-002.json"), "--wait")[0]
    second = run("ingest", str(shared_calls / "dev-002.json"), "--wait")[0]
    assert second["duplicate"] and second["call_id"] == first["call_id"]
    assert Call.objects.count() == 1


def test_ingest_without_wait_leaves_work_for_the_worker(tmp_path, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # through the broker, as with a real worker
    broker = get_broker()
    broker.purge_queue()
    wav = tmp_path / "call.wav"
    wav.write_bytes(make_wav(2.0, channels=2))
    line = run("ingest", str(wav), "--external-id", "RE1", "--channels-roles", "prospect,rep")[0]
    call = Call.objects.get(pk=line["call_id"])
    assert call.external_id == "RE1" and call.channel_roles == ["prospect", "rep"]
    assert line["stage"] == "received" and line["timed_out"] is False
    assert broker.queue_size() == 1  # the transcribe task, for the worker
    broker.purge_queue()


def test_ingest_refuses_bad_options_with_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no user named"):
        run("ingest", str(tmp_path / "x.wav"), "--rep", "nobody")
    with pytest.raises(CommandError, match="two of rep/prospect/unknown"):
        run("ingest", str(tmp_path / "x.wav"), "--channels-roles", "rep")


def test_evaluate_prints_metrics_as_the_last_line_when_run_on_labelled_calls(shared_calls):
    out = io.StringIO()
    call_command("evaluate", str(shared_calls), "--engine", "rules", stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])

    assert report["n"] == len(list(shared_calls.glob("*.json")))
    assert set(report["per_criterion"]) == {"budget", "authority", "need", "timeline"}
    assert report["evidence_valid_rate"] == 1.0
    assert report["tier_accuracy"] >= 0.75
    assert sum(sum(row.values()) for row in report["confusion"].values()) == report["n"]


def test_demo_setup_creates_users_and_scores_demo_calls_idempotently(shared_calls, settings):
    out = io.StringIO()
    call_command("demo_setup", "--calls-dir", str(shared_calls), stdout=out)
    call_command("demo_setup", "--calls-dir", str(shared_calls), stdout=io.StringIO())

    assert Call.objects.count() == len(list(shared_calls.glob("*.json")))
    assert not Call.objects.exclude(stage=Call.Stage.ROUTED).exists()
    for username in ("admin", "manager", "rep"):
        assert f"  {username}" in out.getvalue()


def test_demo_setup_loads_the_committed_demo_calls_when_no_directory_is_given():
    call_command("demo_setup", stdout=io.StringIO())
    # Demo audio needs a real transcription provider; the transcript demo calls need none.
    transcripts = Call.objects.filter(recording__kind="transcript_json")
    assert transcripts.count() == 24
    assert not transcripts.exclude(stage=Call.Stage.ROUTED).exists()
