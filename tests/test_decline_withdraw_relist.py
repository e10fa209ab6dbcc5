"""Declining says why, withdrawing asks first, and a withdrawn item can be listed again."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from reuse.models import Claim, Item, Notification
from reuse.services import claims, items, permissions, photos
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.conftest import jpeg_bytes, page_text


@pytest.fixture
def pending(db, people, make_item):
    """A pending claim by the outsider on the member's two chairs."""
    chairs = make_item(people.member, title="Kontorstoler", quantity=2)
    claim = claims.claim_item(people.outsider, chairs, 1, "Kan vi hente på fredag?")
    db.session.commit()
    return claim


def _notifications_of(db, user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


# -- declining with a reason ------------------------------------------------------------

def test_the_declined_claimant_reads_the_reason_on_the_claim_and_in_the_notification(
        client, log_in, people, pending, db):
    log_in(people.member)
    form = page_text(client.get(f"/claims/{pending.id}/decline?next=/claims/incoming"))
    assert "Allerede gitt bort" in form and "Annen grunn" in form
    response = client.submit(f"/claims/{pending.id}/decline",
                             {"reason": "already_given", "message": "Beklager!",
                              "next": "/claims/incoming"})
    assert response.status_code == 302 and response.location.endswith("/claims/incoming")
    client.submit("/logout")

    log_in(people.outsider)
    page = page_text(client.get(f"/claims/{pending.id}"))
    assert "Grunn til avslaget Allerede gitt bort" in page
    assert "Beklager!" in page
    [told] = [n for n in _notifications_of(db, people.outsider) if n.kind == "claim_declined"]
    assert "Grunn: Allerede gitt bort" in told.body and "Beklager!" in told.body


def test_declining_on_the_page_needs_a_reason_and_words_for_another_reason(
        client, log_in, people, pending, db):
    log_in(people.member)
    response = client.submit(f"/claims/{pending.id}/decline", {"message": "Nei"})
    assert response.status_code == 422
    assert "Velg hvorfor forespørselen avslås." in page_text(response)
    response = client.submit(f"/claims/{pending.id}/decline", {"reason": "other"})
    assert response.status_code == 422
    assert "Skriv kort hvorfor forespørselen avslås." in page_text(response)
    db.session.refresh(pending)
    assert pending.status == "pending"

    assert client.submit(f"/claims/{pending.id}/decline",
                         {"reason": "other", "message": "Skal brukes på loftet"}
                         ).status_code == 302
    db.session.refresh(pending)
    assert (pending.status, pending.decline_reason, pending.decision_message) == (
        "declined", "other", "Skal brukes på loftet")


def test_the_service_refuses_an_unknown_reason_and_the_withdrawal_code(people, pending):
    for reason in ("because", "item_withdrawn"):
        with pytest.raises(InvalidInput):
            claims.decline(people.member, pending, "", reason)


def test_the_api_declines_with_a_reason_and_still_without_one(api, people, make_item, db):
    chairs = make_item(people.member, quantity=3)
    first = claims.claim_item(people.outsider, chairs, 1)
    second = claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    lister = api(people.member)

    with_reason = lister.post(f"/api/v1/claims/{first.id}/decline",
                              json={"reason": "collection_not_possible",
                                    "message": "Ikke før jul"})
    assert with_reason.status_code == 200
    assert with_reason.get_json()["decline_reason"] == "collection_not_possible"
    assert with_reason.get_json()["decision_message"] == "Ikke før jul"

    without = lister.post(f"/api/v1/claims/{second.id}/decline", json={"message": "Nei"})
    assert without.status_code == 200
    assert (without.get_json()["status"], without.get_json()["decline_reason"]) == (
        "declined", None)
    # The claimant reads the same through the API.
    seen = api(people.outsider).get(f"/api/v1/claims/{first.id}").get_json()
    assert seen["decline_reason"] == "collection_not_possible"


def test_the_api_refuses_an_unknown_reason_and_other_without_words(api, people, pending, db):
    lister = api(people.member)
    for body in ({"reason": "lei"}, {"reason": "other"}, {"reason": 3}):
        answer = lister.post(f"/api/v1/claims/{pending.id}/decline", json=body)
        assert answer.status_code in (400, 422), body
    db.session.refresh(pending)
    assert pending.status == "pending"


def test_only_the_item_side_may_open_the_decline_page_or_decline(client, log_in, people,
                                                                 pending, db):
    log_in(people.outsider)
    # The claimant sees the claim, and is sent back to it rather than to a form.
    assert client.get(f"/claims/{pending.id}/decline").status_code == 302
    assert client.submit(f"/claims/{pending.id}/decline",
                         {"reason": "already_given"}).status_code == 403
    with pytest.raises(PermissionDenied):
        claims.decline(people.colleague, pending, "", "already_given")
    db.session.refresh(pending)
    assert pending.status == "pending"


# -- confirming a cancellation and a withdrawal -------------------------------------------

def test_cancelling_ones_claim_takes_a_confirmation(client, log_in, people, pending, db):
    log_in(people.outsider)
    response = client.submit(f"/claims/{pending.id}/cancel")
    assert response.status_code == 200
    text = page_text(response)
    assert "Trekke tilbake forespørselen?" in text and "blir ledige for andre" in text
    db.session.refresh(pending)
    assert pending.status == "pending"

    response = client.submit(f"/claims/{pending.id}/cancel", {"confirm": "yes"})
    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status == "cancelled"


def test_withdrawing_takes_a_confirmation_that_names_who_is_declined(client, log_in, people,
                                                                     pending, db):
    item = pending.item
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/withdraw")
    assert response.status_code == 200
    text = page_text(response)
    assert "Annonsen forsvinner fra katalogen" in text
    assert "Forespørselen fra Lars Vik (Landås barnehage) om 1 stk. blir avslått" in text
    db.session.refresh(item)
    assert item.withdrawn_at is None and pending.status == "pending"

    response = client.submit(f"/items/{item.id}/withdraw",
                             {"confirm": "yes", "message": "Skolen trenger dem selv"})
    assert response.status_code == 302
    # The lister lands on the item, told how to list it again, with the button to do it.
    assert response.location == f"/items/{item.id}"
    landed = page_text(client.get(response.location))
    assert "er trukket tilbake og vises ikke lenger for andre" in landed
    assert "kan du legge dem ut igjen nederst på denne siden" in landed
    assert "Legg ut igjen" in landed
    db.session.refresh(item)
    db.session.refresh(pending)
    assert item.withdrawn_at is not None
    assert (pending.status, pending.decline_reason, pending.decision_message) == (
        "declined", "item_withdrawn", "Skolen trenger dem selv")
    [told] = [n for n in _notifications_of(db, people.outsider) if n.kind == "claim_declined"]
    assert "Annonsen ble trukket tilbake" in told.body
    assert "Skolen trenger dem selv" in told.body


def test_an_approved_claimant_is_told_the_listing_is_gone_and_the_claim_stands(
        people, make_item, db):
    desk = make_item(people.member, title="Skrivebord", quantity=1)
    claim = claims.claim_item(people.outsider, desk, 1)
    claims.approve(people.member, claim)
    items.withdraw_item(people.member, desk)
    db.session.commit()
    assert claim.status == "approved"
    [told] = [n for n in _notifications_of(db, people.outsider) if n.kind == "item_withdrawn"]
    assert "fortsatt godkjent" in told.body


# -- listing a withdrawn item again ------------------------------------------------------

def _with_photo(people, make_item, db, **overrides) -> Item:
    item = make_item(people.member, title="Lenestol i skinn", description="Brun, litt slitt",
                     quantity=3, **overrides)
    photos.add_photos(people.member, item, [photos.Upload(io.BytesIO(jpeg_bytes()), "stol.jpg",
                                                          "Brun lenestol forfra")])
    db.session.commit()
    return item


def test_relisting_makes_a_new_available_copy_with_its_photos(client, log_in, people,
                                                              make_item, db):
    old = _with_photo(people, make_item, db)
    items.withdraw_item(people.member, old)
    db.session.commit()
    log_in(people.member)
    assert "Legg ut igjen" in page_text(client.get(f"/items/{old.id}"))

    response = client.submit(f"/items/{old.id}/relist")
    assert response.status_code == 302
    new = db.session.scalar(select(Item).where(Item.id != old.id,
                                               Item.title == "Lenestol i skinn"))
    assert response.location.endswith(f"/items/{new.id}/edit")
    assert (new.description, new.category_id, new.condition, new.quantity,
            new.location_address, new.unit_id) == (
        old.description, old.category_id, old.condition, 3, old.location_address, old.unit_id)
    assert new.status == "available" and new.withdrawn_at is None
    [copy] = new.photos
    [original] = old.photos
    assert copy.alt_text == "Brun lenestol forfra" and copy.filename != original.filename
    assert new.photo_count == 1
    # The copy's file is served; the old listing stays withdrawn with its own.
    assert client.get(f"/photos/{copy.filename}").status_code == 200
    db.session.refresh(old)
    assert old.withdrawn_at is not None and len(old.photos) == 1
    client.submit("/logout")
    log_in(people.outsider)
    assert client.get(f"/items/{new.id}").status_code == 200
    assert client.get(f"/items/{old.id}").status_code == 404


def test_relisting_offers_what_was_not_handed_over_or_promised(people, make_item, db):
    chairs = make_item(people.member, quantity=5)
    claims.approve(people.member, claims.claim_item(people.outsider, chairs, 2))
    items.withdraw_item(people.member, chairs)
    new = items.relist_item(people.member, chairs)
    assert new.quantity == 3


def test_a_withdrawn_item_is_listed_again_once(client, log_in, people, make_item, db):
    """A double click, or a colleague at the same moment, must not list the pieces twice."""
    chairs = make_item(people.member, quantity=3)
    items.withdraw_item(people.member, chairs)
    db.session.commit()
    log_in(people.member)
    first = client.submit(f"/items/{chairs.id}/relist")
    second = client.submit(f"/items/{chairs.id}/relist")
    assert first.status_code == second.status_code == 302
    relisted = db.session.scalars(select(Item).where(Item.relisted_from_id == chairs.id)).all()
    assert len(relisted) == 1
    assert "allerede lagt ut igjen" in page_text(client.get(second.headers["Location"]))
    page = page_text(client.get(f"/items/{chairs.id}"))
    assert "Se den nye annonsen med de samme tingene" in page and "Legg ut igjen" not in page
    with pytest.raises(Conflict):
        items.relist_item(people.admin, chairs)


def test_two_relists_at_once_make_one_listing(app, people, make_item, db):
    """The unique index decides, however the two requests interleave."""
    chairs = make_item(people.member, quantity=3)
    items.withdraw_item(people.member, chairs)
    db.session.commit()
    first = items.relist_item(people.member, chairs)
    # The second sees no relisting yet (as a parallel request would) and is refused by the
    # database when it writes.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(items, "relisted_as", lambda item: None)
        with pytest.raises(Conflict):
            items.relist_item(people.unit_admin, chairs)
    db.session.commit()
    assert db.session.scalars(select(Item.id).where(Item.relisted_from_id == chairs.id)).all() \
        == [first.id]


def test_only_withdrawn_items_with_something_left_can_be_relisted(people, make_item, db):
    listed = make_item(people.member)
    with pytest.raises(Conflict):
        items.relist_item(people.member, listed)
    promised = make_item(people.member, quantity=1)
    claims.approve(people.member, claims.claim_item(people.outsider, promised, 1))
    items.withdraw_item(people.member, promised)
    with pytest.raises(Conflict):
        items.relist_item(people.member, promised)


@pytest.mark.parametrize("who, may", [("member", True), ("unit_admin", True), ("admin", True),
                                      ("colleague", False), ("outsider", False)])
def test_who_may_relist_is_who_managed_the_listing(people, make_item, db, who, may):
    item = make_item(people.member)
    items.withdraw_item(people.member, item)
    user = getattr(people, who)
    assert permissions.can_relist_item(user, item) is may
    if may:
        assert items.relist_item(user, item).unit_id == people.school.id
    else:
        with pytest.raises(PermissionDenied):
            items.relist_item(user, item)


def test_a_colleague_gets_no_relist_button_and_a_crafted_post_is_refused(client, log_in,
                                                                        people, make_item, db):
    item = make_item(people.member, title="Gammel reol")
    items.withdraw_item(people.member, item)
    db.session.commit()
    log_in(people.colleague)
    assert client.get(f"/items/{item.id}").status_code == 404
    assert client.submit(f"/items/{item.id}/relist").status_code == 404
    assert db.session.scalar(select(Item).where(Item.id != item.id)) is None
    assert db.session.scalar(select(Claim)) is None
