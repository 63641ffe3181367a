"""Two real qcluster processes on the configured broker (ORM, or Redis with REDIS_URL): a long
local transcription occupies the Whisper cluster while a CRM sync completes on the default one.
"""

from __future__ import annotations

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Task

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_path
from crm.models import CrmTarget, SyncAttempt
from crm.services.targets import property_specs
from leadscoring.settings.q2 import task_clusters
from scoring.services.decisions import call_final_tier_decide
from tests.clusters import cluster_env, long_recording, running_clusters, wait_for
from tests.conftest import DEV_CALLS
from tests.crm.factories import LeadScoreFactory, target
from tests.fakes.http_server import serve
from tests.fakes.hubspot import FakeHubSpot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
WHISPER_FIXTURES = DEV_CALLS.parent / "whisper"
# Tens of seconds of work even for tiny.en on an idle machine; the test is done with it long
# before that and kills the cluster.
LONG_RECORDING_SECONDS = 20 * 60


@pytest.fixture
def queues(settings, monkeypatch):
    """Through the broker (not inline), with local Whisper routed to its own cluster."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.Q_TASK_CLUSTERS = task_clusters("whisper")
    names = (settings.Q_CLUSTER["name"], settings.Q_WHISPER_CLUSTER)
    for name in names:
        get_broker(name).purge_queue()
    yield names
    for name in names:
        get_broker(name).purge_queue()


def test_a_crm_sync_completes_while_a_long_transcription_occupies_the_whisper_cluster(
    queues, tmp_path, tmp_path_factory
):
    default, whisper = queues
    short = call_ingest_path(
        path=WHISPER_FIXTURES / "stereo.ogg",
        meta=CallMetadata(source=Call.Source.CLI, channel_roles=("rep", "prospect")),
    ).call
    recording = long_recording(
        WHISPER_FIXTURES / "mono.ogg", tmp_path / "long.wav", seconds=LONG_RECORDING_SECONDS
    )
    long = call_ingest_path(path=recording, meta=CallMetadata(source=Call.Source.CLI)).call
    assert get_broker(whisper).queue_size() == 2 and get_broker(default).queue_size() == 0

    hubspot = FakeHubSpot(token="pat-1")
    contact_id = hubspot.add_contact("ann@example.com")
    env = cluster_env(
        TRANSCRIPTION_PROVIDER="whisper",
        WHISPER_MODEL="tiny.en",
        WHISPER_CACHE_DIR=str(tmp_path_factory.getbasetemp() / "whisper-clusters"),
        WHISPER_THREADS="2",
        Q_WORKERS="1",
        Q_WHISPER_WORKERS="1",
        SCORING_ENGINE="rules",
        LEADSCORING_DATA_DIR=str(tmp_path / "data"),
        CRM_TEST_SECRET="pat-1",
    )
    clusters = {"default": None, "whisper": whisper}
    with (
        serve(hubspot.handler) as hubspot_url,
        running_clusters(env, clusters, tmp_path / "logs") as logs,
    ):
        # The short call is transcribed first; its scoring and routing move to the default
        # cluster, and the Whisper worker takes the long one.
        wait_for(
            lambda: (
                Call.objects.filter(id=short.id, stage=Call.Stage.ROUTED).exists()
                and Call.objects.filter(id=long.id, stage=Call.Stage.TRANSCRIBING).exists()
            ),
            seconds=600,
            what="the short call routed and the long one transcribing",
            logs=logs,
        )

        hs = target(CrmTarget.Kind.HUBSPOT, base_url=hubspot_url)
        hubspot.add_properties(*(spec.name for spec in property_specs(target=hs)))
        decided = LeadScoreFactory(call__contact_email="ann@example.com").call
        call_final_tier_decide(call=decided, tier="hot", source="auto")
        wait_for(
            lambda: SyncAttempt.objects.filter(status=SyncAttempt.Status.SUCCEEDED).exists(),
            seconds=300,
            what="the CRM sync",
            logs=logs,
        )
        # Read after the sync succeeded: the transcription was still running when it did.
        long.refresh_from_db()
        whisper_log, default_log = logs["whisper"].read_text(), logs["default"].read_text()

    assert long.stage == Call.Stage.TRANSCRIBING and (long.progress or 0.0) < 1.0
    assert hubspot.contacts[contact_id]["properties"]["ai_lead_score"] == "hot"
    assert Call.objects.get(id=decided.id).stage == Call.Stage.SYNCED
    pipeline = [
        "calls.tasks.call_transcribe",
        *(f"scoring.tasks.call_{s}" for s in ("score", "route")),
    ]
    finished = set(
        Task.objects.filter(func__in=[*pipeline, "crm.tasks.sync_attempt_run"]).values_list(
            "func", "cluster"
        )
    )
    assert finished == {
        ("calls.tasks.call_transcribe", whisper),  # the short call's; the long one never ends
        ("scoring.tasks.call_score", default),
        ("scoring.tasks.call_route", default),
        ("crm.tasks.sync_attempt_run", default),
    }
    # Each process ran only its own queue's tasks, and only the default one runs schedules.
    assert "'calls.tasks.call_transcribe'" in whisper_log
    assert "'calls.tasks.call_transcribe'" not in default_log
    assert "'crm.tasks.sync_attempt_run'" in default_log
    assert "'scoring.tasks.call_score'" not in whisper_log
    assert "from schedule" not in whisper_log
