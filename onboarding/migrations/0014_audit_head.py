import django.db.models.deletion
from django.db import migrations, models


def copy_heads(apps, schema_editor):
    """Each organization's chain head, as its row kept it, moves to a row of its own."""
    Organization = apps.get_model("onboarding", "Organization")
    AuditHead = apps.get_model("onboarding", "AuditHead")
    AuditHead.objects.bulk_create(
        AuditHead(organization_id=org.id, sequence=org.audit_head_sequence, hash=org.audit_head_hash)
        for org in Organization.objects.filter(audit_head_sequence__gt=0)
    )


def copy_heads_back(apps, schema_editor):
    Organization = apps.get_model("onboarding", "Organization")
    AuditHead = apps.get_model("onboarding", "AuditHead")
    for head in AuditHead.objects.all():
        Organization.objects.filter(id=head.organization_id).update(
            audit_head_sequence=head.sequence, audit_head_hash=head.hash
        )


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0013_daily_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="audit_head",
                        serialize=False,
                        to="onboarding.organization",
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(blank=True, max_length=64)),
            ],
        ),
        migrations.RunPython(copy_heads, copy_heads_back),
        migrations.RemoveField(
            model_name="organization",
            name="audit_head_hash",
        ),
        migrations.RemoveField(
            model_name="organization",
            name="audit_head_sequence",
        ),
    ]
