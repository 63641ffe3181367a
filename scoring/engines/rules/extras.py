"""Best-effort extraction around the BANT decision: contact, size, tools, signals, next steps."""

from __future__ import annotations

import re
from typing import Any

from calls.transcript import Role, Speaker, Transcript

from . import patterns as p
from .need import PainSentence
from .numbers import find_amounts
from .text import Turn
from .view import CallView, clip

_LEAD_IN = re.compile(
    r"^(?:(?:so|and|but|well|okay|ok|yeah|yes|honestly|basically|look|mira|um|uh|oh|right)"
    r"[,.]?\s+)+",
    re.IGNORECASE,
)
_GENERIC_NAMES = {"spreadsheet": "spreadsheets", "text message": "text messages"}
_PAST_SIZE = re.compile(r"\b(?:we were|there were|used to be)\s+$", re.IGNORECASE)
_TOTAL = re.compile(
    r"total|overall|all in|all told|company|firm|group|organi[sz]ation", re.IGNORECASE
)
_NAME = re.compile(r"\b[A-Z][a-zA-Z\u00c0-\u00ff]+(?:[A-Z][a-z]+)*(?: [A-Z][a-z]+)?\b")
_NOT_NAMES = frozenset(
    {
        *("I", "I'm", "I'll", "I'd", "We", "Our", "My", "The", "A", "An", "It", "It's"),
        *("They", "He", "She", "This", "That", "And", "But", "So", "Yes", "No", "Okay", "Oh"),
        *("Not", "Nobody", "Honestly", "Maybe", "Probably", "Right", "Good", "Great", "Sure"),
        *("Well", "Yeah", "Hi", "Hey", "Thanks", "Thank", "Monday", "Tuesday", "Wednesday"),
        *("Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April"),
        *("May", "June", "July", "August", "September", "October", "November", "December"),
        *("AI", "IT", "CEO", "CFO", "CRM", "ERP", "POS", "VP", "GPS", "SSO", "US", "EU", "UK"),
    }
)


def contact(transcript: Transcript, roles: dict[str, str]) -> Speaker | None:
    """The main prospect: the first speaker the roles map calls a prospect."""
    prospects = [s for s in transcript.speakers if roles.get(s.key) == Role.PROSPECT]
    return prospects[0] if prospects else None


def company_size(view: CallView) -> int | None:
    """Headcount as stated ("about a hundred and forty people total"); totals win over teams,
    then a number given in answer to "how big is the company?"."""
    sizes: list[tuple[bool, int]] = []
    for turn in view.prospect_turns:
        for match in p.HEADCOUNT.finditer(turn.text):
            size = _headcount(turn.text, match)
            if size is not None:
                sizes.append(size)
    totals = [size for is_total, size in sizes if is_total]
    if totals:
        return totals[0]
    if sizes:
        return sizes[0][1]
    return _size_answer(view)


def _size_answer(view: CallView) -> int | None:
    """A bare number answering the rep's size question, preferring "overall" questions."""
    answers: list[tuple[bool, int]] = []
    for turn in view.prospect_turns:
        question = view.rep_context(turn.index)
        if not p.SIZE_QUESTION.search(question):
            continue
        counts = [a for a in find_amounts(turn.text) if a.value >= 2 and not a.currency]
        if counts:
            answers.append((bool(_TOTAL.search(question)), int(counts[0].value)))
    overall = [size for is_overall, size in answers if is_overall]
    return overall[0] if overall else (answers[0][1] if answers else None)


def _headcount(text: str, match: re.Match[str]) -> tuple[bool, int] | None:
    group = "number" if match.group("number") else "total"
    phrase = match.group(group)
    amounts = find_amounts(phrase)
    if not amounts:
        return None
    amount = amounts[-1] if group == "number" else amounts[0]
    if group == "number" and amount.end != len(phrase):
        return None  # "people" does not follow the number directly
    if group == "total" and amount.start != 0:
        return None  # "we're on ..." is not a headcount
    start = match.start(group) + amount.start
    if _PAST_SIZE.search(text[max(0, start - 20) : start]) or amount.value < 2:
        return None
    is_total = group == "total" or bool(_TOTAL.search(text[match.start() : match.end() + 25]))
    return is_total, int(amount.value)


def pain_points(pain: list[PainSentence], limit: int = 5) -> list[str]:
    points: list[str] = []
    for item in pain:
        phrase = short_phrase(item.sentence.text)
        if phrase and phrase not in points:
            points.append(phrase)
    return points[:limit]


def short_phrase(text: str, limit: int = 110) -> str:
    """A sentence without its conversational lead-in, cut at a clause if it runs long."""
    text = _LEAD_IN.sub("", text.strip()).strip()
    if len(text) > limit:
        cut = max(text.rfind(",", 0, limit), text.rfind(";", 0, limit))
        text = text[:cut] if cut > 40 else clip(text, limit)
    return text.rstrip(" ,;.")


def matching_sentences(view: CallView, pattern: re.Pattern[str], limit: int = 5) -> list[str]:
    found: list[str] = []
    for _turn, sentence in view.prospect_sentences():
        if pattern.search(p.norm(sentence.text)):
            phrase = short_phrase(sentence.text)
            if phrase and phrase not in found:
                found.append(phrase)
    return found[:limit]


def vendor_names(
    view: CallView, transcript: Transcript, cue: re.Pattern[str], limit: int = 8
) -> list[str]:
    """Capitalised product names soon after a cue like 'we use' or 'looked at'."""
    excluded = _excluded_names(transcript)
    names: list[str] = []
    for _turn, sentence in view.prospect_sentences():
        text = p.norm(sentence.text)
        for match in cue.finditer(text):
            after = text[match.end() :]
            for found in _NAME.finditer(after):
                name = found.group()
                if found.start() > 40:
                    break
                if _plausible_vendor(name, excluded) and name not in names:
                    names.append(name)
    return names[:limit]


def competitors(view: CallView, transcript: Transcript) -> list[str]:
    names = vendor_names(view, transcript, p.COMPETITOR_CUE)
    excluded = _excluded_names(transcript)
    names.extend(n for n in _answers_to_vendor_question(view, excluded) if n not in names)
    return names[:8]


def _answers_to_vendor_question(view: CallView, excluded: set[str]) -> list[str]:
    """'Ticketry. They're cheaper...' in reply to 'Who else have you looked at?'."""
    question = re.compile(
        r"anyone else|who else|other (?:tools|vendors|options)|looked at", re.IGNORECASE
    )
    found: list[str] = []
    for turn in view.prospect_turns:
        if not turn.sentences or not question.search(view.rep_context(turn.index)):
            continue
        first = turn.sentences[0].text.rstrip(".")
        if _NAME.fullmatch(first) and _plausible_vendor(first, excluded):
            found.append(first)
    return found


def _plausible_vendor(name: str, excluded: set[str]) -> bool:
    first = name.split()[0]
    return first not in _NOT_NAMES and name not in excluded and first not in excluded


def _excluded_names(transcript: Transcript) -> set[str]:
    """People and the two companies on the call are not vendors to compare with."""
    excluded: set[str] = set()
    for speaker in transcript.speakers:
        for value in (speaker.name, speaker.company):
            excluded.update(value.replace(",", " ").split())
            if value:
                excluded.add(value)
    return excluded


def tech_stack(view: CallView, transcript: Transcript) -> list[str]:
    tools = vendor_names(view, transcript, p.TECH_CUE)
    for turn in view.prospect_turns:
        for match in p.GENERIC_TOOLS.finditer(p.norm(turn.text)):
            generic = _GENERIC_NAMES.get(match.group().lower(), match.group().lower())
            if generic not in tools:
                tools.append(generic)
    return tools[:10]


def next_steps(view: CallView, limit: int = 3) -> str:
    """Follow-ups agreed near the end of the call (rep proposals and prospect commitments)."""
    turns = view.turns
    tail_start = int(len(turns) * 0.6)
    steps: list[str] = []
    for turn in turns[tail_start:]:
        if turn.index in view.injection_indexes or not (turn.is_rep or turn.is_prospect):
            continue
        steps.extend(_step_sentences(turn))
    unique = list(dict.fromkeys(steps))
    return " ".join(unique[:limit])


def _step_sentences(turn: Turn) -> list[str]:
    found = []
    for sentence in turn.sentences:
        text = p.norm(sentence.text)
        if p.NEXT_STEP.search(text) and p.WEEKDAY_OR_TIME.search(text) and "?" not in text:
            found.append(clip(sentence.text, 160))
    return found


def entities(
    transcript: Transcript,
    roles: dict[str, str],
    view: CallView,
    budget: tuple[float | None, str | None],
    timeline_text: str | None,
) -> dict[str, Any]:
    person = contact(transcript, roles)
    amount, currency = budget
    return {
        "contact_name": (person.name or None) if person else None,
        "contact_email": (person.email or None) if person else None,
        "company": (person.company or None) if person else None,
        "job_title": (person.title or None) if person else None,
        "budget_amount": _number(amount),
        "currency": currency if amount is not None else None,
        "timeline_text": timeline_text,
        "company_size": company_size(view),
        "tech_stack": tech_stack(view, transcript),
    }


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value
