"""Preparing the bundled Whisper model: whole or not at all, once however many workers ask."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest

from calls.models import Call
from calls.providers.base import ProviderError
from calls.providers.whisper.weights import BUNDLED, MANIFEST, resolve_bundled, resolve_model
from calls.services.ingest import CallMetadata, call_ingest_path
from calls.services.transcription import transcription_run
from tests.calls.providers.weights_worker import prepare_and_load

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whisper"
WORKERS = 4
ROUNDS = 4


@pytest.mark.slow
def test_workers_starting_together_on_an_empty_cache_all_load_a_complete_model(tmp_path: Path):
    ctx = multiprocessing.get_context("spawn")
    outcomes: list[str] = []
    for round_ in range(ROUNDS):
        cache = tmp_path / f"round-{round_}"
        barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
        procs = [
            ctx.Process(target=prepare_and_load, args=(str(cache), barrier, results))
            for _ in range(WORKERS)
        ]
        for p in procs:
            p.start()
        outcomes += [results.get(timeout=300) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        # Only the finished model and the lock are left: no staging or stale directories.
        leftovers = {p.name for p in cache.iterdir()} - {"base", ".base.lock"}
        assert leftovers == set()
    assert outcomes == ["ok"] * (WORKERS * ROUNDS)


@pytest.mark.slow
def test_a_failed_preparation_says_why_once_and_leaves_nothing_half_written(tmp_path: Path):
    wrong = dataclasses.replace(BUNDLED["base"], sha256="0" * 64)
    with pytest.raises(ProviderError, match="joined to sha256") as caught:
        resolve_bundled(wrong, cache_dir=tmp_path)
    assert caught.value.permanent
    assert [p.name for p in tmp_path.iterdir()] == [".base.lock"]


@pytest.mark.slow
def test_a_cache_left_by_an_interrupted_copy_is_rebuilt_not_loaded(tmp_path: Path):
    first = Path(resolve_model("base", cache_dir=tmp_path).model)
    (first / "tokenizer.json").write_text('{"truncated": ')  # a copy cut short
    again = Path(resolve_model("base", cache_dir=tmp_path).model)
    json.loads((again / "tokenizer.json").read_text())
    assert json.loads((again / MANIFEST).read_text())["model.bin"] == BUNDLED["base"].sha256


@pytest.mark.slow
@pytest.mark.django_db
def test_a_call_whose_model_fails_to_load_is_retried_not_left_failed(
    settings, tmp_path: Path, django_capture_on_commit_callbacks
):
    # Verified weights beside a config CTranslate2 cannot read: loading fails after the hash
    # check passed, the way a model being replaced or a short read does.
    source = Path(resolve_model("tiny.en", cache_dir=tmp_path).model)
    broken = tmp_path / "tiny-unloadable"
    shutil.copytree(source, broken)
    (broken / "config.json").write_text("{not json")
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.WHISPER_MODEL = str(broken)
    settings.WHISPER_MODEL_SHA256 = BUNDLED["tiny.en"].sha256
    with django_capture_on_commit_callbacks(execute=False):
        call = call_ingest_path(
            path=FIXTURES / "mono.ogg", meta=CallMetadata(source=Call.Source.CLI)
        ).call
        transcription_run(call_id=call.id)
    call.refresh_from_db()
    assert call.stage == Call.Stage.FAILED
    assert "cannot load Whisper model" in call.error
    assert call.next_retry_at is not None, "a load failure is transient: a retry is scheduled"
