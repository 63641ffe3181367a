from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from leadscoring.exceptions import ApplicationError
from scoring.models import CoachingComment
from scoring.services.coaching import coaching_comment_add, coaching_reply_add
from tests.scoring.factories import scored_call

pytestmark = pytest.mark.django_db


def test_comment_outside_the_call_or_empty_is_refused(people):
    call = scored_call(rep=people.rep)
    with pytest.raises(ApplicationError, match="outside the call"):
        coaching_comment_add(call=call, actor=people.manager, at_s=300.0, text="late")
    with pytest.raises(ApplicationError, match="needs some text"):
        coaching_comment_add(call=call, actor=people.manager, at_s=3.0, text=" ")
    assert not CoachingComment.objects.exists()


def test_reps_reply_but_do_not_start_threads(people):
    call = scored_call(rep=people.rep)
    with pytest.raises(PermissionDenied):
        coaching_comment_add(call=call, actor=people.rep, at_s=3.0, text="me")
    comment = coaching_comment_add(
        call=call, actor=people.manager, at_s=12.25, text="Ask about budget here"
    )
    reply = coaching_reply_add(comment=comment, actor=people.rep, text="Will do")
    nested = coaching_reply_add(comment=reply, actor=people.manager, text="Good")
    assert reply.parent == comment and nested.parent == comment  # one level of replies
    assert reply.at_s == 12.25
    with pytest.raises(PermissionDenied):
        coaching_reply_add(comment=comment, actor=people.rep2, text="not my call")
