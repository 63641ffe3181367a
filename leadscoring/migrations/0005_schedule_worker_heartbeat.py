from django.db import migrations


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="worker-heartbeat",
        defaults={
            "func": "leadscoring.tasks.worker_heartbeat",
            "schedule_type": "I",
            "minutes": 1,
            "repeats": -1,
            # A success a minute would crowd real task results out of save_limit; failures stay.
            "kwargs": "{'q_options': {'save': False}}",
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="worker-heartbeat").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_worker_heartbeat"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
