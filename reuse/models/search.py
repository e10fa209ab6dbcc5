"""What search knows beyond the items: the words they use, and synonyms per category."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reuse.models.base import Base

MAX_SEARCH_WORD = 60


class SearchWord(Base):
    """A word that occurs in some item's title or description (reuse.services.vocabulary).

    Words are added as items are listed or changed and never removed: a word no listed item
    uses any more finds nothing and so suggests nothing, and keeping it avoids counting.
    """

    __tablename__ = "search_word"

    word: Mapped[str] = mapped_column(String(MAX_SEARCH_WORD), primary_key=True)
    # Without æ, ø, å (text.ascii_fold): what a misspelling is compared with, by trigrams.
    folded: Mapped[str] = mapped_column(String(MAX_SEARCH_WORD))
    # The word in index form (text.index_text): what a query stem is looked for in.
    forms: Mapped[str] = mapped_column(Text)


class SearchSynonym(Base):
    """Searching for `word` also finds items of the category (and below it) with a word of
    `finds`. Shipped in reuse/data/synonyms.csv and loaded with load-categories."""

    __tablename__ = "search_synonym"
    __table_args__ = (UniqueConstraint("category_id", "word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    word: Mapped[str] = mapped_column(String(MAX_SEARCH_WORD))
    finds: Mapped[str] = mapped_column(Text)  # words, space-separated


# The trigram indexes for PostgreSQL are created by migration 0018_search_tolerance; they are
# index objects beside the models (see reuse.services.fulltext.is_index_object).
