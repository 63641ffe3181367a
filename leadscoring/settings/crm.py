"""CRM sync. No target is configured by default; targets are rows an admin adds."""

from __future__ import annotations

from enum import Enum

from leadscoring.settings.env import env, env_to_enum


class MissingContact(Enum):
    CREATE = "create"
    REVIEW = "review"


CRM_SYNC_ENABLED = env.bool("CRM_SYNC_ENABLED", default=True)
# Every base URL is configurable so an adapter can be pointed at any server speaking the API.
HUBSPOT_API_URL = env.str("HUBSPOT_API_URL", default="https://api.hubapi.com")
# A HubSpot contact that does not exist yet: create it, or leave the sync dead for a person.
HUBSPOT_MISSING_CONTACT = env_to_enum(
    MissingContact, "HUBSPOT_MISSING_CONTACT", MissingContact.REVIEW
).value
# HubSpot's daily API limit resets at midnight in the account's time zone (Account settings).
HUBSPOT_ACCOUNT_TIME_ZONE = env.str("HUBSPOT_ACCOUNT_TIME_ZONE", default="UTC")
SALESFORCE_INSTANCE_URL = env.str("SALESFORCE_INSTANCE_URL", default="")
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="v63.0")
# REQUEST_LIMIT_EXCEEDED clears only as calls age out of Salesforce's rolling 24 h window.
SALESFORCE_LIMIT_BACKOFF_SECONDS = env.int("SALESFORCE_LIMIT_BACKOFF_SECONDS", default=3600)

CRM_SYNC_TIMEOUT_SECONDS = env.float("CRM_SYNC_TIMEOUT_SECONDS", default=15.0)
CRM_SYNC_MAX_ATTEMPTS = env.int("CRM_SYNC_MAX_ATTEMPTS", default=8)
CRM_SYNC_RETRY_BASE_SECONDS = env.float("CRM_SYNC_RETRY_BASE_SECONDS", default=30.0)
CRM_SYNC_RETRY_MAX_SECONDS = env.float("CRM_SYNC_RETRY_MAX_SECONDS", default=6 * 3600.0)
# A row claimed for sending longer than this is taken to belong to a dead worker.
CRM_SYNC_LEASE_SECONDS = env.int("CRM_SYNC_LEASE_SECONDS", default=300)
# Webhook hosts an admin allows even though they resolve to private/loopback addresses.
CRM_WEBHOOK_ALLOWED_HOSTS = env.list("CRM_WEBHOOK_ALLOWED_HOSTS", default=[])
