from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from django.urls import reverse

from calls.models import TranscriptionJob, VocabularyTerm
from tests.calls.factories import CallFactory

pytestmark = pytest.mark.django_db


def test_call_page_shows_its_transcription_jobs_but_never_the_callback_token(admin_client):
    call = CallFactory(stage="transcribing")
    job = TranscriptionJob.objects.create(
        call=call,
        provider="gladia",
        state="done",
        provider_job_id="6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11",
        callback_token=secrets.token_urlsafe(32),
        billing_seconds=180.0,
        cost=Decimal("0.0305"),
        warnings=["sentiment_analysis failed (500): unavailable"],
    )

    page = admin_client.get(reverse("admin:calls_call_change", args=[call.pk])).content.decode()
    detail = admin_client.get(reverse("admin:calls_transcriptionjob_change", args=[job.pk]))

    assert job.provider_job_id in page and "0.0305" in page and "sentiment_analysis" in page
    assert job.callback_token not in page
    assert detail.status_code == 200 and job.callback_token not in detail.content.decode()


def test_admin_adds_a_vocabulary_term_and_a_bad_intensity_is_refused(admin_client):
    url = reverse("admin:calls_vocabularyterm_add")
    form = {"value": "Gong", "kind": "competitor", "pronunciations": "[]", "active": "on"}

    bad = admin_client.post(url, {**form, "intensity": "3"})
    assert bad.status_code == 200 and "less than or equal to 1" in bad.content.decode()
    not_a_list = admin_client.post(url, {**form, "pronunciations": '"gong"'})
    assert "A list of words" in not_a_list.content.decode()
    assert not VocabularyTerm.objects.exists()

    admin_client.post(url, {**form, "intensity": "0.6"})
    assert VocabularyTerm.objects.get().intensity == 0.6
