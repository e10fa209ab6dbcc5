"""Search and reuse checks find what people mean: misspellings, words typed without æ, ø
and å, and other words for the same thing, without losing precision (tests/search_quality.py).

The measured figures are printed in the test summary (see pytest_terminal_summary in
conftest.py) and recorded in the README.
"""

from __future__ import annotations

import pytest

from reuse.services import categories, checks, items
from tests import search_quality as quality

# Floors set from measurement (README, "Søk"), a little under what the search reaches, so a
# change that loses recall or precision fails here.
RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.9
CHECK_RECALL_FLOOR = 0.95
CHECK_PRECISION_FLOOR = 0.85


@pytest.fixture
def quality_catalogue(db, catalog, people):
    keys = {}
    for key, (title, slug, description) in quality.CATALOGUE.items():
        item = items.create_item(people.member, items.ItemDetails(
            title=title, category_id=categories.get_by_slug(slug).id, condition="good",
            quantity=1, description=description, location_address="Rådhusgaten 10"))
        keys[item.id] = key
    db.session.commit()
    return keys


def _report(request, title: str, tallies, misses) -> None:
    request.node.user_properties.append(("search quality", f"{title}\n"
                                         + quality.table(tallies, misses)))


def _misses(results) -> list[str]:
    lines = []
    for query, found in results.items():
        missing, extra = query.relevant - found, found - query.relevant
        if missing or extra:
            lines.append(f"  {query.kind:<9} {query.text!r}: missing {sorted(missing)}, "
                         f"extra {sorted(extra)}")
    return lines


def test_search_finds_what_people_mean(request, quality_catalogue):
    results = {}
    for query in quality.QUERIES:
        page = items.search_items(items.ItemFilter(q=query.text, per_page=items.MAX_PER_PAGE))
        results[query] = {quality_catalogue[item.id] for item in page.items}
    tallies = quality.measure(results)
    _report(request, "Browse search", tallies, _misses(results))
    assert tallies["all"].recall >= RECALL_FLOOR, quality.table(tallies, _misses(results))
    assert tallies["all"].precision >= PRECISION_FLOOR, quality.table(tallies, _misses(results))


def test_reuse_checks_find_what_buyers_mean(request, quality_catalogue, people):
    results = {}
    for query in quality.CHECK_NEEDS:
        ranked = checks.rank(people.outsider, query.text, None, None)
        results[query] = {quality_catalogue[entry.item.id] for entry in ranked}
    tallies = quality.measure(results)
    _report(request, "Reuse check matches", tallies, _misses(results))
    assert tallies["all"].recall >= CHECK_RECALL_FLOOR, quality.table(tallies, _misses(results))
    assert tallies["all"].precision >= CHECK_PRECISION_FLOOR, quality.table(tallies,
                                                                           _misses(results))
