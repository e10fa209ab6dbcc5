"""Index-backed word search, the same on PostgreSQL and SQLite.

Python decides what is indexed (reuse.services.text.lexemes: Snowball Norwegian stems and every
tail of every word, so compounds are found by their parts) and stores it in the item's
`search_lexemes` and `location_lexemes` columns. Each database indexes those lexemes as they
are and answers prefix queries over them:

- PostgreSQL: generated `tsvector` columns (array_to_tsvector, so no second parser or stemmer
  second-guesses the words) with GIN indexes, queried with `@@` and `'lexeme':*`; a second,
  partial index of listed items' words (0030) answers the catalogue;
- SQLite: an FTS5 table over the same columns, kept in step by triggers, queried with MATCH
  and `"lexeme"*`.

Both are created by migration 0007_fulltext_search.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import ColumnElement, Text, and_, bindparam, literal_column, or_, select, text
from sqlalchemy.dialects.postgresql import TSQUERY

from reuse.extensions import db
from reuse.models import Item
from reuse.services.text import Term, lexeme_prefix, like_pattern

Field = Literal["search", "location"]

# Objects the migration creates beside the models, which schema comparison must leave alone.
FTS_TABLE = "item_fts"
VECTOR_COLUMNS = {"search": "search_vector", "location": "location_vector"}
# PostgreSQL's trigram indexes on the vocabulary (migration 0018_search_tolerance).
TRIGRAM_INDEXES = {"ix_search_word_folded_trgm", "ix_search_word_forms_trgm"}
# PostgreSQL's index of listed items' words alone, which the catalogue's count reads
# (migration 0030_listed_search_index).
LISTED_SEARCH_INDEX = "ix_item_listed_search_vector"


def is_index_object(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to the full-text index rather than to the models."""
    if name is None:
        return False
    if type_ == "table":
        return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")
    if type_ == "column":
        return name in VECTOR_COLUMNS.values()
    if type_ == "index":
        return (name in {f"ix_item_{column}" for column in VECTOR_COLUMNS.values()}
                or name in TRIGRAM_INDEXES or name == LISTED_SEARCH_INDEX)
    return False


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def matches(field: Field, terms: Sequence[Term | str], *,
            every: bool = True) -> ColumnElement[bool]:
    """Items whose `field` has every term (or, with every=False, any term) in its words, as
    text.Term.matches decides: a term is there when one of its stems is, or one of its
    category-scoped synonyms is and the item is in that category.

    Plain strings are taken as exact stems. Every stem comes from text.query_terms or the
    vocabulary (word characters only), so nothing in one can be taken as query syntax.
    """
    terms = [Term.exact(term) if isinstance(term, str) else term for term in terms]
    if not terms:
        raise ValueError("matches() needs at least one term")
    if not any(term.scoped for term in terms):
        # One index question for the whole query: the common case, and the cheapest.
        return _having(field, [term.stems for term in terms], every=every)
    conditions = []
    for term in terms:
        alternatives = [_having(field, [term.stems])]
        by_categories: dict[frozenset[int], list[str]] = {}
        for stem, categories in term.scoped:
            by_categories.setdefault(categories, []).append(stem)
        for categories, stems in by_categories.items():
            alternatives.append(and_(Item.category_id.in_(sorted(categories)),
                                     _having(field, [tuple(stems)])))
        conditions.append(or_(*alternatives))
    return and_(*conditions) if every else or_(*conditions)


def _having(field: Field, groups: Sequence[Sequence[str]], *,
            every: bool = True) -> ColumnElement[bool]:
    """Items whose `field` has, for every group (or any, with every=False), one of its stems."""
    if _dialect() == "postgresql":
        joiner = " & " if every else " | "
        query = joiner.join(
            "(" + " | ".join(f"'{lexeme_prefix(stem)}':*" for stem in group) + ")"
            for group in groups)
        vector = literal_column(f"item.{VECTOR_COLUMNS[field]}")
        # The same test twice, on purpose. The index answers @@; but where the planner reads
        # rows instead (a common word: the first thousand matches come soonest in table
        # order), testing @@ costs ~8 µs a row and LIKE on the short index text ~1 µs, and
        # PostgreSQL tests the LIKE first and skips @@ for rows that fail it.
        indexed = Item.search_text if field == "search" else Item.location_search
        likes = [or_(*[indexed.like(like_pattern(stem), escape="\\") for stem in group])
                 for group in groups]
        return and_(and_(*likes) if every else or_(*likes),
                    vector.op("@@")(bindparam(None, query, type_=Text).cast(TSQUERY)))
    joiner = " AND " if every else " OR "
    query = f"{field}_lexemes : (" + joiner.join(
        "(" + " OR ".join(f'"{lexeme_prefix(stem)}"*' for stem in group) + ")"
        for group in groups) + ")"
    matching_ids = (select(literal_column("rowid")).select_from(text(FTS_TABLE))
                    .where(literal_column(FTS_TABLE).op("MATCH")(query)))
    return Item.id.in_(matching_ids)


def include_in_schema_comparison(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object hook: compare the models, not the index beside them."""
    return not is_index_object(name, type_)
