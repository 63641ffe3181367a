from django.db import migrations


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="evaluation-batch-poll",
        defaults={
            "func": "scoring.tasks.evaluation_batches_poll",
            "schedule_type": "I",
            "minutes": 2,
            "repeats": -1,
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="evaluation-batch-poll").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_evaluation_cases_and_runs"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
