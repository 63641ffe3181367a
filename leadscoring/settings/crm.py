"""CRM sync. No target is configured by default; targets are rows an admin adds."""

from __future__ import annotations

from leadscoring.settings.env import env

CRM_SYNC_ENABLED = env.bool("CRM_SYNC_ENABLED", default=True)
