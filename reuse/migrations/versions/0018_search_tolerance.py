"""Tolerant search: words typed without æ, ø and å are indexed, a vocabulary of the words
items use (for correcting misspellings) and synonyms per category.

Revision ID: 0018_search_tolerance
Revises: 0017_decline_reasons
Create Date: 2026-12-03

Every item's search text and lexemes are computed again, now with each word also as typed
without æ, ø and å, and the vocabulary is filled from the items' titles and descriptions.
What this migration computes is frozen here (a copy of reuse.services.text as it was when it
was written): a later change to the application's search must not change what an old
migration does. The synonyms are data, loaded by `flask load-categories`.

On PostgreSQL, pg_trgm gives the trigram indexes the vocabulary is searched with (the
similarity of a misspelling to the words, and LIKE for whether a word is known at all).
"""
import re

from alembic import op
import snowballstemmer
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_search_tolerance'
down_revision = '0017_decline_reasons'
branch_labels = None
depends_on = None

MIN_SUBSTRING_TERM = 3
WORD_START = "^"
VOCABULARY_MIN_LENGTH = 4
VOCABULARY_MAX_LENGTH = 60
_WORD = re.compile(r"\w+", re.UNICODE)
_FOLD = str.maketrans({
    "é": "e", "è": "e", "ê": "e", "ë": "e", "á": "a", "à": "a", "â": "a", "ó": "o",
    "ò": "o", "ô": "o", "ú": "u", "ü": "u", "í": "i", "ö": "ø", "ä": "æ", "ß": "ss",
})
_ONE_LETTER = str.maketrans({"æ": "a", "ø": "o", "å": "a"})
_TWO_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_stemmer = snowballstemmer.stemmer("norwegian")


def words(text):
    return _WORD.findall(text.casefold().translate(_FOLD))


def ascii_forms(word):
    if set("æøå").isdisjoint(word):
        return ()
    return tuple(dict.fromkeys((word.translate(_ONE_LETTER), word.translate(_TWO_LETTERS))))


def index_text(*parts):
    tokens = []
    for word in words(" ".join(parts)):
        for form in dict.fromkeys((word, _stemmer.stemWord(word))):
            tokens.append(form)
            tokens.extend(ascii_forms(form))
    return f" {' '.join(dict.fromkeys(tokens))} "


def lexemes(indexed):
    entries = {}
    for word in indexed.split():
        entries[WORD_START + word] = None
        for start in range(len(word) - MIN_SUBSTRING_TERM + 1):
            entries[word[start:]] = None
    return " ".join(entries)


def vocabulary_words(*parts):
    return {word for word in words(" ".join(parts))
            if word.isalpha() and VOCABULARY_MIN_LENGTH <= len(word) <= VOCABULARY_MAX_LENGTH}


def upgrade():
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    search_word = op.create_table('search_word',
    sa.Column('word', sa.String(length=60), nullable=False),
    sa.Column('folded', sa.String(length=60), nullable=False),
    sa.Column('forms', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )
    op.create_table('search_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('word', sa.String(length=60), nullable=False),
    sa.Column('finds', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_search_synonym_category_id_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonym')),
    sa.UniqueConstraint('category_id', 'word', name=op.f('uq_search_synonym_category_id'))
    )
    with op.batch_alter_table('search_synonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_synonym_category_id'), ['category_id'], unique=False)
    if postgresql:
        # The operator class by its schema: pg_trgm may live in another schema than ours
        # (installed once per database), outside the search path.
        schema = connection.scalar(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"))
        for column in ("folded", "forms"):
            op.execute(f'CREATE INDEX ix_search_word_{column}_trgm ON search_word '
                       f'USING gin ({column} "{schema}".gin_trgm_ops)')

    item = sa.table('item', sa.column('id', sa.Integer), sa.column('title', sa.Text),
                    sa.column('description', sa.Text),
                    sa.column('location_address', sa.Text),
                    sa.column('location_building', sa.Text),
                    sa.column('location_room', sa.Text),
                    sa.column('search_text', sa.Text), sa.column('location_search', sa.Text),
                    sa.column('search_lexemes', sa.Text), sa.column('location_lexemes', sa.Text))
    vocabulary = set()
    rows = connection.execute(sa.select(
        item.c.id, item.c.title, item.c.description, item.c.location_address,
        item.c.location_building, item.c.location_room)).all()
    for item_id, title, description, address, building, room in rows:
        title, description = title or "", description or ""
        address, building, room = address or "", building or "", room or ""
        search_text = index_text(title, description, address, building, room)
        location_search = index_text(address, building, room)
        connection.execute(item.update().where(item.c.id == item_id).values(
            search_text=search_text, location_search=location_search,
            search_lexemes=lexemes(search_text), location_lexemes=lexemes(location_search)))
        vocabulary |= vocabulary_words(title, description)
    if vocabulary:
        op.bulk_insert(search_word, [
            {"word": word, "folded": word.translate(_ONE_LETTER), "forms": index_text(word)}
            for word in sorted(vocabulary)])


def downgrade():
    # The items keep their index text with the folded forms: 0007's search finds a little
    # more with them, nothing less.
    with op.batch_alter_table('search_synonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_synonym_category_id'))
    op.drop_table('search_synonym')
    op.drop_table('search_word')
