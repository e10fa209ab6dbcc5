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


def test_the_purchases_benchmark_imports_its_year_twice_and_the_second_changes_nothing(
        tmp_path):
    from bench import purchases as bench_purchases

    result = bench_purchases.run(f"sqlite:///{tmp_path / 'purchases.db'}", lines=500)
    assert result["first"]["summary"] == "created 500, updated 0, unchanged 0, refused 0"
    assert result["again"]["summary"] == "created 0, updated 0, unchanged 500, refused 0"
    assert result["report"]["lines"] == 500 and result["report"]["reusable"] > 0
    assert "a year of 500 lines" in bench_purchases.format_report(result)
