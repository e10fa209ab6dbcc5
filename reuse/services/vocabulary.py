"""What a query word may mean: the words items use, corrections of misspellings, synonyms.

- Vocabulary. Every word of four letters or more in an item's title or description is kept
  in `search_word` as items are listed and changed (remember). A query word whose stem no
  vocabulary word contains cannot find anything as typed: it is a misspelling of something,
  or of nothing.
- Misspellings. Such a word is compared with the vocabulary words of about its length by
  trigram similarity (text.similarity, pg_trgm's measure), without æ, ø and å on both sides;
  the closest few above a threshold are searched for as well. Short words need to be closer:
  one wrong letter in five is a different word ("kopp" is not "kopi"). PostgreSQL narrows the
  vocabulary with pg_trgm's `%` operator on a trigram index; SQLite reads the words of about
  the right length. Either way Python computes the similarity, so both give the same answer.
  A word the vocabulary knows is never corrected: "stol" stays "stol".
- Synonyms. reuse/data/synonyms.csv, loaded by `flask load-categories` (categories.
  load_defaults) and kept current by `run-jobs`, says per category which other words a
  word also finds there: "pc" finds "datamaskin" among IT equipment and "bærbar" among
  laptops, but not a "bærbar høyttaler".
  A synonym stands for one word of the query, never for the whole query.
- "Mente du …?" (suggestion): the query with each corrected word replaced by its closest
  vocabulary word, or, when a query finds few items, with a word replaced by a close
  vocabulary word that finds more.

Browse (items.search_items) and reuse checks (checks.rank) both match through terms() and
text.Term, so the two find the same items for the same words.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from reuse.extensions import db
from reuse.models import Category
from reuse.models.search import MAX_SEARCH_WORD, SearchSynonym, SearchWord
from reuse.services.text import (
    Term,
    ascii_fold,
    ascii_forms,
    content_words,
    fold,
    index_text,
    like_pattern,
    similarity,
    stem,
    words,
)

# Shorter words are never corrected (too many neighbours) and not kept in the vocabulary.
TYPO_MIN_LENGTH = 4
# A misspelt word is searched for as at most this many vocabulary words.
MAX_CORRECTIONS = 3
# Fewer hits than this and a search looks for a better word to suggest.
FEW_HITS = 3
# Each word looked up costs a scan of the vocabulary: a query or need corrects its first few
# words only, so no request (200-character queries, 500-character needs) makes hundreds.
MAX_CORRECTED_WORDS = 4


def _threshold(word: str) -> float:
    """How alike (text.similarity) a vocabulary word must be to correct this word to it.

    Set on the search-quality set (tests/search_quality.py): a letter wrong, missing or extra
    in a word of eight gives about 0.5-0.6, a different word of the same length below 0.4.
    """
    return 0.6 if len(word) <= 5 else 0.45


def _length_gap(word: str) -> int:
    return 1 if len(word) <= 5 else 2


def vocabulary_words(*parts: str) -> set[str]:
    return {word for word in words(" ".join(parts))
            if word.isalpha() and TYPO_MIN_LENGTH <= len(word) <= MAX_SEARCH_WORD}


def remember(*parts: str) -> None:
    """Add the words of an item's title and description that the vocabulary lacks."""
    new = vocabulary_words(*parts)
    if not new:
        return
    new -= set(db.session.scalars(select(SearchWord.word).where(SearchWord.word.in_(new))))
    if not new:
        return
    insert = (postgresql_insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite_insert)
    # Two listings with the same new word may be saved at once: the second adds nothing.
    db.session.execute(insert(SearchWord).values([
        {"word": word, "folded": ascii_fold(word), "forms": index_text(word)}
        for word in sorted(new)]).on_conflict_do_nothing())


def _is_known(stemmed: str) -> bool:
    """Whether some vocabulary word has the stem in it (text.matches_term's rule)."""
    if len(stemmed) < TYPO_MIN_LENGTH:
        return True
    return db.session.scalar(
        select(SearchWord.word).where(SearchWord.forms.like(like_pattern(stemmed), escape="\\"))
        .limit(1)) is not None


def neighbours(word: str, limit: int = MAX_CORRECTIONS) -> list[str]:
    """The vocabulary words most like this word, closest first: none for a short word, or
    for one with digits or other signs (a model number or code is meant as typed)."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
        return []
    folded = ascii_fold(word)
    gap = _length_gap(folded)
    query = select(SearchWord.word, SearchWord.folded).where(
        func.length(SearchWord.folded).between(len(folded) - gap, len(folded) + gap),
        SearchWord.folded != folded)
    if db.session.get_bind().dialect.name == "postgresql":
        # pg_trgm's % (similarity above 0.3, below every threshold here) uses the trigram index.
        query = query.where(SearchWord.folded.op("%")(folded))
    scored = [(similarity(folded, other), candidate)
              for candidate, other in db.session.execute(query)]
    threshold = _threshold(folded)
    return [candidate for score, candidate in sorted(scored, key=lambda s: (-s[0], s[1]))
            if score >= threshold][:limit]


def _subtrees() -> dict[int, frozenset[int]]:
    children: dict[int | None, list[int]] = {}
    for category_id, parent_id in db.session.execute(select(Category.id, Category.parent_id)):
        children.setdefault(parent_id, []).append(category_id)

    def below(category_id: int) -> frozenset[int]:
        found = {category_id}
        for child in children.get(category_id, []):
            found |= below(child)
        return frozenset(found)

    return {category_id: below(category_id) for ids in children.values() for category_id in ids}


def _keys(word: str) -> set[str]:
    stemmed = stem(fold(word))
    return {stemmed, *ascii_forms(stemmed)}


def terms(query: str) -> list[Term]:
    """The query's words as Terms: each with its corrections if misspelt, and its synonyms."""
    by_stem: dict[str, str] = {}
    for word in content_words(query):
        by_stem.setdefault(stem(word), word)
    if not by_stem:
        return []
    synonyms = db.session.execute(
        select(SearchSynonym.category_id, SearchSynonym.word, SearchSynonym.finds)).all()
    subtrees: dict[int, frozenset[int]] | None = None
    result, looked_up = [], 0
    for stemmed, word in by_stem.items():
        corrections: tuple[str, ...] = ()
        if len(stemmed) >= TYPO_MIN_LENGTH and looked_up < MAX_CORRECTED_WORDS:
            looked_up += 1
            corrections = () if _is_known(stemmed) else tuple(neighbours(word))
        stems = tuple(dict.fromkeys([stemmed, *(stem(each) for each in corrections)]))
        keys = {key for each in (word, *corrections) for key in _keys(each)}
        scoped: dict[tuple[str, frozenset[int]], None] = {}
        for category_id, synonym, finds in synonyms:
            if keys.isdisjoint(_keys(synonym)):
                continue
            subtrees = subtrees if subtrees is not None else _subtrees()
            for found in finds.split():
                scoped[(stem(fold(found)), subtrees.get(category_id, frozenset()))] = None
        result.append(Term(word=word, stems=stems, scoped=tuple(scoped),
                           corrections=corrections))
    return result


def suggestion(query: str, query_terms: Iterable[Term], hits: int,
               count: Callable[[str], int]) -> str | None:
    """"Mente du …?": the query with better words, or None.

    A misspelt word is always replaced by its closest vocabulary word (what it was searched
    as); when the search found fewer than FEW_HITS items, a word the vocabulary knows is
    replaced by a close one too. Offered only if `count` (hits for a query) finds more with
    it, or as many when a misspelling was corrected: never a suggestion that finds nothing.
    """
    replacements: dict[str, str] = {}
    corrected = False
    for term in query_terms:
        if term.corrections:
            replacements[term.word] = term.corrections[0]
            corrected = True
        elif hits < FEW_HITS:
            stemmed = stem(term.word)
            # A word that has the query word in it is found already; not a better word.
            better = [each for each in neighbours(term.word) if stemmed not in each]
            if better:
                replacements[term.word] = better[0]
    if not replacements:
        return None
    suggested = re.sub(r"\w+", lambda m: _replaced(m.group(), replacements), query)
    found = count(suggested)
    if found > hits or (corrected and found):
        return suggested
    return None


def _replaced(word: str, replacements: dict[str, str]) -> str:
    """The word's replacement, capitalised as the word was ("Projektor" → "Prosjektor")."""
    replacement = replacements.get(fold(word))
    if replacement is None:
        return word
    return replacement.capitalize() if word[:1].isupper() else replacement


def load_synonyms() -> int:
    """Make the synonyms of reuse/data/synonyms.csv current: add the missing, update the
    changed, for the categories the database has (a category not loaded, or renamed, gets
    none). Rows added by other means are left alone. Returns how many rows changed.

    Idempotent and cheap: `load-categories`, `seed-demo` and every `run-jobs` call it, so an
    upgraded database gets the synonyms a new release ships without a manual step."""
    with resources.files("reuse.data").joinpath("synonyms.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    categories = dict(db.session.execute(select(Category.slug, Category.id)).all())
    existing = {(synonym.category_id, synonym.word): synonym
                for synonym in db.session.scalars(select(SearchSynonym))}
    changed = 0
    for row in rows:
        category_id = categories.get(row["category"])
        if category_id is None:
            continue
        word, finds = fold(row["word"]), " ".join(fold(row["finds"]).split())
        synonym = existing.get((category_id, word))
        if synonym is None:
            db.session.add(SearchSynonym(category_id=category_id, word=word, finds=finds))
        elif synonym.finds != finds:
            synonym.finds = finds
        else:
            continue
        changed += 1
    db.session.flush()
    return changed
