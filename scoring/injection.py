"""Spotting transcript lines addressed to the scoring system (prompt injection attempts).

The prompt fences the transcript and tells the model it is data; this is the second line of
defence, independent of the engine: evidence that quotes such a line never confirms a criterion.
"""

from __future__ import annotations

import re

_PATTERNS = [
    r"\b(ignore|disregard|forget|override)\b.{0,40}\b(instructions?|prompts?|rules|rubric)\b",
    r"\b(mark|score|rate|flag|label|classify)\b.{0,30}\b(lead|call|me|us|this)\b.{0,20}"
    r"\b(as\s+)?(hot|warm|cold)\b",
    r"\bsystem\s+(notice|message|prompt|override|instruction)\b",
    r"\b(hey|dear|attention|note to( the)?),?\s+(ai|assistant|model|bot|scoring system|claude)\b",
]
_ADDRESSED = re.compile("|".join(f"(?:{p})" for p in _PATTERNS), re.IGNORECASE | re.DOTALL)


def addresses_scoring_system(text: str) -> bool:
    return _ADDRESSED.search(text) is not None
