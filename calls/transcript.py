"""The canonical, provider-agnostic transcript: frozen value objects that cross every seam."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start_s: float
    end_s: float
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Utterance:
    start_s: float
    end_s: float
    speaker_key: str | None
    channel: int | None
    text: str
    confidence: float | None = None
    language: str | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class Speaker:
    """What the source knows about a speaker; providers that know nothing leave role empty."""

    key: str
    role: str = ""
    name: str = ""
    email: str = ""
    company: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Transcript:
    provider: str
    provider_job_id: str
    languages: tuple[str, ...]
    duration_s: float
    channels: int
    utterances: tuple[Utterance, ...]
    full_text: str = ""
    entities: tuple[dict[str, Any], ...] = ()
    sentiments: tuple[dict[str, Any], ...] = ()
    summary: str = ""
    speakers: tuple[Speaker, ...] = ()
    raw_payload: dict[str, Any] = field(default_factory=dict)

    def speaker(self, key: str | None) -> Speaker | None:
        return next((s for s in self.speakers if s.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        utterances = tuple(
            Utterance(**{**u, "words": tuple(Word(**w) for w in u.get("words", ()))})
            for u in data.get("utterances", ())
        )
        return cls(
            provider=data["provider"],
            provider_job_id=data.get("provider_job_id", ""),
            languages=tuple(data.get("languages", ())),
            duration_s=float(data.get("duration_s", 0.0)),
            channels=int(data.get("channels", 1)),
            utterances=utterances,
            full_text=data.get("full_text", ""),
            entities=tuple(data.get("entities", ())),
            sentiments=tuple(data.get("sentiments", ())),
            summary=data.get("summary", ""),
            speakers=tuple(Speaker(**s) for s in data.get("speakers", ())),
            raw_payload=data.get("raw_payload", {}),
        )


class Role:
    REP = "rep"
    PROSPECT = "prospect"
    UNKNOWN = "unknown"


def prospect_utterances(
    transcript: Transcript, roles: dict[str, str]
) -> list[tuple[int, Utterance]]:
    """(index, utterance) for every utterance whose speaker is mapped to the prospect."""
    return [
        (i, u)
        for i, u in enumerate(transcript.utterances)
        if roles.get(u.speaker_key or "") == Role.PROSPECT
    ]
