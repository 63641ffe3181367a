from django.db import migrations

# Permissions per role; Admin gets every permission of our apps.
ROLE_PERMISSIONS = {
    "Manager": [
        ("calls", "view_call"),
        ("calls", "change_call"),
        ("calls", "view_transcript"),
        ("calls", "view_recording"),
        ("calls", "view_speakerrole"),
        ("calls", "change_speakerrole"),
        ("scoring", "view_leadscore"),
        ("scoring", "view_promptversion"),
        ("core", "view_auditevent"),
        ("core", "view_team"),
    ],
    "Rep": [
        ("calls", "view_call"),
        ("calls", "view_transcript"),
        ("calls", "view_recording"),
        ("calls", "view_speakerrole"),
        ("scoring", "view_leadscore"),
    ],
}
ADMIN_APPS = ("calls", "scoring", "crm", "core", "django_q")


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                group.permissions.add(perm)
    admin, _ = Group.objects.get_or_create(name="Admin")
    admin.permissions.add(*Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_team"),
        ("calls", "0002_schedule_pipeline_sweep"),
        ("scoring", "0002_seed_default_prompt"),
        ("crm", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
