"""Norwegian-aware text folding and stemming for search.

Words are case-folded, a few foreign accents folded (é→e) while æ, ø and å stay letters of
their own, and reduced to their Snowball Norwegian stem, so "stolene", "stoler" and "stol"
find each other. Matching is by substring of stems, so "stol" also finds the compound
"kontorstol" — the way Norwegian builds words.

Typed without æ, ø and å. The index also holds each word with those letters written the two
ways a keyboard without them gives (ascii_forms: "kjøleskap" as "kjoleskap" and "kjoeleskap",
"bærbar" as "barbar" and "baerbar"), so "kjoleskap" and "motebord" find what they mean. Only
the index is folded, never the query: a query word that has æ, ø or å was typed on a keyboard
that has them and is looked for as written, so "på" or "år" never turn into "pa" or "ar" and
match "papir" or "arkiv".

A query word becomes a Term: its stem, plus what the vocabulary takes it to mean
(reuse.services.vocabulary: corrections of a misspelling, synonyms within a category). One
rule decides whether a term is in an item (Term.matches, in Python) and the full-text index
answers the same question (reuse.services.fulltext.matches).

The database answers these substring questions from a full-text index (see
reuse.services.fulltext): every tail of every word is indexed as a lexeme, so "does a word
contain `stol`" becomes the indexable "does a lexeme start with `stol`".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"\w+", re.UNICODE)
# Keep æ, ø, å intact (NFKD would turn å into a); fold what Norwegians type interchangeably.
_FOLD = str.maketrans({
    "é": "e", "è": "e", "ê": "e", "ë": "e", "á": "a", "à": "a", "â": "a", "ó": "o",
    "ò": "o", "ô": "o", "ú": "u", "ü": "u", "í": "i", "ö": "ø", "ä": "æ", "ß": "ss",
})
_stemmer = snowballstemmer.stemmer("norwegian")

# Shorter search terms match whole-word prefixes only; substring matching them finds noise.
MIN_SUBSTRING_TERM = 3


def fold(text: str) -> str:
    return text.casefold().translate(_FOLD)


@lru_cache(maxsize=10_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


# The two ways a word with æ, ø or å comes out of a keyboard without them.
_ONE_LETTER = str.maketrans({"æ": "a", "ø": "o", "å": "a"})
_TWO_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
NORWEGIAN_LETTERS = frozenset("æøå")


def ascii_forms(word: str) -> tuple[str, ...]:
    """The word as typed without æ, ø and å (none if it has none of them)."""
    if NORWEGIAN_LETTERS.isdisjoint(word):
        return ()
    return tuple(dict.fromkeys((word.translate(_ONE_LETTER), word.translate(_TWO_LETTERS))))


def ascii_fold(word: str) -> str:
    """The word with æ, ø, å as a, o, a: how vocabulary words are compared for likeness."""
    return word.translate(_ONE_LETTER)


def index_text(*parts: str) -> str:
    """The searchable form of some text, space-delimited on both ends: each word and its stem,
    and both as typed without æ, ø and å."""
    tokens: list[str] = []
    for word in words(" ".join(parts)):
        for form in dict.fromkeys((word, stem(word))):
            tokens.append(form)
            tokens.extend(ascii_forms(form))
    return f" {' '.join(dict.fromkeys(tokens))} "


# Words that say nothing about what is wanted: Norwegian function words (bokmål and nynorsk)
# and the phrases people use when describing a need. Numbers are dropped too.
STOP_WORDS = frozenset("""
og i jeg det at en et ei den til er som på de med han av ikke der så var meg seg men ett har
om vi min mitt mine ha hadde hun nå over da ved fra du ut sin sitt sine dem oss opp man kan
hans hvor eller hva skal selv her alle vil bli ble blitt kunne inn når være vært kom noen
noe ville dere deres kun ja etter ned skulle denne dette disse for deg si mot å hvorfor uten
hvordan ingen din ditt blir samme hvilken hvilke sånn mellom vår våre hver hvem hvis både
bare enn fordi før mange også slik begge siden eg ein eit ikkje kva kvar me no noko nokre
trenger trengs behov ønsker ønsker ønsket søker ser etter gjerne helst ca cirka stk stykk
stykker ny nye nytt vårt
""".split())  # noqa: SIM905  (a word list reads best as text)


def content_words(text: str) -> list[str]:
    return [word for word in words(text) if word not in STOP_WORDS and not word.isdigit()]


def query_terms(query: str) -> list[str]:
    """The stems to look for, one per distinct meaningful word of the query."""
    return list(dict.fromkeys(stem(word) for word in content_words(query)))


# Words that end the name of the thing a need asks for: what follows says what it is for or
# what it has ("projektor til møterom", "elevpulter med hev-senk").
QUALIFIER_WORDS = frozenset(
    ["til", "for", "i", "på", "med", "uten", "fra", "hos", "ved", "av", "under", "over", "mot"])


def split_need(need: str) -> tuple[str, str]:
    """A need as (the thing asked for, what qualifies it): "Projektor til møterom" is
    ("projektor", "til møterom"), "Skjermer 27 tommer" ("skjermer", "27 tommer"). All of it
    is the thing when no qualifier word or number follows a word of it."""
    need_words = words(need)
    for position, word in enumerate(need_words):
        if ((word in QUALIFIER_WORDS or word.isdigit())
                and content_words(" ".join(need_words[:position]))):
            return " ".join(need_words[:position]), " ".join(need_words[position:])
    return " ".join(need_words), ""


@dataclass(frozen=True)
class Term:
    """A query word and what it may be found as.

    `stems` are found in any item: the word's own stem and the stems of the vocabulary words
    a misspelling was corrected to. `scoped` are (stem, category ids) pairs found only in
    items of those categories: synonyms keep to the meaning they have in their category
    ("bærbar" is a PC among laptops, not among loudspeakers).
    """

    word: str
    stems: tuple[str, ...]
    scoped: tuple[tuple[str, frozenset[int]], ...] = ()
    corrections: tuple[str, ...] = ()  # the vocabulary words a misspelling was taken to be

    @classmethod
    def exact(cls, stemmed: str) -> Term:
        return cls(word=stemmed, stems=(stemmed,))

    def matches(self, indexed: str, category_id: int | None) -> bool:
        """Whether an item with this index text and category has the term."""
        return (any(matches_term(indexed, each) for each in self.stems)
                or any(category_id in categories and matches_term(indexed, each)
                       for each, categories in self.scoped))


def exact_terms(query: str) -> list[Term]:
    """The query's terms as written, with no correction or synonym."""
    return [Term.exact(each) for each in query_terms(query)]


def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of a single lower-case word: two spaces before it, one after."""
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() of two single lower-case words: shared trigrams over all."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second)


def all_match(terms: Collection[Term], indexed: str, category_id: int | None) -> bool:
    return all(term.matches(indexed, category_id) for term in terms)


def matches_term(indexed: str, term: str) -> bool:
    """Whether the term is in text already in index form: inside a word, or at the start of
    one for short terms. The full-text index answers the same question (see lexemes)."""
    if len(term) < MIN_SUBSTRING_TERM:
        return f" {term}" in indexed
    return term in indexed


def contains_pattern(term: str) -> str:
    """A LIKE pattern (escape character '\\') for text holding `term` anywhere, as typed."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape character '\\') for matches_term on text in index form."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(term) < MIN_SUBSTRING_TERM:
        return f"% {escaped}%"
    return f"%{escaped}%"


# Marks a lexeme that is a whole word, for the short terms that match word beginnings only.
WORD_START = "^"


def lexemes(indexed: str) -> str:
    """The full-text index entries for text in index form, space-separated.

    Each word once marked as a word start, and each of its tails at least MIN_SUBSTRING_TERM
    long: a term is in a word exactly when it begins one of that word's tails, so a prefix
    search for lexeme_prefix(term) finds what matches_term finds.
    """
    entries: dict[str, None] = {}
    for word in indexed.split():
        entries[WORD_START + word] = None
        for start in range(len(word) - MIN_SUBSTRING_TERM + 1):
            entries[word[start:]] = None
    return " ".join(entries)


def lexeme_prefix(term: str) -> str:
    """What an index entry starts with when the term matches there (see lexemes)."""
    return term if len(term) >= MIN_SUBSTRING_TERM else WORD_START + term
