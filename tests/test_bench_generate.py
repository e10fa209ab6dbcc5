"""bench/generate.py fills what the app fills for new items, so `make bench` measures
search as people meet it (a tiny SQLite run; the benchmark itself is `make bench`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import create_engine, text

from bench.generate import generate
from reuse.services import vocabulary


def test_generated_items_teach_the_search_vocabulary_as_posted_items_do(tmp_path):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    generate(url, items=60, records=30, units=5, users=20, log=lambda *_: None,
             today=date(2026, 6, 1))

    engine = create_engine(url)
    with engine.connect() as connection:
        texts = connection.execute(text("SELECT title, description FROM item")).all()
        learnt = set(connection.scalars(text("SELECT word FROM search_word")))
        synonyms = connection.scalar(text("SELECT count(*) FROM search_synonym"))
    engine.dispose()
    # The words items.create_item would have remembered for the same items, and the
    # category synonyms: tolerant search has what it has in the app.
    assert learnt == vocabulary.vocabulary_words(*(part for row in texts for part in row
                                                   if part))
    assert learnt and synonyms > 0
