"""The full-text index finds exactly what the Python rule says, stays in step, and is used."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from reuse.models import Item
from reuse.services import fulltext
from reuse.services import text as search_text
from reuse.services.items import ItemDetails, ItemFilter, search_items, update_item

TITLES = [
    "Kontorstoler HÅG, svarte", "Barnestol i bjørk", "Tv-benk med skuffer", "Skjermvegg",
    "Hev-senk-skrivebord 160x80", "Garderobeskap for personal_rom", "Kjøleskapet på lager",
    "Stoler til møterom", "Tavle, whiteboard", "Blåøyde bamser",
]
QUERIES = ["stol", "stolene", "tv", "t", "bj", "bjørk", "skap", "skjerm", "160x80", "80",
           "personal_rom", "rom", "møte", "møterommet", "whiteboard", "board", "øy", "blåøyd",
           "kontorstol svart", "stol bjørk", "hev senk", "sofa"]


@pytest.fixture
def many_listings(people, make_item):
    return [make_item(people.member, title=title) for title in TITLES]


def by_python_rule(items: list[Item], query: str) -> list[str]:
    terms = search_text.query_terms(query)
    return sorted(item.title for item in items
                  if all(search_text.matches_term(item.search_text, term) for term in terms))


@pytest.mark.parametrize("query", QUERIES)
def test_index_finds_exactly_what_the_rule_matches(many_listings, query):
    found = sorted(item.title for item in search_items(ItemFilter(q=query)).items)
    assert found == by_python_rule(many_listings, query)


def test_short_terms_match_word_beginnings_only(many_listings):
    # "tv" begins "Tv-benk"; inside a word ("bjørk" ... "hev") two letters are noise.
    assert [i.title for i in search_items(ItemFilter(q="tv")).items] == ["Tv-benk med skuffer"]
    assert search_items(ItemFilter(q="ør")).total == 0


@pytest.mark.parametrize("word", ["stolene", "kontorstol", "øy", "160x80", "a_b"])
def test_every_lexeme_prefix_agrees_with_the_rule(word):
    indexed = search_text.index_text(word)
    entries = search_text.lexemes(indexed).split()
    for term in {word[i:j] for i in range(len(word)) for j in range(i + 1, len(word) + 1)}:
        by_index = any(entry.startswith(search_text.lexeme_prefix(term)) for entry in entries)
        assert by_index == search_text.matches_term(indexed, term), term


def test_index_follows_edits(db, people, make_item):
    item = make_item(people.member, title="Sofa i skinn")
    details = ItemDetails(title="Lenestol i ull", category_id=item.category_id,
                          condition=item.condition, quantity=item.quantity,
                          location_address="Strandkaien 2")
    update_item(people.member, item, details)
    db.session.commit()
    assert search_items(ItemFilter(q="sofa")).total == 0
    assert [i.title for i in search_items(ItemFilter(q="stol")).items] == ["Lenestol i ull"]
    assert search_items(ItemFilter(location="strandkaien")).total == 1
    assert search_items(ItemFilter(location="rådhusgaten")).total == 0


def test_index_forgets_deleted_rows(db, people, make_item):
    item = make_item(people.member, title="Sofa i skinn")
    db.session.delete(item)
    db.session.commit()
    assert search_items(ItemFilter(q="sofa", include_unavailable=True)).total == 0


def test_search_is_answered_from_the_index(db, many_listings):
    """The plan reads the full-text index, not every row (scans grow with the catalogue)."""
    condition = fulltext.matches("search", search_text.query_terms("kontorstol"))
    statement = select(Item.id).where(condition)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "postgresql":
            # The test table is tiny; forbid the sequential scan to see that the index fits.
            connection.execute(text("SET enable_seqscan = off"))
            plan = "\n".join(connection.execute(text(f"EXPLAIN {compiled}")).scalars())
            assert "ix_item_search_vector" in plan
        else:
            plan = " ".join(row[-1] for row in
                            connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "VIRTUAL TABLE INDEX" in plan and "item_fts" in plan
