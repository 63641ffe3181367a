from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from calls.models import Call, SpeakerRole, Transcript
from leadscoring.models import Team
from scoring.models import LeadScore, PromptVersion
from tests.calls.factories import CallFactory, UserFactory

UTTERANCES = [
    (0.0, 4.0, "A", "Thanks for taking the call. How are you handling dispatch today?"),
    (4.5, 11.0, "B", "Dispatchers rebuild routes by hand every morning, it costs us three hours."),
    (11.5, 15.0, "A", "Who signs off on a purchase like this?"),
    (15.5, 21.0, "B", "I make the final call on tooling, nobody else."),
    (21.5, 25.0, "A", "Is there money set aside?"),
    (25.5, 31.0, "B", "We have forty thousand dollars approved for this quarter."),
    (31.5, 35.0, "A", "And when would you want it live?"),
    (35.5, 40.0, "B", "Before our April first launch, at the latest."),
]


def user_with_role(role: str, username: str | None = None, **kwargs: Any) -> Any:
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


def team_with(*, managers: list[Any], members: list[Any], name: str = "Team") -> Team:
    team = Team.objects.create(name=name)
    team.managers.add(*managers)
    team.members.add(*members)
    return team


def bant(**present: int) -> dict[str, Any]:
    """BANT with the given criteria present, each quoting the utterance index given."""
    out: dict[str, Any] = {}
    for name in ("budget", "authority", "need", "timeline"):
        i = present.get(name)
        if i is None:
            out[name] = {
                "present": False,
                "evidence": None,
                "utterance_index": None,
                "start_s": None,
            }
        else:
            start, _, _, text = UTTERANCES[i]
            out[name] = {"present": True, "evidence": text, "utterance_index": i, "start_s": start}
    return out


def transcript_for(call: Call) -> Transcript:
    utterances = [
        {"start_s": s, "end_s": e, "speaker_key": k, "channel": None, "text": t}
        for s, e, k, t in UTTERANCES
    ]
    SpeakerRole.objects.bulk_create(
        [
            SpeakerRole(call=call, speaker_key="A", role="rep", source="channel"),
            SpeakerRole(call=call, speaker_key="B", role="prospect", source="channel"),
        ]
    )
    return Transcript.objects.create(
        call=call, provider="fake", duration_s=40.0, utterances=utterances, full_text=""
    )


class LeadScoreFactory(DjangoModelFactory):
    class Meta:
        model = LeadScore

    call = factory.SubFactory(CallFactory, stage=Call.Stage.ROUTED)
    score = "warm"
    confidence = 0.55
    valid = True
    bant = factory.LazyFunction(lambda: bant(need=1, authority=3))
    engine = "rules"
    prompt_version = factory.LazyFunction(lambda: PromptVersion.objects.get(number=1))
    problems = factory.LazyFunction(list)
    routing = LeadScore.Routing.NEEDS_REVIEW
    routing_reasons = factory.LazyAttribute(
        lambda s: [
            *(["invalid engine output: " + "; ".join(s.problems)] if not s.valid else []),
            f"confidence {s.confidence} below threshold 0.7",
        ]
    )
    pain_points = factory.LazyFunction(lambda: ["routes rebuilt by hand"])
    competitors = factory.LazyFunction(lambda: ["RouteMax"])
    next_steps = "Send a proposal"
    entities = factory.LazyFunction(lambda: {"company": "Harlow Freight", "tech_stack": ["Excel"]})

    class Params:
        hot = factory.Trait(
            score="hot", bant=factory.LazyFunction(lambda: bant(need=1, authority=3, budget=5))
        )
        cold = factory.Trait(score="cold", bant=factory.LazyFunction(lambda: bant(need=1)))
        invalid = factory.Trait(
            score="",
            valid=False,
            problems=["budget: quote does not occur verbatim in any prospect utterance"],
        )
        auto = factory.Trait(routing=LeadScore.Routing.AUTO_APPROVED, routing_reasons=[])


def scored_call(*, rep: Any, tier: str = "warm", with_transcript: bool = True, **kw: Any) -> Call:
    """A routed call owned by ``rep`` with a transcript and a current score of ``tier``."""
    call = CallFactory(stage=Call.Stage.ROUTED, owner_rep=rep, contact_name="Denise Achterberg")
    if with_transcript:
        transcript_for(call)
    traits = {"hot": {"hot": True}, "cold": {"cold": True}, "invalid": {"invalid": True}}
    LeadScoreFactory(call=call, **traits.get(tier, {}), **kw)
    return call
