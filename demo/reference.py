"""Comparing a transcript with the script it was spoken from: who said each word."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher

from calls.transcript import Transcript
from demo.speech import Spoken


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def aligned_speakers(transcript: Transcript, spoken: Sequence[Spoken]) -> list[tuple[str, str]]:
    """(speaker key, scripted speaker) for each recognised word that matches a scripted word.

    Words are aligned by text (difflib on lower-cased tokens), not by time, so the judgement
    does not depend on how precisely Whisper placed a word at a turn boundary.
    """
    ref = [(tok, s.speaker) for s in spoken for tok in _tokens(s.text)]
    hyp = [
        (tok, u.speaker_key or "")
        for u in transcript.utterances
        for w in u.words
        for tok in _tokens(w.text)
    ]
    matcher = SequenceMatcher(None, [t for t, _ in ref], [t for t, _ in hyp], autojunk=False)
    return [
        (hyp[block.b + i][1], ref[block.a + i][1])
        for block in matcher.get_matching_blocks()
        for i in range(block.size)
    ]


def attribution_accuracy(
    transcript: Transcript, spoken: Sequence[Spoken], roles: Mapping[str, str] | None = None
) -> float:
    """Share of matched words attributed to the right speaker.

    With ``roles`` (speaker key -> rep/prospect) this scores the roles as assigned; without,
    each speaker key is mapped to the scripted speaker it mostly matches (pure diarization).
    """
    pairs = aligned_speakers(transcript, spoken)
    if not pairs:
        return 0.0
    if roles is None:
        votes: dict[str, Counter[str]] = {}
        for key, ref in pairs:
            votes.setdefault(key, Counter())[ref] += 1
        roles = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    return sum(roles.get(key) == ref for key, ref in pairs) / len(pairs)
