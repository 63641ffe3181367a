"""A person corrects speaker roles from the call page; the call is then scored again."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from calls.models import Call, SpeakerRole, Transcript
from calls.services.pipeline import stage_advance
from calls.services.speakers import speaker_role_correct
from leadscoring.audit import audit_record
from leadscoring.exceptions import ApplicationError

Stage = Call.Stage
# Stages at which the transcript exists and no worker is using the roles right now.
RESCORABLE = (Stage.TRANSCRIBED, Stage.SCORED, Stage.ROUTED, Stage.SYNCED, Stage.FAILED)


@transaction.atomic
def speaker_roles_correct_and_rescore(
    *, call: Call, roles: dict[str, str], actor: AbstractBaseUser | AnonymousUser
) -> list[str]:
    """Apply the changed roles (each audited) and queue a new score; returns the changed keys.

    The new score is a new LeadScore row: the old one is kept, no longer current.
    """
    if not actor.has_perm("calls.change_speakerrole"):
        raise PermissionDenied("Only managers can correct speaker roles.")
    call = Call.objects.select_for_update().get(id=call.id)
    transcript = Transcript.objects.filter(call=call).only("utterances").first()
    if transcript is None:
        raise ApplicationError("The call has no transcript yet.", code="no_transcript")
    if call.stage not in RESCORABLE:
        raise ApplicationError(
            f"The call is {call.stage} right now; correct the roles once that has finished.",
            code="busy",
        )
    known = {u.get("speaker_key") for u in transcript.utterances} - {None, ""}
    unknown = sorted(set(roles) - known)
    if unknown:
        raise ApplicationError(f"No speaker {', '.join(unknown)} in this call.", code="speaker")
    valid = set(SpeakerRole.Role.values)
    bad = sorted(r for r in roles.values() if r not in valid)
    if bad:
        raise ApplicationError(f"Unknown role(s): {', '.join(bad)}.", code="role")
    current = {r.speaker_key: r.role for r in SpeakerRole.objects.filter(call=call)}
    changed = sorted(k for k, role in roles.items() if current.get(k) != role)
    for key in changed:
        speaker_role_correct(call=call, speaker_key=key, role=roles[key], actor=actor)
    if changed:
        audit_record(
            action="call.rescore",
            target=call,
            actor=actor,
            before={"stage": call.stage},
            after={"stage": Stage.TRANSCRIBED, "corrected": changed},
            reason="speaker roles corrected",
        )
        if call.stage != Stage.TRANSCRIBED:
            stage_advance(
                call=call, to_stage=Stage.TRANSCRIBED, error="", failed_stage="", next_retry_at=None
            )
    return changed
