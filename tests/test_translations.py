"""The English catalogue covers every marked string, and English pages read in English."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "reuse/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def test_every_marked_string_has_an_english_translation(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                    "-F", "babel.cfg", "-k", "_l", "--no-location", "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(template, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(CATALOGUE, "rb") as f:
        catalogue = read_po(f)
    translated = {}
    for message in catalogue:
        if not message.id or message.fuzzy:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if all(strings):
            translated[key] = strings
    missing = sorted(wanted - set(translated))
    assert missing == [], "run `make translations` and translate these in messages.po"
    for key, strings in translated.items():
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(key)), key


def test_an_english_user_gets_english_pages(client, people, log_in, db, make_item):
    make_item(people.outsider, title="Kontorstoler")
    people.member.locale = "en"
    db.session.commit()
    log_in(people.member)
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Log out" in html or "Sign out" in html
    assert "Logg ut" not in html and "Finn ting" not in html
    assert "Kontorstoler" in html  # data stays as it was written


def test_an_english_user_gets_english_form_errors(client, people, log_in, db, catalog):
    people.member.locale = "en"
    db.session.commit()
    log_in(people.member)
    html = client.submit("/items/new", {"title": ""}).get_data(as_text=True)
    assert "Gi annonsen en tittel." not in html
    assert "title" in html.lower()
