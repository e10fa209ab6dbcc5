"""Norwegian-aware text folding and stemming for search.

Words are case-folded, a few foreign accents folded (é→e) while æ, ø and å stay letters of
their own, and reduced to their Snowball Norwegian stem, so "stolene", "stoler" and "stol"
find each other. Matching is by substring of stems, so "stol" also finds the compound
"kontorstol" — the way Norwegian builds words.

The database answers these substring questions from a full-text index (see
reuse.services.fulltext): every tail of every word is indexed as a lexeme, so "does a word
contain `stol`" becomes the indexable "does a lexeme start with `stol`".
"""

from __future__ import annotations

import re
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


def index_text(*parts: str) -> str:
    """The searchable form of some text: each word and its stem, space-delimited on both ends."""
    tokens: list[str] = []
    for word in words(" ".join(parts)):
        tokens.append(word)
        stemmed = stem(word)
        if stemmed != word:
            tokens.append(stemmed)
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


def matches_term(indexed: str, term: str) -> bool:
    """Whether the term is in text already in index form: inside a word, or at the start of
    one for short terms. The full-text index answers the same question (see lexemes)."""
    if len(term) < MIN_SUBSTRING_TERM:
        return f" {term}" in indexed
    return term in indexed


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
