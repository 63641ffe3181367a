"""Background tasks: each loads by id and calls one service; stage guards make re-runs no-ops."""

from __future__ import annotations


def call_transcribe(call_id: int) -> None:
    from calls.services.transcription import transcription_run

    transcription_run(call_id=call_id)


def pipeline_sweep() -> int:
    from calls.services.pipeline import pipeline_sweep as sweep

    return sweep()


def transcription_job_submit(job_id: int) -> None:
    from calls.services.transcription_jobs import transcription_job_submit as submit

    submit(job_id=job_id)


def transcription_job_fetch(job_id: int) -> None:
    from calls.services.transcription_jobs import transcription_job_fetch as fetch

    fetch(job_id=job_id)


def transcription_poll() -> int:
    from calls.services.transcription_jobs import transcription_poll as poll

    return poll()


def call_fetch(call_id: int) -> None:
    from calls.services.fetch import call_fetch_run

    call_fetch_run(call_id=call_id)
