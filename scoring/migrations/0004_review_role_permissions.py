from django.db import migrations

# What each role may do with reviews, disputes and coaching comments.
ROLE_PERMISSIONS = {
    "Manager": [
        "view_review",
        "add_review",
        "view_dispute",
        "change_dispute",
        "view_coachingcomment",
        "add_coachingcomment",
    ],
    "Rep": ["view_review", "view_dispute", "add_dispute", "view_coachingcomment"],
    "Admin": [
        f"{verb}_{model}"
        for model in ("review", "dispute", "coachingcomment")
        for verb in ("view", "add", "change", "delete")
    ],
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations ran; the groups need them now.
    app_config = apps.get_app_config("scoring")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="scoring", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_review_dispute_coaching"),
        ("core", "0003_role_groups"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
