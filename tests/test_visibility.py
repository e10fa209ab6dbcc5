"""Who sees what, asked the way an attacker asked: withdrawn items and their photos (finding 7
of issue 13), and colleagues' reuse checks (finding 16)."""

from __future__ import annotations

import io

import pytest

from reuse.models import Role
from reuse.services import checks, photos, tokens
from reuse.services import items as item_service
from tests.conftest import jpeg_bytes, login, page_text


@pytest.fixture
def bearer(app, db):
    """GET with a bearer token of the given user."""
    def get(user, path):
        _, token = tokens.create_token(user, "visibility")
        db.session.commit()
        return app.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    return get


@pytest.fixture
def page(app):
    """GET as the given user, logged in with a browser session."""
    def get(user, path):
        client = app.test_client()
        assert login(client, user).status_code == 302
        return client.get(path)
    return get


@pytest.fixture
def withdrawn(people, make_item, db):
    """The school's withdrawn listing, with a photo and words nobody else should read."""
    item = make_item(people.member, title="Trukket sofa", description="Nøkkel under matten",
                     location_room="Rom 101")
    [photo] = photos.add_photos(people.member, item, [photos.Upload(
        io.BytesIO(jpeg_bytes()), "sofa.jpg")])
    item_service.withdraw_item(people.member, item)
    db.session.commit()
    return item, photo


# -- finding 7: withdrawn items -------------------------------------------------------------

def test_another_units_withdrawn_items_are_not_in_the_api_list(people, withdrawn, bearer):
    item, photo = withdrawn
    answer = bearer(people.outsider, "/api/v1/items?status=all")
    assert answer.status_code == 200
    assert answer.get_json()["items"] == []
    assert "Nøkkel under matten" not in answer.get_data(as_text=True)
    assert photo.filename not in answer.get_data(as_text=True)
    own = bearer(people.member, "/api/v1/items?status=all").get_json()["items"]
    assert [found["id"] for found in own] == [item.id]


def test_photos_of_a_withdrawn_item_stop_loading_for_those_who_may_not_see_it(
        people, withdrawn, bearer, page):
    _item, photo = withdrawn
    for filename in (photo.filename, photo.thumbnail_filename):
        assert page(people.outsider, f"/photos/{filename}").status_code == 404
        assert bearer(people.outsider, f"/photos/{filename}").status_code == 404
        assert page(people.colleague, f"/photos/{filename}").status_code == 404
        assert page(people.member, f"/photos/{filename}").status_code == 200
        assert bearer(people.unit_admin, f"/photos/{filename}").status_code == 200


def test_page_and_api_agree_on_who_sees_a_withdrawn_item(people, withdrawn, make_user,
                                                         bearer, page):
    item, _photo = withdrawn
    other_unit_admin = make_user(people.kindergarten, Role.UNIT_ADMIN)
    expected = {people.member: 200, people.unit_admin: 200, people.admin: 200,
                people.colleague: 404, people.outsider: 404, other_unit_admin: 404}
    for user, status in expected.items():
        assert page(user, f"/items/{item.id}").status_code == status, user
        assert bearer(user, f"/api/v1/items/{item.id}").status_code == status, user


def test_a_colleagues_withdrawn_item_is_not_in_the_units_list(people, withdrawn, page):
    assert "Trukket sofa" not in page_text(page(people.colleague, "/my-unit/items"))
    assert "Trukket sofa" in page_text(page(people.unit_admin, "/my-unit/items"))
    assert "Trukket sofa" in page_text(page(people.member, "/my-unit/items"))


def test_a_check_does_not_show_a_match_withdrawn_since(people, make_item, bearer, page, db):
    item = make_item(people.member, title="Lenestol", description="Nøkkel under matten",
                     location_room="Rom 101")
    check = checks.create_check(people.outsider, "lenestol")
    db.session.commit()
    assert [m["id"] for m in bearer(people.outsider,
                                    f"/api/v1/reuse-checks/{check.id}").get_json()["matches"]] \
        == [item.id]
    item_service.withdraw_item(people.member, item)
    db.session.commit()
    answer = bearer(people.outsider, f"/api/v1/reuse-checks/{check.id}")
    assert answer.get_json()["matches"] == []
    assert "Nøkkel under matten" not in answer.get_data(as_text=True)
    receipt = page(people.outsider, f"/checks/{check.id}")
    assert "Lenestol" in page_text(receipt)  # what matched then stays on the receipt
    assert "Rådhusgaten 10" not in page_text(receipt)
    assert f'href="/items/{item.id}"' not in receipt.get_data(as_text=True)


# -- finding 16: reuse checks ---------------------------------------------------------------

@pytest.fixture
def colleagues_check(people, catalog, db):
    from datetime import UTC, datetime

    check = checks.create_check(people.colleague, "Ergonomisk stol til rygg-pasient")
    checks.record_bought_new(people.colleague, check, "technical_requirements",
                             "Legeerklæring", "PO-2026-9")
    check.created_at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    db.session.commit()
    return check


def test_members_do_not_see_colleagues_checks_in_the_report_either(people, colleagues_check,
                                                                   make_user, page):
    listing = f"/reports/checks?from=2025-01-01&to=2025-12-31&unit={people.school.id}"
    seen = page(people.member, listing)
    assert seen.status_code == 200
    assert colleagues_check.reference not in page_text(seen)
    assert "rygg-pasient" not in page_text(seen)
    assert "1 sjekk i alt" in page_text(seen)  # the unit's figures still count it
    assert page(people.member, f"/checks/{colleagues_check.id}").status_code == 404
    # Those who may open the check see its row too.
    lead = make_user(people.kindergarten, Role.SUSTAINABILITY)
    for user in (people.colleague, people.unit_admin, lead):
        assert colleagues_check.reference in page_text(page(user, listing)), user
        assert page(user, f"/checks/{colleagues_check.id}").status_code == 200, user


def test_only_the_author_records_how_a_check_ended_on_the_page_and_in_the_api(
        app, people, catalog, db):
    check = checks.create_check(people.member, "stoler")
    db.session.commit()
    _, token = tokens.create_token(people.admin, "visibility")
    db.session.commit()
    api = app.test_client().post(f"/api/v1/reuse-checks/{check.id}/outcome",
                                 json={"outcome": "bought_new", "reason": "nothing_suitable"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
    client = app.test_client()
    login(client, people.admin)
    assert client.submit(f"/checks/{check.id}/bought-new",
                         {"reason": "nothing_suitable"}).status_code == 403
    db.session.refresh(check)
    assert check.outcome is None


# -- claims and wanted requests ---------------------------------------------------------------

def test_an_admin_cannot_close_another_persons_wanted_request_on_the_page_either(
        app, people, catalog, db):
    from reuse.services import wanted

    wish = wanted.create_request(people.outsider, words="sofa")
    db.session.commit()
    client = app.test_client()
    login(client, people.admin)
    assert client.submit(f"/wanted/{wish.id}/close").status_code == 404
    _, token = tokens.create_token(people.admin, "visibility")
    db.session.commit()
    assert app.test_client().post(f"/api/v1/wanted/{wish.id}/close", json={},
                                  headers={"Authorization": f"Bearer {token}"}
                                  ).status_code == 404
    db.session.refresh(wish)
    assert wish.closed_at is None


def test_another_persons_claim_cannot_be_probed_through_a_check_outcome(app, people,
                                                                       make_item, make_user,
                                                                       db):
    from reuse.services import claims

    chairs = make_item(people.member, title="Kontorstoler", quantity=3)
    theirs = claims.claim_item(people.outsider, chairs, 1)
    check = checks.create_check(people.admin, "stoler")
    db.session.commit()
    _, token = tokens.create_token(people.admin, "visibility")
    stranger = make_user()  # a unit with nothing to do with the claim
    stranger_check = checks.create_check(stranger, "stoler")
    _, stranger_token = tokens.create_token(stranger, "visibility")
    db.session.commit()
    # A claim the user may see but is not theirs: refused as not theirs.
    answer = app.test_client().post(f"/api/v1/reuse-checks/{check.id}/outcome",
                                    json={"outcome": "reused", "claim_id": theirs.id},
                                    headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403
    # A claim the user may not see answers exactly as a claim that does not exist.
    answers = [app.test_client().post(
        f"/api/v1/reuse-checks/{stranger_check.id}/outcome",
        json={"outcome": "reused", "claim_id": claim_id},
        headers={"Authorization": f"Bearer {stranger_token}"}) for claim_id in
        (theirs.id, theirs.id + 1000)]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].get_json() == answers[1].get_json()
