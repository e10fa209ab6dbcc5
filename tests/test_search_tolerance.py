"""Search forgives misspellings, missing æ, ø and å, and other words for the same thing, and
the catalogue and reuse checks forgive them by one rule."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from reuse.models import Item
from reuse.models.search import SearchSynonym
from reuse.services import checks, fulltext, items, vocabulary
from reuse.services import text as search_text
from reuse.services.items import ItemFilter, search_items
from tests import search_quality as quality
from tests.conftest import page_text
from tests.test_search_quality import quality_catalogue  # noqa: F401  (a shared fixture)


def found(query: str) -> list[str]:
    return sorted(item.title for item in search_items(ItemFilter(q=query)).items)


@pytest.fixture
def listings(people, make_item):
    make_item(people.member, title="Prosjektor med takfeste", category="prosjektor",
              description="Fjernkontroll følger med.")
    make_item(people.member, title="Kaffetrakter til møterom", category="kaffetrakter")
    make_item(people.member, title="Kjøleskap, høyt", category="kjoleskap")
    make_item(people.member, title="Møtebord i eik", category="motebord")
    make_item(people.member, title="Laserskriver", category="skriver")
    make_item(people.member, title="Skap med lås", category="skap")
    make_item(people.member, title="Datamaskin til kontor", category="stasjonar-pc")
    make_item(people.member, title="Bærbar høyttaler", category="it-utstyr")


def test_a_misspelt_word_finds_what_it_was_meant_as(listings):
    assert found("projektor") == ["Prosjektor med takfeste"]


def test_words_typed_without_norwegian_letters_find_them(listings):
    assert found("kjoleskap") == ["Kjøleskap, høyt"]
    assert found("motebord") == ["Møtebord i eik"]
    assert found("hoyttaler") == ["Bærbar høyttaler"]


def test_a_word_typed_with_norwegian_letters_is_looked_for_as_written(listings):
    # "lås" is not the "las" of "laserskriver": only a query without æ, ø and å is read as
    # typed without them.
    assert found("lås") == ["Skap med lås"]
    assert found("las") == ["Laserskriver", "Skap med lås"]


def test_a_long_query_corrects_only_its_first_words(listings):
    """Every word looked up scans the vocabulary: a query of many words must not make a
    request do hundreds of scans."""
    many = "møtebord projektor kaffetrakter laserskriver kjoleskapp"
    corrected = [term.word for term in vocabulary.terms(many) if term.corrections]
    assert corrected == ["projektor"]  # "kjoleskapp" is the fifth long word: searched as typed
    assert vocabulary.terms("kjoleskapp")[0].corrections


def test_a_synonym_finds_only_within_its_category(listings):
    assert found("pc") == ["Datamaskin til kontor"]
    # "bærbar" means a PC among laptops, not a loudspeaker among IT equipment.
    assert found("laptop") == []


def test_a_known_word_is_never_corrected(listings, make_item, people):
    make_item(people.member, title="Kopimaskin", category="skriver")
    assert found("kopi") == ["Kopimaskin"]
    assert found("kopp") == []


def test_browse_offers_the_corrected_word(client, log_in, people, listings):
    log_in(people.outsider)
    html = page_text(client.get("/?q=projektor"))
    assert "Mente du «prosjektor» ?" in html
    assert "Prosjektor med takfeste" in html


def test_browse_offers_nothing_when_the_words_are_found(client, log_in, people, listings):
    log_in(people.outsider)
    assert "Mente du" not in page_text(client.get("/?q=prosjektor"))


def test_a_check_matches_the_thing_not_what_it_is_for(listings, people):
    """The demo's "Projektor til møterom" listed a coffee maker "til møterom" and no projector."""
    ranked = checks.rank(people.outsider, "Projektor til møterom", None, None)
    assert [entry.item.title for entry in ranked] == ["Prosjektor med takfeste"]


def test_the_check_page_offers_the_corrected_need(client, log_in, people, listings, db):
    check = checks.create_check(people.outsider, "Projektor til møterom")
    db.session.commit()
    log_in(people.outsider)
    html = page_text(client.get(f"/checks/{check.id}"))
    assert "Mente du «Prosjektor til møterom» ?" in html


def test_new_words_are_learnt_as_items_change(db, people, make_item):
    item = make_item(people.member, title="Sofa")
    assert found("lenestoll") == []
    items.update_item(people.member, item, items.ItemDetails(
        title="Lenestol i skinn", category_id=item.category_id, condition=item.condition,
        quantity=item.quantity, location_address=item.location_address))
    db.session.commit()
    assert found("lenestoll") == ["Lenestol i skinn"]


def test_synonyms_are_loaded_with_the_categories_and_kept_current(db, catalog):
    assert vocabulary.load_synonyms() == 0  # loaded by the catalogue already, nothing new


def test_an_upgraded_database_gets_missing_synonyms_from_run_jobs(db, runner, listings):
    """A database from before the synonym list (or a release that adds to it) is brought up
    to date by the periodic jobs, without a manual load-categories; a second run adds none."""
    shipped = db.session.scalar(select(func.count()).select_from(SearchSynonym))
    db.session.execute(delete(SearchSynonym))
    db.session.commit()
    assert found("pc") == []

    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert f"{shipped} søkesynonymer er lagt til eller oppdatert." in result.output
    assert db.session.scalar(select(func.count()).select_from(SearchSynonym)) == shipped
    assert found("pc") == ["Datamaskin til kontor"]
    again = runner.invoke(args=["run-jobs"])
    assert again.exit_code == 0 and "søkesynonym" not in again.output


def test_synonyms_of_categories_the_database_lacks_are_skipped(db):
    assert vocabulary.load_synonyms() == 0  # no categories loaded: nothing, and no error


@pytest.mark.parametrize("query", [q.text for q in quality.QUERIES])
def test_the_index_and_the_python_rule_agree(db, quality_catalogue, query):
    """Checks filter candidates in Python, browse in SQL: one rule, both forms."""
    terms = vocabulary.terms(query)
    by_index = set(db.session.scalars(select(Item.id).where(fulltext.matches("search", terms))))
    by_rule = {item.id for item in db.session.scalars(select(Item))
               if search_text.all_match(terms, item.search_text, item.category_id)}
    assert by_index == by_rule


def test_pg_trgm_and_python_similarity_agree(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL's")
    for a, b in [("projektor", "prosjektor"), ("kjoleskp", "kjoleskap"), ("kopp", "kopi")]:
        by_postgres = db.session.scalar(select(func.similarity(a, b)))
        assert by_postgres == pytest.approx(search_text.similarity(a, b), abs=1e-6)
