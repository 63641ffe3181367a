"""Coaching comments at a moment of a call, and the rep's replies to them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from calls.models import Call, Recording, Transcript
from leadscoring.exceptions import ApplicationError
from scoring.models import CoachingComment

User = AbstractBaseUser | AnonymousUser


def _duration(call: Call) -> float | None:
    recording = Recording.objects.filter(call=call).only("duration_s").first()
    if recording and recording.duration_s:
        return recording.duration_s
    transcript = Transcript.objects.filter(call=call).only("duration_s").first()
    return transcript.duration_s if transcript and transcript.duration_s else None


def coaching_comment_add(*, call: Call, actor: User, at_s: float, text: str) -> CoachingComment:
    """A manager comments on the moment ``at_s`` seconds into the call."""
    if not actor.has_perm("scoring.add_coachingcomment"):
        raise PermissionDenied("Only managers can add coaching comments.")
    text = text.strip()
    if not text:
        raise ApplicationError("A coaching comment needs some text.", code="text_required")
    duration = _duration(call)
    if at_s < 0 or (duration is not None and at_s > duration + 1):
        raise ApplicationError(
            f"{at_s:.1f}s is outside the call (0–{duration or 0:.0f}s).", code="bad_time"
        )
    return CoachingComment.objects.create(
        call=call, author=actor if actor.is_authenticated else None, at_s=at_s, text=text
    )


def coaching_reply_add(*, comment: CoachingComment, actor: User, text: str) -> CoachingComment:
    """The call's rep (or a manager) answers a comment; replies stay one level deep."""
    root = comment.parent or comment
    call = root.call
    if call.owner_rep_id != actor.pk and not actor.has_perm("scoring.add_coachingcomment"):
        raise PermissionDenied("Only the call's rep or a manager can reply.")
    text = text.strip()
    if not text:
        raise ApplicationError("A reply needs some text.", code="text_required")
    return CoachingComment.objects.create(
        call=call,
        parent=root,
        author=actor if actor.is_authenticated else None,
        at_s=root.at_s,
        text=text,
    )
