"""Mapping a finished Gladia job (``GET /v2/pre-recorded/{id}``, status ``done``) to our transcript.

Add-ons (entities, sentiment, summary) are optional: one that is missing, failed or malformed
becomes a warning and an empty field, never a failed transcription.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from typing import Any, TypeVar

from calls.providers.base import ProviderError
from calls.transcript import Transcript, Utterance, Word

T = TypeVar("T")


def gladia_transcript(job: dict[str, Any]) -> tuple[Transcript, float | None, tuple[str, ...]]:
    """(transcript, billed seconds, warnings) from a done job; the job JSON is kept verbatim."""
    result = job.get("result")
    if not isinstance(result, dict) or not isinstance(result.get("transcription"), dict):
        raise ProviderError(f"Gladia job {job.get('id')} is done but has no transcription")
    meta = result.get("metadata") or {}
    file = job.get("file") or {}
    transcription = result["transcription"]
    channels = int(file.get("number_of_channels") or meta.get("number_of_distinct_channels") or 1)
    stereo = channels >= 2
    try:
        utterances = tuple(_utterance(u, stereo) for u in transcription.get("utterances") or [])
    except (KeyError, TypeError, ValueError) as exc:
        raise ProviderError(f"Gladia job {job.get('id')} has malformed utterances: {exc}") from exc
    warnings: list[str] = []
    entities = _addon(result, "named_entity_recognition", _entities, (), warnings)
    sentiments = _addon(
        result, "sentiment_analysis", lambda r: _sentiments(r, stereo), (), warnings
    )
    summary = _addon(result, "summarization", _summary, "", warnings)
    duration = meta.get("audio_duration") or file.get("audio_duration")
    if duration is None:
        duration = max((u.end_s for u in utterances), default=0.0)
    billing = meta.get("billing_time")
    transcript = Transcript(
        provider="gladia",
        provider_job_id=str(job.get("id") or ""),
        languages=tuple(str(x) for x in transcription.get("languages") or ()),
        duration_s=float(duration),
        channels=channels,
        utterances=utterances,
        full_text=str(transcription.get("full_transcript") or ""),
        entities=entities,
        sentiments=sentiments,
        summary=summary,
        raw_payload=job,
    )
    return transcript, (float(billing) if billing is not None else None), tuple(warnings)


def speaker_key(channel: int, speaker: Any, stereo: bool) -> str:
    # Stereo: the channel is the speaker. Mono: Gladia's diarized index, stringified.
    if stereo or speaker is None:
        return f"ch{channel}"
    return str(speaker)


def _utterance(u: dict[str, Any], stereo: bool) -> Utterance:
    channel = int(u.get("channel") or 0)
    words = tuple(
        Word(
            text=str(w["word"]).strip(),
            start_s=float(w["start"]),
            end_s=float(w["end"]),
            confidence=_float(w.get("confidence")),
        )
        for w in u.get("words") or ()
    )
    return Utterance(
        start_s=float(u["start"]),
        end_s=float(u["end"]),
        speaker_key=speaker_key(channel, u.get("speaker"), stereo),
        channel=channel,
        text=str(u.get("text") or "").strip(),
        confidence=_float(u.get("confidence")),
        language=u.get("language") or None,
        words=words,
    )


def _addon(
    result: dict[str, Any],
    key: str,
    parse: Callable[[Any], T],
    empty: T,
    warnings: list[str],
) -> T:
    addon = result.get(key)
    if addon is None:
        return empty
    if not isinstance(addon, dict):
        warnings.append(f"{key}: unexpected shape, skipped")
        return empty
    if addon.get("success") is False or addon.get("error"):
        error = addon.get("error") or {}
        detail = error.get("message") or error.get("exception") or "no detail"
        warnings.append(f"{key} failed ({error.get('status_code', '-')}): {detail}")
        return empty
    if addon.get("is_empty") or addon.get("results") is None:
        return empty
    try:
        return parse(addon["results"])
    except (KeyError, TypeError, ValueError, SyntaxError) as exc:
        warnings.append(f"{key}: unreadable results, skipped ({exc})")
        return empty


def _listish(value: Any) -> list[dict[str, Any]]:
    """A list, a JSON string of one, or a Python-repr string of one (all seen from Gladia)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = ast.literal_eval(value)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValueError("expected a list of objects")
    return value


def _entities(results: Any) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "type": str(e.get("entity_type") or ""),
            "text": str(e.get("text") or ""),
            "start_s": _float(e.get("start")),
            "end_s": _float(e.get("end")),
        }
        for e in _listish(results)
    )


def _sentiments(results: Any, stereo: bool) -> tuple[dict[str, Any], ...]:
    out = []
    for s in _listish(results):
        channel = int(s.get("channel") or 0)
        out.append(
            {
                "text": str(s.get("text") or ""),
                "sentiment": str(s.get("sentiment") or ""),
                "emotion": str(s.get("emotion") or ""),
                "start_s": _float(s.get("start")),
                "end_s": _float(s.get("end")),
                "channel": channel,
                "speaker_key": speaker_key(channel, s.get("speaker"), stereo),
            }
        )
    return tuple(out)


def _summary(results: Any) -> str:
    if not isinstance(results, str):
        raise ValueError("summary is not text")
    return results.strip()


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None
