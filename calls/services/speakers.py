"""Mapping transcript speakers to rep / prospect / unknown, and correcting that mapping.

Precedence: a person's correction, then what the transcript source states, then the channel
configuration for stereo telephony, then a heuristic for mono (the rep asks the questions).
"""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from calls.models import Call, SpeakerRole
from calls.transcript import Role, Transcript
from leadscoring.audit import audit_record

HEURISTIC_CONFIDENCE = 0.6
# Below this, the call goes to review even if the score itself is confident.
ROLE_CONFIDENCE_FLOOR = 0.7


def speaker_roles_assign(*, call: Call, transcript: Transcript) -> dict[str, str]:
    """Write a SpeakerRole per speaker (keeping manual corrections) and return key -> role."""
    manual = {
        r.speaker_key: r.role
        for r in SpeakerRole.objects.filter(call=call, source=SpeakerRole.Source.MANUAL)
    }
    decided = roles_decide(transcript, channel_roles=call.channel_roles)
    SpeakerRole.objects.filter(call=call).exclude(source=SpeakerRole.Source.MANUAL).delete()
    SpeakerRole.objects.bulk_create(
        SpeakerRole(call=call, speaker_key=key, role=role, source=source, confidence=conf)
        for key, (role, source, conf) in decided.items()
        if key not in manual
    )
    return {**{k: v[0] for k, v in decided.items()}, **manual}


def _speaker_keys(transcript: Transcript) -> list[str]:
    keys = dict.fromkeys(u.speaker_key for u in transcript.utterances if u.speaker_key)
    return list(keys)


def roles_decide(
    transcript: Transcript, *, channel_roles: list[str] | tuple[str, ...]
) -> dict[str, tuple[str, str, float]]:
    """speaker_key -> (role, source, confidence), without touching the database."""
    keys = _speaker_keys(transcript)
    stated = {s.key: s.role for s in transcript.speakers if s.role in (Role.REP, Role.PROSPECT)}
    if keys and all(k in stated for k in keys):
        return {k: (stated[k], SpeakerRole.Source.PROVIDER, 1.0) for k in keys}
    if transcript.channels == 2 and channel_roles:
        by_channel = _by_channel(transcript, channel_roles)
        if by_channel:
            return by_channel
    return _by_questions(transcript, keys)


def _by_channel(
    transcript: Transcript, channel_roles: list[str] | tuple[str, ...]
) -> dict[str, tuple[str, str, float]]:
    decided: dict[str, tuple[str, str, float]] = {}
    for u in transcript.utterances:
        if u.speaker_key and u.channel is not None and u.channel < len(channel_roles):
            decided[u.speaker_key] = (channel_roles[u.channel], SpeakerRole.Source.CHANNEL, 1.0)
    return decided


def _by_questions(transcript: Transcript, keys: list[str]) -> dict[str, tuple[str, str, float]]:
    """Mono fallback: the speaker asking the most questions is the rep, the others prospects."""
    if len(keys) < 2:
        return {k: (Role.UNKNOWN, SpeakerRole.Source.HEURISTIC, 0.0) for k in keys}
    questions = Counter(
        u.speaker_key for u in transcript.utterances if u.text.rstrip().endswith("?")
    )
    # Ties go to whoever spoke first: outbound sales calls open with the rep.
    rep = max(keys, key=lambda k: (questions[k], -keys.index(k)))
    return {
        k: (
            Role.REP if k == rep else Role.PROSPECT,
            SpeakerRole.Source.HEURISTIC,
            HEURISTIC_CONFIDENCE,
        )
        for k in keys
    }


def roles_uncertain(call: Call) -> bool:
    return any(
        r.role == Role.UNKNOWN or r.confidence < ROLE_CONFIDENCE_FLOOR
        for r in call.speaker_roles.all()
    )


@transaction.atomic
def speaker_role_correct(
    *, call: Call, speaker_key: str, role: str, actor: AbstractBaseUser | AnonymousUser | None
) -> SpeakerRole:
    """A person sets a speaker's role, audited. Re-scoring is the caller's next step."""
    current = SpeakerRole.objects.filter(call=call, speaker_key=speaker_key).first()
    before = {"role": current.role, "source": current.source} if current else {}
    row, _ = SpeakerRole.objects.update_or_create(
        call=call,
        speaker_key=speaker_key,
        defaults={"role": role, "source": SpeakerRole.Source.MANUAL, "confidence": 1.0},
    )
    audit_record(
        action="speaker_role.correct",
        target=call,
        actor=actor,
        before=before,
        after={"speaker_key": speaker_key, "role": role},
    )
    return row
