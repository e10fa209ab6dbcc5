"""Norwegian-aware text folding and stemming for search.

Words are case-folded, a few foreign accents folded (é→e) while æ, ø and å stay letters of
their own, and reduced to their Snowball Norwegian stem, so "stolene", "stoler" and "stol"
find each other. Matching is by substring of stems, so "stol" also finds the compound
"kontorstol" — the way Norwegian builds words.
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


def query_terms(query: str) -> list[str]:
    """The stems to look for, one per distinct word of the query."""
    return list(dict.fromkeys(stem(word) for word in words(query)))


def like_pattern(term: str) -> str:
    """A LIKE pattern (escape character '\\') matching the term inside indexed text."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if len(term) < MIN_SUBSTRING_TERM:
        return f"% {escaped}%"
    return f"%{escaped}%"
