"""``manage.py crm_setup hubspot``: create the custom properties the field mappings write to."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crm.adapters import CrmConfigError, get_crm_adapter
from crm.models import CrmTarget
from crm.services.targets import property_specs


class Command(BaseCommand):
    help = "Create missing custom CRM properties for the mapped score fields (safe to re-run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[CrmTarget.Kind.HUBSPOT])
        parser.add_argument("--target", help="Target name (default: every enabled one of KIND).")

    def handle(self, *args: Any, kind: str, target: str | None, **options: Any) -> None:
        targets = CrmTarget.objects.filter(kind=kind)
        targets = targets.filter(name=target) if target else targets.filter(enabled=True)
        if not targets:
            raise CommandError(
                f"no {'target named ' + repr(target) if target else 'enabled'} {kind} target"
            )
        failed = 0
        for crm_target in targets:
            try:
                adapter = get_crm_adapter(crm_target)
            except CrmConfigError as exc:
                raise CommandError(str(exc)) from exc
            for outcome in adapter.ensure_schema(property_specs(target=crm_target)):
                self.stdout.write(
                    f"{crm_target.name}: {'ok' if outcome.ok else 'FAILED'} {outcome.detail}"
                )
                failed += not outcome.ok
        if failed:
            raise CommandError(
                f"{failed} propert{'y' if failed == 1 else 'ies'} could not be created"
            )
