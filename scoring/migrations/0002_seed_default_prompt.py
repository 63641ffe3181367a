from django.db import migrations
from django.utils import timezone

from scoring.rubric import DEFAULT_RUBRIC


def seed(apps, schema_editor):
    PromptVersion = apps.get_model("scoring", "PromptVersion")
    if not PromptVersion.objects.exists():
        PromptVersion.objects.create(
            number=1,
            name="Default BANT rubric",
            status="active",
            rubric=DEFAULT_RUBRIC,
            activated_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
