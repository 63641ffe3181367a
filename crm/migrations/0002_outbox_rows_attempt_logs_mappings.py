import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0003_final_tier_decision"),
        ("crm", "0001_initial"),
        ("scoring", "0002_seed_default_prompt"),
    ]

    operations = [
        migrations.AddField(
            model_name="crmtarget",
            name="client_id_env",
            field=models.CharField(
                blank=True,
                help_text="Salesforce only: name of the environment variable holding the client id.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="crmtarget",
            name="base_url",
            field=models.URLField(
                blank=True,
                help_text="Webhook: the URL to POST to. HubSpot/Salesforce: blank uses HUBSPOT_API_URL / SALESFORCE_INSTANCE_URL.",
            ),
        ),
        migrations.AlterField(
            model_name="crmtarget",
            name="credentials_env",
            field=models.CharField(
                blank=True,
                help_text="Name of the environment variable holding the secret (HubSpot token, Salesforce client secret, webhook signing secret); never the secret itself.",
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="fieldmapping",
            name="max_length",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Text longer than the property's limit is cut to it.",
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="fieldmapping",
            name="score_field",
            field=models.CharField(
                choices=[
                    ("tier", "Tier"),
                    ("confidence", "Confidence"),
                    ("reasoning", "Reasoning"),
                    ("summary", "Summary"),
                    ("bant_budget", "BANT budget"),
                    ("bant_authority", "BANT authority"),
                    ("bant_need", "BANT need"),
                    ("bant_timeline", "BANT timeline"),
                    ("pain_points", "Pain Points"),
                    ("buying_signals", "Buying Signals"),
                    ("next_steps", "Next Steps"),
                    ("call_url", "link to the call"),
                ],
                max_length=64,
            ),
        ),
        migrations.DeleteModel(
            name="SyncAttempt",
        ),
        migrations.CreateModel(
            name="SyncAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("tier", models.CharField(max_length=8)),
                (
                    "payload",
                    models.JSONField(help_text="What is sent, fixed when the tier was decided."),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Pending"),
                            ("sending", "Sending"),
                            ("retrying", "Retrying"),
                            ("succeeded", "Succeeded"),
                            ("dead", "Dead"),
                            ("superseded", "superseded by a newer decision"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=16,
                    ),
                ),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                ("claimed_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("failure_kind", models.CharField(blank=True, max_length=32)),
                (
                    "progress",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Steps already done (contact id, fields, note id) so a retry never repeats one.",
                    ),
                ),
                ("idempotency_key", models.CharField(max_length=100, unique=True)),
                ("succeeded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "call",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="syncs",
                        to="calls.call",
                    ),
                ),
                (
                    "score",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="syncs",
                        to="scoring.leadscore",
                    ),
                ),
                (
                    "target",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="syncs",
                        to="crm.crmtarget",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="SyncLog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("duration_ms", models.PositiveIntegerField()),
                ("outcome", models.CharField(max_length=32)),
                ("http_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("summary", models.TextField(blank=True)),
                (
                    "sync",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="logs",
                        to="crm.syncattempt",
                    ),
                ),
            ],
            options={
                "ordering": ["-started_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="syncattempt",
            index=models.Index(
                condition=models.Q(("status__in", ["pending", "retrying", "sending"])),
                fields=["status", "next_attempt_at"],
                name="sync_due_idx",
            ),
        ),
    ]
