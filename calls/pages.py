"""The call page's data, read in a fixed number of queries whatever the call's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Prefetch, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404

from calls.models import Call, Recording, SpeakerRole
from calls.selectors import call_list_visible_to
from crm.models import SyncAttempt
from leadscoring.models import AuditEvent
from leadscoring.roles import is_admin
from scoring.models import CoachingComment, Dispute, LeadScore, Review
from scoring.result import CRITERIA, SCORE_SCHEMA

ENTITY_KEYS: list[str] = SCORE_SCHEMA["properties"]["entities"]["required"]


@dataclass
class UtteranceRow:
    index: int
    start_s: float
    end_s: float
    speaker_key: str
    role: str
    text: str
    comments: list[CoachingComment] = field(default_factory=list)
    disputed_by: list[int] = field(default_factory=list)


@dataclass
class CallPage:
    call: Call
    recording: Recording | None
    speakers: list[SpeakerRole]
    utterances: list[UtteranceRow]
    score: LeadScore | None
    scores: list[LeadScore]
    reviews: list[Review]
    disputes: list[Dispute]
    comments: list[CoachingComment]
    syncs: list[SyncAttempt]
    audit: list[AuditEvent]

    @property
    def has_audio(self) -> bool:
        return bool(
            self.recording and self.recording.file and self.recording.kind == Recording.Kind.AUDIO
        )

    @property
    def open_dispute(self) -> Dispute | None:
        return next(
            (
                d
                for d in self.disputes
                if d.status == Dispute.Status.OPEN and self.score and d.score_id == self.score.id
            ),
            None,
        )

    @property
    def bant_rows(self) -> list[dict[str, Any]]:
        """The criteria in BANT order (PostgreSQL's jsonb does not keep the stored key order)."""
        if self.score is None:
            return []
        bant = self.score.bant
        names = [*(c for c in CRITERIA if c in bant), *(c for c in bant if c not in CRITERIA)]
        return [{"name": name, **(bant[name] or {})} for name in names]

    @property
    def entity_rows(self) -> list[tuple[str, Any]]:
        entities = self.score.entities if self.score else {}
        order = [*ENTITY_KEYS, *(k for k in entities if k not in ENTITY_KEYS)]
        return [(k, entities[k]) for k in order if entities.get(k) not in (None, "", [])]


def call_page_get(*, user: AbstractBaseUser | AnonymousUser, call_id: int) -> CallPage:
    """The call with everything its page shows; 404 when the user may not see it."""
    call = (
        call_list_visible_to(user=user)
        .select_related("owner_rep", "recording", "transcript", "final_tier_decided_by")
        .prefetch_related(
            Prefetch("speaker_roles", queryset=SpeakerRole.objects.order_by("speaker_key")),
            Prefetch(
                "scores",
                queryset=LeadScore.objects.select_related("prompt_version").defer(
                    "raw_request", "raw_response"
                ),
            ),
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer")),
            Prefetch(
                "disputes", queryset=Dispute.objects.select_related("raised_by", "decided_by")
            ),
            Prefetch(
                "coaching_comments",
                queryset=CoachingComment.objects.filter(parent=None)
                .select_related("author")
                .prefetch_related(
                    Prefetch("replies", queryset=CoachingComment.objects.select_related("author"))
                ),
            ),
        )
        .filter(id=call_id)
        .first()
    )
    if call is None:
        raise Http404("No such call.")
    scores = list(call.scores.all())
    disputes = list(call.disputes.all())
    comments = list(call.coaching_comments.all())
    return CallPage(
        call=call,
        recording=getattr(call, "recording", None),
        speakers=list(call.speaker_roles.all()),
        utterances=_utterance_rows(call, comments, disputes),
        score=next((s for s in scores if s.is_current), None),
        scores=scores,
        reviews=list(call.reviews.all()),
        disputes=disputes,
        comments=comments,
        syncs=list(
            SyncAttempt.objects.filter(score__call=call)
            .select_related("target")
            .order_by("-created_at")[:50]
        ),
        audit=_audit(call, scores, disputes),
    )


def _utterance_rows(
    call: Call, comments: list[CoachingComment], disputes: list[Dispute]
) -> list[UtteranceRow]:
    transcript = getattr(call, "transcript", None)
    if transcript is None:
        return []
    roles = {r.speaker_key: r.role for r in call.speaker_roles.all()}
    rows = [
        UtteranceRow(
            index=i,
            start_s=float(u.get("start_s") or 0.0),
            end_s=float(u.get("end_s") or 0.0),
            speaker_key=u.get("speaker_key") or "",
            role=roles.get(u.get("speaker_key") or "", SpeakerRole.Role.UNKNOWN),
            text=u.get("text", ""),
        )
        for i, u in enumerate(transcript.utterances)
    ]
    # A comment is marked on the line being spoken at its moment (or the last one before it).
    for comment in comments:
        row = _row_at(rows, comment.at_s)
        if row is not None:
            row.comments.append(comment)
    for dispute in disputes:
        for i in dispute.utterance_indexes:
            if 0 <= i < len(rows):
                rows[i].disputed_by.append(dispute.id)
    return rows


def _row_at(rows: list[UtteranceRow], at_s: float) -> UtteranceRow | None:
    found = None
    for row in rows:
        if row.start_s > at_s:
            break
        found = row
    return found or (rows[0] if rows else None)


def _audit(call: Call, scores: list[LeadScore], disputes: list[Dispute]) -> list[AuditEvent]:
    types = ContentType.objects.get_for_models(Call, LeadScore, Dispute)
    where = Q(content_type=types[Call], object_id=str(call.id))
    if scores:
        where |= Q(content_type=types[LeadScore], object_id__in=[str(s.id) for s in scores])
    if disputes:
        where |= Q(content_type=types[Dispute], object_id__in=[str(d.id) for d in disputes])
    return list(AuditEvent.objects.filter(where).select_related("actor")[:200])


def audit_events_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[AuditEvent]:
    """Audit records of calls (and their scores and disputes) the user may see; all for admins.

    Records about other things (prompt versions, settings) are for admins only.
    """
    events = AuditEvent.objects.all()
    if is_admin(user):
        return events
    visible = call_list_visible_to(user=user)
    as_text = Cast("id", output_field=CharField())
    types = ContentType.objects.get_for_models(Call, LeadScore, Dispute)
    return events.filter(
        Q(content_type=types[Call], object_id__in=visible.annotate(k=as_text).values("k"))
        | Q(
            content_type=types[LeadScore],
            object_id__in=LeadScore.objects.filter(call__in=visible)
            .annotate(k=as_text)
            .values("k"),
        )
        | Q(
            content_type=types[Dispute],
            object_id__in=Dispute.objects.filter(call__in=visible).annotate(k=as_text).values("k"),
        )
    )
