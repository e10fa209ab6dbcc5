"""Finding items: Norwegian words and letters, filters, and pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from reuse.clock import oslo_today
from reuse.services import claims
from reuse.services.errors import InvalidInput
from reuse.services.items import ItemFilter, Page, search_items
from tests.conftest import page_text


def titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<h2 class="ds-heading" data-size="xs">([^<]*)</h2>', html)


def found(**filters) -> list[str]:
    return sorted(item.title for item in search_items(ItemFilter(**filters)).items)


@pytest.fixture
def listings(people, make_item, make_unit):
    make_item(people.member, title="Kontorstoler HÅG, svarte", category="kontorstol",
              description="Justerbar sittehøyde", location_address="Konsul Börs gate 5")
    make_item(people.member, title="Kjøleskap, høyt", category="kjoleskap", condition="used",
              location_address="Konsul Börs gate 5", location_building="Gymsalen")
    make_item(people.outsider, title="Skrivebord i bøk", category="skrivebord",
              description="Litt slitt kant", location_address="Landåsveien 40")
    make_item(people.outsider, title="Barnestoler, stablebare", category="besoksstol",
              condition="as_new", location_address="Landåsveien 40")
    make_item(people.outsider, title="Hev-senk-skrivebord 160 cm", category="hev-senk-skrivebord",
              location_address="Landåsveien 40")


@pytest.mark.parametrize("query, expected", [
    ("stolene", ["Barnestoler, stablebare", "Kontorstoler HÅG, svarte"]),
    ("stol", ["Barnestoler, stablebare", "Kontorstoler HÅG, svarte"]),
    ("KJØLESKAP", ["Kjøleskap, høyt"]),
    ("kjøleskapet", ["Kjøleskap, høyt"]),
    ("håg", ["Kontorstoler HÅG, svarte"]),
    ("sittehøyde", ["Kontorstoler HÅG, svarte"]),
    ("skrivebordene", ["Hev-senk-skrivebord 160 cm", "Skrivebord i bøk"]),
    ("hev-senk", ["Hev-senk-skrivebord 160 cm"]),
    ("bøk slitt", ["Skrivebord i bøk"]),
    ("landåsveien", ["Barnestoler, stablebare", "Hev-senk-skrivebord 160 cm", "Skrivebord i bøk"]),
    ("sofa", []),
])
def test_free_text_search_understands_norwegian(listings, query, expected):
    assert found(q=query) == expected


def test_search_words_are_literal_not_wildcards(listings):
    # Unescaped, LIKE would read "sk_p" as "sk?p" and match "Kjøleskap".
    assert found(q="kjølesk_p") == []
    assert found(q="kjøle%") == ["Kjøleskap, høyt"]  # '%' is not a letter: the word is "kjøle"


def test_category_filter_includes_sub_categories(listings):
    assert found(category="stoler") == ["Barnestoler, stablebare", "Kontorstoler HÅG, svarte"]
    assert found(category="mobler") == ["Barnestoler, stablebare", "Hev-senk-skrivebord 160 cm",
                                        "Kontorstoler HÅG, svarte", "Skrivebord i bøk"]


def test_condition_filter(listings):
    assert found(condition="as_new") == ["Barnestoler, stablebare"]


def test_unit_filter_includes_sub_units(listings, people):
    etat_for_barnehage = people.kindergarten.parent
    assert found(unit_id=etat_for_barnehage.id) == [
        "Barnestoler, stablebare", "Hev-senk-skrivebord 160 cm", "Skrivebord i bøk"]
    assert found(unit_id=people.school.id) == ["Kjøleskap, høyt", "Kontorstoler HÅG, svarte"]


def test_location_filter_matches_address_and_building(listings):
    assert found(location="gymsalen") == ["Kjøleskap, høyt"]
    assert found(location="Konsul Börs") == ["Kjøleskap, høyt", "Kontorstoler HÅG, svarte"]


def test_filters_combine(listings):
    assert found(q="stol", category="besoksstol", condition="as_new") == \
        ["Barnestoler, stablebare"]


def test_withdrawn_and_fully_reserved_items_are_not_listed(listings, people, make_item, db):
    gone = make_item(people.member, title="Reservert sofa", category="sofa")
    gone.quantity_reserved = gone.quantity
    withdrawn = make_item(people.member, title="Trukket sofa", category="sofa")
    withdrawn.withdrawn_at = withdrawn.created_at
    db.session.commit()
    assert found(q="sofa") == []
    assert sorted(i.title for i in search_items(
        ItemFilter(q="sofa", include_unavailable=True, viewer=people.member)).items) == [
            "Reservert sofa", "Trukket sofa"]
    # A withdrawn item is the lister's unit's business: others get only what is still out.
    for viewer in (people.outsider, None):
        assert sorted(i.title for i in search_items(
            ItemFilter(q="sofa", include_unavailable=True, viewer=viewer)).items) == [
                "Reservert sofa"]


def test_browse_page_paginates(client, people, make_item, log_in, db):
    for number in range(30):
        make_item(people.outsider, title=f"Stol nummer {number:02d}")
    log_in(people.member)
    first = client.get("/")
    second = client.get("/?page=2")
    assert len(titles(first)) == 24
    assert len(titles(second)) == 6
    assert set(titles(first)).isdisjoint(titles(second))
    assert "30 ledige annonser, side 1 av 2" in first.get_data(as_text=True)
    assert 'href="/?page=2"' in first.get_data(as_text=True)


def test_browse_counts_no_further_than_it_helps(client, people, make_item, log_in,
                                               monkeypatch):
    monkeypatch.setattr("reuse.web.catalog.views.BROWSE_COUNT_LIMIT", 5)
    for number in range(7):
        make_item(people.outsider, title=f"Stol nummer {number}")
    log_in(people.member)
    html = client.get("/").get_data(as_text=True)
    assert "Mer enn 5 ledige annonser, side 1." in html
    assert len(titles(client.get("/"))) == 7  # every match is still listed
    # The API promises an exact total.
    assert search_items(ItemFilter()).total == 7
    capped = search_items(ItemFilter(count_limit=5, per_page=2))
    assert (capped.total, capped.more_than_total, capped.pages) == (5, True, 3)
    exact = search_items(ItemFilter(count_limit=7))
    assert (exact.total, exact.more_than_total) == (7, False)


@pytest.mark.parametrize("page, pages, expected", [
    (1, 1, [1]),
    (1, 10, [1, 2, 3, None, 10]),
    (5, 7, [1, None, 3, 4, 5, 6, 7]),
    (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    (20, 40_000, [1, None, 18, 19, 20, 21, 22, None, 40_000]),
])
def test_page_links_are_few_however_many_pages(page, pages, expected):
    result = Page(items=[], total=pages * 24, page=page, per_page=24)
    assert result.page_numbers() == expected


def test_pagination_keeps_the_search(client, people, make_item, log_in):
    for number in range(26):
        make_item(people.outsider, title=f"Stol {number}")
    log_in(people.member)
    html = client.get("/?q=stol").get_data(as_text=True)
    assert 'href="/?q=stol&amp;page=2"' in html


def test_browse_page_shows_cards_with_thumbnails_and_links(client, people, make_item, log_in,
                                                          listings):
    log_in(people.member)
    response = client.get("/?q=kjøleskap")
    assert titles(response) == ["Kjøleskap, høyt"]
    html = response.get_data(as_text=True)
    assert re.search(r'href="/items/\d+"', html)


def test_item_of_another_unit_is_visible_to_everyone_logged_in(client, people, make_item,
                                                               log_in):
    item = make_item(people.member, title="Møtebord i eik", category="motebord")
    log_in(people.outsider)
    assert "Møtebord i eik" in titles(client.get("/?q=møtebord"))
    assert client.get(f"/items/{item.id}").status_code == 200


def test_empty_result_says_what_to_do(client, people, log_in, catalog):
    log_in(people.member)
    html = client.get("/?q=flygel").get_data(as_text=True)
    assert "Ingen ledige ting passer søket" in html


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "category=finnes-ikke",
                                   "unit=999999", "condition=ødelagt", "page=100000"])
def test_odd_query_strings_never_break_the_page(client, people, log_in, catalog, query):
    log_in(people.member)
    assert client.get(f"/?{query}").status_code == 200


def test_long_selects_write_the_same_html_as_wtforms(app):
    from wtforms.widgets import Select

    from reuse.web.catalog.forms import BrowseForm

    with app.test_request_context("/?unit=2"):
        form = BrowseForm(data={"unit": "2"})
        form.unit.choices = [("", "Alle enheter"), ("1", "Byrådsavdeling <A&B>"),
                             ("2", "\u00a0\u00a0Etat «skole»")]
        form.unit.data = "2"
        assert str(form.unit()) == str(Select()(form.unit))
        assert '<option selected value="2">' in str(form.unit())
        assert "&lt;A&amp;B&gt;" in str(form.unit())


# -- the order of the results, and the cards' dates -------------------------------------

@pytest.fixture
def around_the_school(people, make_unit, make_user, make_item, db):
    """An item from each kind of relative of the member's school, listed in a jumbled order
    (a day apart) so that newest first and nearest first differ."""
    school_etat = people.school.parent
    sibling = make_user(make_unit("Nygård skole", parent=school_etat))
    class_room = make_user(make_unit("Møhlenpris skole, 5. trinn", parent=people.school))
    listed = [(sibling, "Fra søsterskolen", 3), (people.admin, "Fra byrådslederen", 7),
              (people.member, "Fra egen skole", 1), (people.outsider, "Fra barnehagen", 12),
              (class_room, "Fra eget trinn", 2)]
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for day, (lister, title, quantity) in enumerate(listed):
        item = make_item(lister, title=title, quantity=quantity)
        item.created_at = start + timedelta(days=day)
    db.session.commit()


def test_results_come_newest_first_unless_another_order_is_chosen(around_the_school, people):
    def order(sort, viewer=people.member):
        return [i.title for i in search_items(ItemFilter(sort=sort, viewer=viewer)).items]

    newest = ["Fra eget trinn", "Fra barnehagen", "Fra egen skole", "Fra byrådslederen",
              "Fra søsterskolen"]
    assert order("newest") == newest
    # The school and the units under it, then the other school in the etat, then the
    # kindergarten in the same sector, then the rest: newest first among equals.
    assert order("nearest") == ["Fra eget trinn", "Fra egen skole", "Fra søsterskolen",
                                "Fra barnehagen", "Fra byrådslederen"]
    # Nearest is the viewer's: the kindergarten sees its own first and the schools after.
    assert order("nearest", people.outsider)[0] == "Fra barnehagen"
    assert order("nearest", people.outsider)[-1] == "Fra byrådslederen"
    assert order("most") == ["Fra barnehagen", "Fra byrådslederen", "Fra søsterskolen",
                             "Fra eget trinn", "Fra egen skole"]
    # Without a viewer nobody is near: newest first.
    assert order("nearest", None) == newest


def test_most_pieces_counts_what_is_left_to_claim(people, make_item, db):
    many = make_item(people.outsider, title="Mange, men reservert", quantity=10)
    make_item(people.outsider, title="Fem ledige", quantity=5)
    claims.claim_item(people.member, many, 8)
    db.session.commit()
    assert [i.title for i in search_items(ItemFilter(sort="most")).items] == [
        "Fem ledige", "Mange, men reservert"]


def test_an_unknown_order_is_refused(people):
    with pytest.raises(InvalidInput) as refused:
        search_items(ItemFilter(sort="cheapest"))
    assert refused.value.field == "sort"


def test_browse_offers_the_orders_as_links_that_keep_the_search(around_the_school, client,
                                                                people, log_in):
    log_in(people.member)
    response = client.get("/?sort=nearest&q=fra&page=1")
    assert titles(response) == ["Fra eget trinn", "Fra egen skole", "Fra søsterskolen",
                                "Fra barnehagen", "Fra byrådslederen"]
    html = response.get_data(as_text=True)
    links = re.findall(r'<a class="ds-link" data-size="sm"[^>]*href="(/\?[^"]*|/)"[^>]*>'
                       r'([^<]*)</a>', html)
    assert [(link.replace("&amp;", "&"), label) for link, label in links] == [
        ("/?q=fra", "Nyeste"), ("/?q=fra&sort=nearest", "Nærmeste enheter"),
        ("/?q=fra&sort=most", "Flest ledige")]
    assert re.search(r'href="/\?q=fra&amp;sort=nearest" aria-current="page"', html)
    # A new search in the form keeps the order.
    assert '<input type="hidden" name="sort" value="nearest">' in html
    assert titles(client.get("/?sort=most"))[0] == "Fra barnehagen"
    assert "Søket kunne ikke utføres" in page_text(client.get("/?sort=cheapest"))


def test_cards_tell_when_the_item_was_listed(people, make_item, client, log_in, db):
    this_year = oslo_today().year
    make_item(people.outsider, title="Nylig").created_at = datetime(
        this_year, 1, 15, 12, tzinfo=UTC)
    make_item(people.outsider, title="I fjor").created_at = datetime(
        this_year - 1, 12, 2, 12, tzinfo=UTC)
    db.session.commit()
    log_in(people.member)
    page = page_text(client.get("/"))
    assert "Lagt ut 15. jan." in page and f"Lagt ut 2. des. {this_year - 1}" in page
    client.submit("/language", {"locale": "en"})
    english = page_text(client.get("/"))
    assert "Listed 15 Jan" in english and f"Listed 2 Dec {this_year - 1}" in english


def test_the_api_reads_the_same_orders_and_keeps_newest_as_its_default(around_the_school, api,
                                                                       people):
    client = api(people.member)

    def order(query=""):
        return [item["title"] for item in client.get(f"/api/v1/items{query}").get_json()["items"]]

    assert order() == order("?sort=newest")
    assert order("?sort=nearest") == ["Fra eget trinn", "Fra egen skole", "Fra søsterskolen",
                                      "Fra barnehagen", "Fra byrådslederen"]
    assert order("?sort=most")[0] == "Fra barnehagen"
    refused = client.get("/api/v1/items?sort=cheapest")
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "invalid_query"
