"""Stored files follow their rows: deleting a recording, or the call it belongs to, deletes the
stored object, and a replaced voice sample's old file goes too.

A cascade from a deleted call offers no hook but signals. The object is deleted once the
transaction commits, so a rolled-back delete keeps its file. A storage that fails then leaves
an orphan object, logged by name for clean-up, and never fails the request that deleted the row.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.signals import post_delete, pre_save
from django.dispatch import receiver

from calls.models import Recording, RepVoiceSample
from calls.storage import StorageUnavailable, stored_file_delete

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Recording, dispatch_uid="recording_file_delete")
@receiver(post_delete, sender=RepVoiceSample, dispatch_uid="voice_sample_file_delete")
def _delete_stored_file(sender: type, instance: Recording | RepVoiceSample, **kwargs: Any) -> None:
    if instance.file and instance.file.name:
        _delete_on_commit(instance.file.storage, instance.file.name)


@receiver(pre_save, sender=RepVoiceSample, dispatch_uid="voice_sample_file_replace")
def _delete_replaced_voice_sample(sender: type, instance: RepVoiceSample, **kwargs: Any) -> None:
    if instance.pk is None:
        return
    old = RepVoiceSample.objects.filter(pk=instance.pk).values_list("file", flat=True).first()
    if old and old != instance.file.name:
        _delete_on_commit(instance.file.storage, old)


def _delete_on_commit(storage: Storage, name: str) -> None:
    def delete() -> None:
        try:
            stored_file_delete(storage, name)
        except StorageUnavailable as exc:
            logger.error("orphaned stored file %s: %s", name, exc.message)

    transaction.on_commit(delete)
