from django.db import migrations, models


def count_check_results(apps, schema_editor):
    """The sessions there are get their check results counted (Session.check_results)."""
    from onboarding.services.common import check_results_rebuild

    Organization = apps.get_model("onboarding", "Organization")
    for organization_id in Organization.objects.values_list("id", flat=True):
        check_results_rebuild(organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0014_audit_head"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="check_results",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(count_check_results, migrations.RunPython.noop),
    ]
