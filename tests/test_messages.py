"""Every message has one source: a sentence written in two places drifts apart.

The same msgid passed to gettext in two places is two chances to disagree: one is reworded,
the other is not, and the form and the API refuse the same thing in different words. Such a
message is a constant beside the service that owns its rule (items.NO_TITLE,
quantities.TOO_FEW, …), and every form, view and API reads that constant.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reuse"
GETTEXT = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}

# The same word for different things: a change to one must not change the other.
SAME_WORD_OTHER_THING = {
    # A goals section or sheet ("Goals") and a goal's target (goals.TARGET_LABEL).
    "Mål",
    # Names of different things: an API token, a unit, a person, a row of the summary.
    "Navn",
    # A claim the claimant cancelled, an item its lister withdrew (and their subjects), and a
    # token an administrator revoked.
    "Trukket tilbake",
    "Trukket tilbake: %(title)s",
    # A claim nobody collected in time, and a token past its expiry.
    "Utløpt",
    # The last choice of two different lists: why one buys new, why a claim is declined.
    "Annen grunn",
}


def _python_msgids() -> dict[str, list[str]]:
    found = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in GETTEXT and isinstance(first, ast.Constant) and isinstance(
                    first.value, str):
                found[first.value].append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    return found


def test_no_message_is_written_twice_in_python():
    found = _python_msgids()
    assert len(found) > 300  # the walk sees the package's messages
    repeated = {msgid: places for msgid, places in found.items()
                if len(places) > 1 and msgid not in SAME_WORD_OTHER_THING}
    assert repeated == {}, "give each repeated message one constant beside its service"


def test_the_exceptions_are_still_needed():
    found = _python_msgids()
    assert {msgid for msgid in SAME_WORD_OTHER_THING if len(found[msgid]) < 2} == set()


# {{ _("…") }} and {% trans %}…{% endtrans %} in templates.
TEMPLATE_CALL = re.compile(r"""\b_\(\s*(['"])(.*?)(?<!\\)\1""", re.S)
TEMPLATE_TRANS = re.compile(r"{%-?\s*trans\b[^%]*%}(.*?){%-?\s*endtrans", re.S)
SENTENCE = re.compile(r"[.!?]\s*$")


def test_no_sentence_is_written_twice_in_templates():
    """Headings and table labels recur from page to page; a sentence that a person reads in
    two places belongs in a macro or comes from Python."""
    found = defaultdict(list)
    for path in sorted((PACKAGE / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern, group in ((TEMPLATE_CALL, 2), (TEMPLATE_TRANS, 1)):
            for match in pattern.finditer(text):
                msgid = " ".join(match.group(group).split())
                line = text.count("\n", 0, match.start()) + 1
                found[msgid].append(f"{path.relative_to(PACKAGE)}:{line}")
    assert len(found) > 100
    repeated = {msgid: places for msgid, places in found.items()
                if len(places) > 1 and SENTENCE.search(msgid)}
    assert repeated == {}
