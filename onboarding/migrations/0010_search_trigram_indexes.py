"""Trigram indexes for the session search, on PostgreSQL only.

The search is a case-insensitive substring match (`icontains`, which PostgreSQL runs as
UPPER(column) LIKE UPPER('%q%')): a GIN trigram index on UPPER(column) answers it without
reading every row. SQLite keeps the plain scan, so these indexes are not in the models' Meta.
"""

from django.db import migrations

INDEXES = [
    ("session_name_trgm", "onboarding_session", "name"),
    ("session_reference_trgm", "onboarding_session", "reference_id"),
    ("applicant_email_trgm", "onboarding_applicant", "email"),
    ("applicant_label_trgm", "onboarding_applicant", "label"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0009_invitation")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
