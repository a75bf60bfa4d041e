"""Create the "Editors" group: staff who change content and read history and reports, nothing else."""

from django.db import migrations

CONTENT_MODELS = [
    "guide", "cause", "facet", "symptom", "fixstep", "causefix", "faqentry", "checklistitem",
    "question", "answer", "answereffect",
]  # fmt: skip


def create_editors(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        original, app_config.models_module = getattr(app_config, "models_module", None), True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    codenames = [f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "delete", "view")]
    codenames += ["view_resolution", "view_questionnaireevent"]
    permissions = Permission.objects.filter(content_type__app_label="guides", codename__in=codenames)
    editors.permissions.add(*permissions)
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="reversion"))


def remove_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("guides", "0002_resolution_fix_steps_and_events"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("reversion", "0002_add_index_on_version_for_content_type_and_db"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors, remove_editors)]
