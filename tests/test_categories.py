"""The category tree kept in the browser (create, rename, move, retire, restore) by the people
who keep the factors, and category names in the reader's language."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from reuse.models import AuditEvent, Category, CategoryFactorVersion, Item, Notification, Role
from reuse.services import categories, checks, factors, items, wanted
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.reports.report import report
from reuse.services.reports.scope import Scope, year_period
from tests.conftest import page_text
from tests.test_goals_factors import change
from tests.test_listings import item_form
from tests.test_wanted import run_matching


@pytest.fixture
def lead(make_user, people):
    return make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")


def audits(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def offered_slugs() -> set[str]:
    return {c.slug for c, _depth in categories.offered_tree()}


def item_details(category: Category, **overrides) -> items.ItemDetails:
    return items.ItemDetails(**{"title": "Stol", "category_id": category.id,
                                "condition": "good", "quantity": 1,
                                "location_address": "Rådhusgaten 10", **overrides})


def offered(response, name: str) -> bool:
    """Whether a page offers the category as an option of a select."""
    return re.search(rf"<option[^>]*>[\s\u00a0]*{re.escape(name)}</option>",
                     response.get_data(as_text=True)) is not None


def factor_rows(db) -> list[tuple]:
    return [(v.id, v.category_id, v.valid_from, v.new_price_nok) for v in db.session.scalars(
        select(CategoryFactorVersion).order_by(CategoryFactorVersion.id))]


# -- the rules -------------------------------------------------------------------------------

def test_a_new_category_gets_a_free_slug_from_its_norwegian_name(lead, catalog, db):
    chairs = categories.get_by_slug("stoler")
    stool = categories.create_category(lead, name_nb="Krakk på hjul", name_en="Rolling stool",
                                       parent=chairs)
    again = categories.create_category(lead, name_nb="Krakk på hjul", name_en="Stool",
                                       parent=chairs)
    bench = categories.create_category(lead, name_nb="Benk / Sittebenk", name_en="Bench")
    db.session.commit()
    assert (stool.slug, again.slug, bench.slug) == ("krakk-pa-hjul", "krakk-pa-hjul-2",
                                                    "benk-sittebenk")
    assert stool.parent == chairs and bench.parent is None
    assert "krakk-pa-hjul" in offered_slugs()
    [event, *_] = audits(db, "category.created")
    assert event.actor_id == lead.id and json.loads(event.details)["name_en"] == "Rolling stool"


@pytest.mark.parametrize("name_nb, name_en, field", [
    ("", "Stool", "name_nb"), ("Krakk", " ", "name_en"), ("K" * 121, "Stool", "name_nb")])
def test_a_category_needs_both_names(lead, catalog, name_nb, name_en, field):
    with pytest.raises(InvalidInput) as refused:
        categories.create_category(lead, name_nb=name_nb, name_en=name_en)
    assert refused.value.field == field


def test_a_rename_changes_both_names_but_not_the_slug_or_the_factor_history(lead, catalog, db):
    chair = categories.get_by_slug("kontorstol")
    factors.change_factors(lead, chair, change(factors.oslo_today()))
    db.session.commit()
    history = factor_rows(db)
    categories.rename_category(lead, chair, name_nb="Arbeidsstol", name_en="Task chair")
    db.session.commit()
    assert (chair.slug, chair.name_nb, chair.name_en) == ("kontorstol", "Arbeidsstol",
                                                          "Task chair")
    assert factor_rows(db) == history
    [event] = audits(db, "category.renamed")
    assert json.loads(event.details)["before_en"] == "Office chair"
    assert event.actor_id == lead.id


def test_a_move_refuses_cycles_and_retired_parents_and_keeps_factor_history(lead, catalog, db):
    furniture, chairs = categories.get_by_slug("mobler"), categories.get_by_slug("stoler")
    office_chair = categories.get_by_slug("kontorstol")
    for parent in (chairs, office_chair, furniture):
        with pytest.raises(InvalidInput):
            categories.move_category(lead, furniture if parent is furniture else chairs,
                                     parent)
    it = categories.get_by_slug("it-utstyr")
    categories.retire_category(lead, it)
    with pytest.raises(InvalidInput):
        categories.move_category(lead, office_chair, it)
    history = factor_rows(db)
    categories.move_category(lead, office_chair, furniture)
    db.session.commit()
    assert office_chair.parent == furniture and factor_rows(db) == history
    assert json.loads(audits(db, "category.moved")[0].details) == {"before": "stoler",
                                                                  "parent": "mobler"}


def test_retiring_takes_the_subtree_out_of_forms_but_keeps_what_uses_it(
        lead, people, catalog, make_item, hand_over, db):
    chairs = categories.get_by_slug("stoler")
    chair = categories.get_by_slug("kontorstol")
    listed = make_item(people.member, category="kontorstol")
    record = hand_over(people.member, people.outsider, quantity=2, category="kontorstol")
    retired = categories.retire_category(lead, chairs)
    db.session.commit()
    assert {"stoler", "kontorstol", "besoksstol"} <= {c.slug for c in retired}
    assert chair.retired_at is not None
    assert {"stoler", "kontorstol"}.isdisjoint(offered_slugs())
    assert "mobler" in offered_slugs()
    # Nothing new in it …
    with pytest.raises(InvalidInput) as refused:
        items.create_item(people.member, item_details(chair))
    assert refused.value.code == "category_retired" and "Kontorstol" in refused.value.message
    with pytest.raises(InvalidInput):
        checks.create_check(people.member, "8 kontorstoler", category=chair)
    with pytest.raises(InvalidInput):
        wanted.create_request(people.member, words="stol", category=chair)
    # … but what has it keeps it: the listing can still be edited, and reports count it.
    items.update_item(people.member, listed, item_details(chair, title="Kontorstol, grå"))
    db.session.commit()
    assert listed.category == chair and listed.title == "Kontorstol, grå"
    shown = report(Scope(year_period(record.recorded_at.year)))
    assert {row.name: row.figures.items_reused for row in shown.categories}["Kontorstol"] == 2
    assert [event.actor_id for event in audits(db, "category.retired")] == [lead.id]


def test_restoring_brings_back_what_was_retired_with_it(lead, catalog, db):
    chairs, chair = categories.get_by_slug("stoler"), categories.get_by_slug("kontorstol")
    visitor = categories.get_by_slug("besoksstol")
    categories.retire_category(lead, visitor)  # on its own, earlier
    db.session.commit()
    categories.retire_category(lead, chairs)
    with pytest.raises(Conflict):
        categories.restore_category(lead, chair)  # its parent is retired
    with pytest.raises(Conflict):
        categories.retire_category(lead, chairs)
    categories.restore_category(lead, chairs)
    db.session.commit()
    assert chairs.retired_at is None and chair.retired_at is None
    assert visitor.retired_at is not None
    assert len(audits(db, "category.restored")) == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT_ADMIN])
def test_members_and_unit_admins_may_not_change_categories(people, make_user, catalog, role,
                                                          client, log_in):
    user = make_user(people.school, role)
    chair = categories.get_by_slug("kontorstol")
    for attempt in (lambda: categories.create_category(user, name_nb="X", name_en="X"),
                    lambda: categories.rename_category(user, chair, name_nb="X", name_en="X"),
                    lambda: categories.move_category(user, chair, None),
                    lambda: categories.retire_category(user, chair)):
        with pytest.raises(PermissionDenied):
            attempt()
    log_in(user)
    for path in ("/admin/categories", "/admin/categories/kontorstol"):
        assert client.get(path).status_code == 403, path
    for path, data in (("/admin/categories", {"name_nb": "X", "name_en": "X"}),
                       ("/admin/categories/kontorstol/rename", {"name_nb": "X",
                                                                 "name_en": "X"}),
                       ("/admin/categories/kontorstol/move", {"parent": ""}),
                       ("/admin/categories/kontorstol/retire", {}),
                       ("/admin/categories/kontorstol/restore", {})):
        assert client.submit(path, data).status_code == 403, path
    assert chair.name_nb == "Kontorstol" and chair.retired_at is None
    if role == Role.UNIT_ADMIN:
        assert "Kategorier" not in page_text(client.get("/admin/"))


# -- the pages -------------------------------------------------------------------------------

def test_the_lead_keeps_the_tree_in_the_browser(client, log_in, lead, catalog, db):
    log_in(lead)
    factors_page = client.get("/reports/factors").get_data(as_text=True)
    assert "/admin/categories" in factors_page
    page = client.get("/admin/categories")
    assert page.status_code == 200 and "/reports/factors" in page.get_data(as_text=True)
    assert "Kontorstol" in page_text(page)
    chairs = categories.get_by_slug("stoler")
    done = client.submit("/admin/categories", {"name_nb": "Krakk", "name_en": "Stool",
                                               "parent": str(chairs.id)})
    assert done.status_code == 302 and done.location.endswith("/admin/categories/krakk")
    refused = client.submit("/admin/categories/krakk/move",
                            {"parent": str(categories.get_by_slug("krakk").id)})
    assert refused.status_code == 422 and "under seg selv" in page_text(refused)
    assert client.submit("/admin/categories/krakk/rename",
                         {"name_nb": "Taburett", "name_en": "Stool"}).status_code == 302
    assert client.submit("/admin/categories/krakk/retire", {}).status_code == 302
    page = page_text(client.get("/admin/categories/krakk"))
    assert "Taburett" in page and "tatt ut av bruk" in page
    assert not offered(client.get("/items/new"), "Taburett")
    assert client.submit("/admin/categories/krakk/restore", {}).status_code == 302
    assert categories.get_by_slug("krakk").retired_at is None


def test_a_retired_category_is_not_offered_in_forms(client, log_in, lead, people, catalog, db):
    categories.retire_category(lead, categories.get_by_slug("kontorstol"))
    db.session.commit()
    log_in(people.member)
    for path in ("/items/new", "/checks/new", "/wanted", "/"):
        response = client.get(path)
        assert not offered(response, "Kontorstol"), path
        assert offered(response, "Besøks- og møtestol"), path


def test_a_listing_in_a_retired_category_is_edited_without_choosing_another(
        client, log_in, lead, people, catalog, make_item, db):
    item = make_item(people.member, category="kontorstol")
    categories.retire_category(lead, categories.get_by_slug("stoler"))  # and Kontorstol with it
    db.session.commit()
    log_in(people.member)
    assert offered(client.get(f"/items/{item.id}/edit"), "Kontorstol")
    assert not offered(client.get("/items/new"), "Kontorstol")
    form = item_form(title="Kontorstol, grå", category_id=str(item.category_id), quantity="1")
    assert client.submit(f"/items/{item.id}/edit", form).status_code == 302
    db.session.refresh(item)
    assert item.title == "Kontorstol, grå" and item.category.slug == "kontorstol"
    refused = client.submit("/items/new", form)
    assert "Kategorien «Kontorstol» er ikke lenger i bruk." in page_text(refused)
    assert db.session.scalar(select(func.count()).select_from(Item)) == 1


def test_english_readers_see_english_category_names(
        client, log_in, people, catalog, make_item, hand_over, db):
    record = hand_over(people.member, people.outsider, category="kontorstol")
    item = make_item(people.member, category="kontorstol", title="Stol til utlån")
    check = checks.create_check(people.outsider, "kontorstol", category=item.category)
    wanted.create_request(people.outsider, category=item.category)
    people.outsider.locale = "en"
    db.session.commit()
    log_in(people.outsider)
    year = record.recorded_at.year
    for path in ("/?q=stol", f"/items/{item.id}", f"/checks/{check.id}", "/wanted",
                 "/checks/new", "/items/new", f"/reports?from={year}-01-01&to={year}-12-31",
                 f"/reports/records?from={year}-01-01&to={year}-12-31&unit="
                 f"{people.outsider.unit_id}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Office chair" in page_text(response), path
        assert "Kontorstol\u00a0" not in page_text(response)
    # Exports are a data format: the category column stays as recorded, in Norwegian.
    export = client.get(f"/reports/records.csv?from={year}-01-01&to={year}-12-31&unit="
                        f"{people.outsider.unit_id}").get_data(as_text=True)
    assert "Kontorstol" in export and "Office chair" not in export


def test_a_wanted_match_names_the_category_in_the_recipients_language(
        people, catalog, make_item, db):
    chair = categories.get_by_slug("kontorstol")
    wanted.create_request(people.outsider, category=chair)
    people.outsider.locale = "en"
    db.session.commit()
    make_item(people.member, category="kontorstol", title="Grå stol")
    run_matching(db)
    [note] = db.session.scalars(select(Notification).where(
        Notification.user_id == people.outsider.id)).all()
    assert "Office chair" in note.body


# -- the API ---------------------------------------------------------------------------------

def test_the_api_lists_retired_categories_and_refuses_them_for_new_things(
        lead, people, catalog, api, db):
    categories.retire_category(lead, categories.get_by_slug("kontorstol"))
    db.session.commit()
    client = api(people.member)
    listed = {c["slug"]: c for c in client.get("/api/v1/categories").get_json()["categories"]}
    assert listed["kontorstol"]["retired"] is True and listed["stoler"]["retired"] is False
    assert listed["kontorstol"]["name"] == "Kontorstol"
    assert listed["kontorstol"]["name_en"] == "Office chair"
    item = client.post("/api/v1/items", json={
        "title": "Stol", "description": "", "category": "kontorstol", "condition": "good",
        "quantity": 1, "location": {"address": "Rådhusgaten 10"}})
    assert item.status_code == 422
    assert item.get_json()["error"]["code"] == "category_retired"
    check = client.post("/api/v1/reuse-checks", json={"need": "stol", "category": "kontorstol"})
    assert check.status_code == 422
    assert "ikke lenger i bruk" in check.get_json()["error"]["message"]
