from __future__ import annotations

from calls.services.speakers import roles_decide
from calls.transcript import Speaker, Transcript, Utterance


def transcript(utterances, *, channels=1, speakers=()):
    return Transcript(
        provider="test",
        provider_job_id="1",
        languages=("en",),
        duration_s=60.0,
        channels=channels,
        utterances=tuple(utterances),
        speakers=tuple(speakers),
    )


def roles_of(decided):
    return {k: v[0] for k, v in decided.items()}


def test_stereo_speakers_map_by_channel_when_channel_roles_are_configured():
    t = transcript(
        [Utterance(0, 2, "ch1", 1, "Hello?"), Utterance(2, 4, "ch0", 0, "Hi, it's Sam from Acme.")],
        channels=2,
    )
    decided = roles_decide(t, channel_roles=["prospect", "rep"])
    assert roles_of(decided) == {"ch1": "rep", "ch0": "prospect"}
    assert {v[1] for v in decided.values()} == {"channel"}


def test_roles_stated_by_the_source_win_when_every_speaker_has_one():
    t = transcript(
        [Utterance(0, 2, "S1", 0, "What do you use today?"), Utterance(2, 4, "S2", 0, "Sheets.")],
        speakers=[Speaker("S1", role="prospect"), Speaker("S2", role="rep")],
    )
    assert roles_of(roles_decide(t, channel_roles=[])) == {"S1": "prospect", "S2": "rep"}


def test_mono_rep_is_the_one_asking_questions_when_nothing_else_is_known():
    t = transcript(
        [
            Utterance(0, 2, "0", 0, "Thanks for taking the call."),
            Utterance(2, 4, "1", 0, "Sure. What is this about?"),
            Utterance(4, 6, "0", 0, "How do you plan routes today? How many people?"),
            Utterance(6, 8, "0", 0, "And who signs off?"),
            Utterance(8, 10, "1", 0, "I do."),
        ]
    )
    decided = roles_decide(t, channel_roles=[])
    assert roles_of(decided) == {"0": "rep", "1": "prospect"}
    assert all(conf < 0.7 for _, _, conf in decided.values())  # a guess, so it goes to review


def test_single_speaker_is_unknown_when_there_is_no_one_to_contrast():
    t = transcript([Utterance(0, 5, "0", 0, "You've reached Dana, leave a message.")])
    assert roles_of(roles_decide(t, channel_roles=[])) == {"0": "unknown"}
