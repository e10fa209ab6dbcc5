"""The catalogue's unit filter offers the part of the tree a person needs, not all of it: a
municipality's thousand units would be a 60 KB list on every catalogue page."""

from __future__ import annotations

import re

import pytest

from reuse.models import Unit


def offered(response) -> list[str]:
    html = response.get_data(as_text=True)
    select = re.search(r'<select[^>]*name="unit".*?</select>', html, re.S).group(0)
    return [label.replace("\u00a0", "").strip()
            for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)]


@pytest.fixture
def schools(people, make_unit) -> list[Unit]:
    etat = people.school.parent
    return [make_unit(f"Skole {number:02}", parent=etat) for number in range(12)]


def test_the_filter_offers_the_top_levels_and_the_units_around_ones_own(people, schools,
                                                                        log_in, make_unit):
    far = make_unit("Klasse 3B", parent=people.kindergarten)  # under another etat's unit
    names = offered(log_in(people.member).get("/"))  # the member works at the school
    assert names[0] == "Alle enheter"
    assert "Byrådsavdeling for barnehage og skole" in names and "Etat for barnehage" in names
    assert "Møhlenpris skole" in names and "Skole 07" in names  # beside one's own unit
    assert "Landås barnehage" not in names and far.name not in names


def test_choosing_a_unit_filters_by_it_and_opens_the_level_under_it(people, log_in,
                                                                    make_unit):
    klasse = make_unit("Klasse 3B", parent=people.kindergarten)
    response = log_in(people.member).get(f"/?unit={people.kindergarten.id}")
    assert response.status_code == 200
    names = offered(response)
    assert "Landås barnehage" in names and klasse.name in names
    assert re.search(rf'<option selected value="{people.kindergarten.id}">',
                     response.get_data(as_text=True))
    deep = log_in(people.member).get(f"/?unit={klasse.id}")
    assert deep.status_code == 200 and klasse.name in offered(deep)


def test_the_reports_unit_filter_offers_the_same_part_of_the_tree(people, schools, log_in,
                                                                 make_unit):
    klasse = make_unit("Klasse 3B", parent=people.kindergarten)
    client = log_in(people.admin)  # may see every unit's report
    names = offered(client.get("/reports"))
    assert names[0] == "Hele kommunen"
    assert "Etat for skole" in names and "Skole 07" not in names and klasse.name not in names
    chosen = offered(client.get(f"/reports?unit={people.kindergarten.id}"))
    assert "Landås barnehage" in chosen and klasse.name in chosen
    assert offered(client.get(f"/reports?unit={klasse.id}"))  # a deep unit is offered too


@pytest.mark.parametrize("path", ["/?unit=%C2%B2", "/reports?unit=%C2%B2"])
def test_a_unit_written_with_other_digits_is_an_unknown_unit_not_an_error(people, log_in,
                                                                         path):
    """'²' is a digit to str.isdigit() but no number to int(): a form error at most."""
    assert log_in(people.admin).get(path).status_code in (200, 400)
