"""PostgreSQL: refuse UPDATE and DELETE of audit rows at the database, so not even a bug
or a shell session inside the app can rewrite history. (TRUNCATE stays possible for the
database owner: the test runner empties tables with it; production grants the app role
no TRUNCATE, see docs/deployment.md.) SQLite, the local demo database, has no trigger."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditentry is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_no_change ON audit_auditentry;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_no_change ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_append_only();
"""

def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
