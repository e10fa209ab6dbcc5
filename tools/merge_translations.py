"""Fill reuse/translations/en/LC_MESSAGES/messages.po from a template and JSON maps.

Used once when the catalogue was created from the strings marked in code: each JSON maps a
bokmål msgid to its English text (a two-item list for plural forms). Afterwards the .po file
is the source; `make translations` keeps it in step with the code.

    python tools/merge_translations.py messages.pot en-a.json [en-b.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent.parent / "reuse/translations/en/LC_MESSAGES/messages.po"


def main(template: str, *maps: str) -> int:
    with open(template, "rb") as f:
        catalogue = read_po(f, locale="en")
    if CATALOGUE.exists():
        with open(CATALOGUE, "rb") as f:
            existing = read_po(f, locale="en")
    else:
        existing = None
    english: dict = {}
    for path in maps:
        english.update(json.loads(Path(path).read_text(encoding="utf-8")))
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        known = existing.get(message.id) if existing else None
        value = english.get(key) or (known.string if known and any(
            known.string if isinstance(known.string, tuple) else [known.string]) else None)
        if not value:
            missing.append(key)
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
        else:
            message.string = value[0] if isinstance(value, list) else value
    catalogue.fuzzy = False  # a new catalogue's header is fuzzy, and compile would skip it
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    with open(CATALOGUE, "wb") as f:
        write_po(f, catalogue, width=100, sort_output=False)
    for key in missing:
        print(f"untranslated: {key!r}", file=sys.stderr)
    print(f"{len(catalogue) - len(missing)} translated, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
