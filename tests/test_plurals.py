"""A count in a sentence takes ngettext, so Norwegian reads "1 ledig annonse passet", never
"1 ledige annonser". This finds every _()/_l() message with a count placeholder instead."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "reuse"

COUNT = re.compile(r"%\((count|num|quantity|total|limit|available)\)s")
# _("…") or _l('…'), with adjacent string literals joined (Python's implicit concatenation).
MESSAGE = re.compile(r"""\b_l?\(\s*((?:(?:"[^"]*"|'[^']*')\s*)+)""")

# Messages with a count that need no plural form, and why.
ALLOWED = {
    # The noun belongs to the limit, not the count: "1 av 3 åpne forespørsler".
    "%(count)s av %(limit)s åpne forespørsler.",
    "Du har %(count)s av %(limit)s åpne forespørsler.",
    "%(count)s av høyst %(limit)s bilder.",
    # Only said when the count has reached the limit, which is more than one.
    "Du har %(active)s av %(limit)s aktive ønsker.",
    "Du har %(active)s av %(limit)s aktive ønsker, som er det meste én person kan ha. Avslutt et "
    "ønske du ikke trenger lenger før du legger inn et nytt.",
    # No noun or adjective follows the count: "Bilder (3)", "5 av 8".
    "Bilder (%(count)s)",
    "Venter på svar (%(count)s)",
    "%(available)s av %(total)s",
    "%(quantity)s × «%(title)s» fra %(unit)s",
}


def _messages():
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html"), *PACKAGE.rglob("*.txt")]:
        if "translations" in path.parts or "migrations" in path.parts:
            continue
        for found in MESSAGE.finditer(path.read_text(encoding="utf-8")):
            literals = re.findall(r""""([^"]*)"|'([^']*)'""", found.group(1))
            yield path.relative_to(PACKAGE.parent), "".join(a or b for a, b in literals)


def test_every_count_in_a_sentence_has_plural_forms():
    unplural = sorted({
        f"{path}: {message}" for path, message in _messages()
        if COUNT.search(message) and message not in ALLOWED
        # "stk." (stykker), "tegn" and "MB" are the same for one and many.
        and not re.search(r"%\((count|num|quantity|total|limit)\)s\s*(stk\.|tegn|MB)", message)})
    assert unplural == [], "use ngettext:\n" + "\n".join(unplural)


def test_the_guard_finds_a_count_without_plural_forms():
    """The search itself works: it sees a message in the form the code writes them."""
    sample = '_("%(count)s ledige annonser passet",\n  count=n)'
    [literals] = [found.group(1) for found in MESSAGE.finditer(sample)]
    assert COUNT.search(literals)
