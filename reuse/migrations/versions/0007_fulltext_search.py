"""Full-text search: lexeme columns on items, indexed by tsvector + GIN or by FTS5.

Revision ID: 0007_fulltext_search
Revises: 0006_session_token
Create Date: 2026-12-01

The lexemes (every word marked, and every tail of every word) are computed in Python, so both
databases index exactly the same entries; see reuse/services/fulltext.py.

What this migration computes is frozen here (a copy of reuse.services.text.lexemes as it was
when it was written): a later change to the application's search must not change what an
old migration does. Never edit it; a new way of indexing is a new migration.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_fulltext_search'
down_revision = '0006_session_token'
branch_labels = None
depends_on = None

FIELDS = ("search", "location")
# Tails shorter than this are not indexed; a whole word is marked with WORD_START.
MIN_SUBSTRING_TERM = 3
WORD_START = "^"
# FTS5 keeps æ, ø, å and the word-start mark; the text is already case-folded and stemmed.
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 tokenchars '^_'"


def lexemes(indexed: str) -> str:
    """The full-text index entries for text in index form, space-separated: each word once
    marked as a word start, and each of its tails at least MIN_SUBSTRING_TERM long."""
    entries: dict[str, None] = {}
    for word in indexed.split():
        entries[WORD_START + word] = None
        for start in range(len(word) - MIN_SUBSTRING_TERM + 1):
            entries[word[start:]] = None
    return " ".join(entries)


def upgrade():
    with op.batch_alter_table('item', schema=None) as batch_op:
        for field in FIELDS:
            batch_op.add_column(sa.Column(f'{field}_lexemes', sa.Text(), server_default='',
                                          nullable=False))

    connection = op.get_bind()
    item = sa.table('item', sa.column('id', sa.Integer), sa.column('search_text', sa.Text),
                    sa.column('location_search', sa.Text),
                    sa.column('search_lexemes', sa.Text), sa.column('location_lexemes', sa.Text))
    rows = connection.execute(sa.select(item.c.id, item.c.search_text, item.c.location_search))
    for item_id, search_text, location_search in rows.all():
        connection.execute(item.update().where(item.c.id == item_id).values(
            search_lexemes=lexemes(search_text or ""),
            location_lexemes=lexemes(location_search or "")))

    if connection.dialect.name == "postgresql":
        for field in FIELDS:
            # The lexemes go in as they are: no parser or stemmer of PostgreSQL's own in between.
            op.execute(f"ALTER TABLE item ADD COLUMN {field}_vector tsvector GENERATED ALWAYS AS "
                       f"(array_to_tsvector(string_to_array({field}_lexemes, ' '))) STORED")
            op.execute(f"CREATE INDEX ix_item_{field}_vector ON item USING gin ({field}_vector)")
    else:
        op.execute("CREATE VIRTUAL TABLE item_fts USING fts5(search_lexemes, location_lexemes, "
                   f"content='item', content_rowid='id', tokenize=\"{FTS5_TOKENIZER}\")")
        # External-content FTS5: the triggers keep the index in step with the item rows.
        op.execute("""
            CREATE TRIGGER item_fts_insert AFTER INSERT ON item BEGIN
              INSERT INTO item_fts(rowid, search_lexemes, location_lexemes)
              VALUES (new.id, new.search_lexemes, new.location_lexemes);
            END""")
        op.execute("""
            CREATE TRIGGER item_fts_delete AFTER DELETE ON item BEGIN
              INSERT INTO item_fts(item_fts, rowid, search_lexemes, location_lexemes)
              VALUES ('delete', old.id, old.search_lexemes, old.location_lexemes);
            END""")
        op.execute("""
            CREATE TRIGGER item_fts_update AFTER UPDATE OF search_lexemes, location_lexemes
            ON item BEGIN
              INSERT INTO item_fts(item_fts, rowid, search_lexemes, location_lexemes)
              VALUES ('delete', old.id, old.search_lexemes, old.location_lexemes);
              INSERT INTO item_fts(rowid, search_lexemes, location_lexemes)
              VALUES (new.id, new.search_lexemes, new.location_lexemes);
            END""")
        op.execute("INSERT INTO item_fts(item_fts) VALUES ('rebuild')")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        for field in FIELDS:
            op.execute(f"DROP INDEX ix_item_{field}_vector")
            op.execute(f"ALTER TABLE item DROP COLUMN {field}_vector")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER item_fts_{trigger}")
        op.execute("DROP TABLE item_fts")
    for field in FIELDS:
        # Not a batch rebuild of item on SQLite (3.35 and later drop a column in place): the
        # rebuild drops the table, which its claims and photos refer to.
        op.execute(f"ALTER TABLE item DROP COLUMN {field}_lexemes")
