"""Full-text search on PostgreSQL only: a stored tsvector column generated from
`search_text` ('simple' config, the text is already folded to bare words) with a GIN
index. A stored vector matters: with an expression index every recheck and every row
filtered by another index recomputed to_tsvector over the whole body (6 s for a common
word at 200,000 documents). The model does not declare the column (SQLite has no
tsvector; PostgreSQL fills it itself), `queries._fts` names it. SQLite searches the
folded text with LIKE instead."""

from django.db import migrations

CREATE = [
    "ALTER TABLE documents_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS doc_search_vector ON documents_document "
    "USING gin (search_vector)",
]
DROP = [
    "DROP INDEX IF EXISTS doc_search_vector",
    "ALTER TABLE documents_document DROP COLUMN IF EXISTS search_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
