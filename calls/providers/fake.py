"""A deterministic offline provider replaying a call transcript JSON (tests/fixtures/calls)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from calls.providers.base import JobState, JobStatus, ProgressCallback, ProviderError, RecordingRef
from calls.transcript import Speaker, Transcript, Utterance

# Keys the system under test may see; ``title`` and ``gold`` are annotation and never read.
VISIBLE_KEYS = ("id", "language", "recording", "participants", "utterances")


class CallJsonError(ValueError):
    """The file is not a call transcript in the expected format."""


def parse_call_json(data: Any, *, job_id: str = "") -> Transcript:
    """Build a canonical Transcript from a call JSON object, rejecting malformed input clearly."""
    if not isinstance(data, dict):
        raise CallJsonError("call JSON must be an object")
    utterances = data.get("utterances")
    participants = data.get("participants")
    if not isinstance(utterances, list) or not utterances:
        raise CallJsonError("call JSON has no 'utterances' list")
    if not isinstance(participants, dict) or not participants:
        raise CallJsonError("call JSON has no 'participants' map")
    recording = data.get("recording") or {}
    channels = int(recording.get("channels") or 1)
    parsed: list[Utterance] = []
    for i, u in enumerate(utterances):
        try:
            speaker, start, end, text = u["speaker"], float(u["start"]), float(u["end"]), u["text"]
        except (KeyError, TypeError, ValueError) as exc:
            raise CallJsonError(f"utterance {i} lacks speaker/start/end/text") from exc
        if speaker not in participants:
            raise CallJsonError(f"utterance {i} has unknown speaker {speaker!r}")
        channel = _channel_for(speaker, participants) if channels == 2 else 0
        parsed.append(Utterance(start, end, str(speaker), channel, str(text)))
    speakers = tuple(
        Speaker(
            key=str(key),
            role=str(p.get("role") or ""),
            name=str(p.get("name") or ""),
            email=str(p.get("email") or ""),
            company=str(p.get("company") or ""),
            title=str(p.get("title") or ""),
        )
        for key, p in participants.items()
        if isinstance(p, dict)
    )
    language = str(data.get("language") or "en")
    return Transcript(
        provider="fake",
        provider_job_id=job_id or str(data.get("id") or ""),
        languages=tuple(language.split("+")),
        duration_s=float(recording.get("duration_s") or parsed[-1].end_s),
        channels=channels,
        utterances=tuple(parsed),
        full_text="\n".join(u.text for u in parsed),
        speakers=speakers,
        raw_payload={k: data[k] for k in VISIBLE_KEYS if k in data},
    )


def _channel_for(speaker: str, participants: dict[str, Any]) -> int:
    # Dual-channel telephony puts the seller's side on channel 0 and the buyer's on channel 1.
    return 0 if participants[speaker].get("role") == "rep" else 1


class FakeProvider:
    """Reads the recording file as call JSON; finishes synchronously."""

    name = "fake"

    def submit(
        self, recording: RecordingRef, *, on_progress: ProgressCallback | None = None
    ) -> JobStatus:
        if recording.kind != "transcript_json" or recording.path is None:
            raise ProviderError(
                "the fake provider only replays call JSON transcripts; "
                "set TRANSCRIPTION_PROVIDER to a real provider for audio",
                permanent=True,
            )
        try:
            data = json.loads(recording.path.read_text(encoding="utf-8"))
            transcript = parse_call_json(data, job_id=f"fake-{recording.call_id}")
        except (OSError, ValueError) as exc:
            raise ProviderError(f"cannot read call JSON: {exc}", permanent=True) from exc
        if on_progress:
            on_progress(1.0)
        return JobStatus(transcript.provider_job_id, JobState.DONE, transcript)

    def fetch(self, job_id: str) -> JobStatus:
        raise ProviderError(
            "the fake provider finishes in submit(); nothing to fetch", permanent=True
        )

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> str:
        raise ProviderError("the fake provider sends no callbacks", permanent=True)
