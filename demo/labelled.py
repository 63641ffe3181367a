"""Labelled call JSON (tests/fixtures/calls format) spoken by espeak-ng: one voice per participant.

Dual-channel calls become stereo files (the seller's side on channel 0, the buyer's on 1, as
telephony records them); single-channel calls one mixed track. Stage directions such as
"(laughs)" are not spoken. Spanish and French sentences are spoken by espeak's voice for that
language, so the recogniser hears what a code-switching call sounds like. Renders are cached by
content: the same call, voices and renderer give the same file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from demo.speech import VOICES, Spoken, Turn, Voice, render, write_opus

RENDER_VERSION = "1"
# S1 is the rep and S2 the main prospect (the fixtures' convention); a third participant,
# rep-side engineer or second prospect, gets a third voice.
PARTICIPANT_VOICES = {
    "S1": VOICES["rep"],
    "S2": VOICES["prospect"],
    "S3": Voice("en-us+m7", pitch=65, speed=155),
}
_STAGE_DIRECTION = re.compile(r"\s*\([^)]*\)")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_FUNCTION_WORDS = {
    "es": _word_set(
        "el la los las que de del y en es por para con una pero muy nos estamos tenemos"
        " pues entonces cuando donde porque también está son"
    ),
    "fr": _word_set(
        "le la les des est et une pour avec nous vous mais très pas dans que qui sont"
        " c'est on a été aussi donc"
    ),
}


def spoken_text(text: str) -> str:
    """What a person would say aloud: the line without its stage directions."""
    return " ".join(_STAGE_DIRECTION.sub(" ", text).split())


def sentence_language(text: str) -> str:
    """ "es" or "fr" when most of the words are that language's function words, else "en"."""
    words = re.findall(r"[\wÀ-ÿ']+", text.lower())
    if len(words) < 3:
        return "en"
    best, hits = "en", 0
    for language, vocabulary in _FUNCTION_WORDS.items():
        count = sum(w in vocabulary for w in words)
        if count > hits:
            best, hits = language, count
    english = sum(w in _ENGLISH for w in words)
    return best if hits >= 2 and hits > english else "en"


_ENGLISH = _word_set(
    "the a an and of to is in it that we you i for on with this but are our so have"
)


def _voice_for(voice: Voice, language: str) -> Voice:
    if language == "en":
        return voice
    variant = voice.name.partition("+")[2]
    return replace(voice, name=f"{language}+{variant}" if variant else language)


def call_turns(data: Mapping[str, Any]) -> tuple[list[Turn], dict[str, Voice], dict[str, int]]:
    """The call as turns keyed ``speaker|language``, with each key's voice and channel."""
    participants = data["participants"]
    turns: list[Turn] = []
    voices: dict[str, Voice] = {}
    channels: dict[str, int] = {}
    for utterance in data["utterances"]:
        text = spoken_text(utterance["text"])
        if not text:
            continue
        speaker = utterance["speaker"]
        language = sentence_language(text)
        key = f"{speaker}|{language}"
        base = PARTICIPANT_VOICES.get(speaker, PARTICIPANT_VOICES["S3"])
        voices[key] = _voice_for(base, language)
        channels[key] = 0 if participants[speaker].get("role") == "rep" else 1
        turns.append(Turn(key, text))
    return turns, voices, channels


def render_key(data: Mapping[str, Any]) -> str:
    turns, voices, _ = call_turns(data)
    stereo = int((data.get("recording") or {}).get("channels") or 1) == 2
    material = json.dumps(
        [
            RENDER_VERSION,
            stereo,
            [asdict(t) for t in turns],
            {k: asdict(v) for k, v in voices.items()},
        ],
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def render_call(data: Mapping[str, Any], cache_dir: Path) -> tuple[Path, list[Spoken]]:
    """The call's audio file (rendered once, then reused) and who said what, when, on it."""
    stereo = int((data.get("recording") or {}).get("channels") or 1) == 2
    stem = f"{data.get('id') or 'call'}-{render_key(data)}"
    audio_path, spoken_path = cache_dir / f"{stem}.ogg", cache_dir / f"{stem}.json"
    if audio_path.is_file() and spoken_path.is_file():
        return audio_path, [Spoken(**s) for s in json.loads(spoken_path.read_text())]
    turns, voices, channels = call_turns(data)
    audio, spoken = render(turns, stereo=stereo, voices=voices, channels=channels)
    spoken = [replace(s, speaker=s.speaker.partition("|")[0]) for s in spoken]
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = audio_path.with_suffix(".part.ogg")
    write_opus(partial, audio)
    spoken_path.write_text(json.dumps([asdict(s) for s in spoken]))
    partial.replace(audio_path)
    return audio_path, spoken
