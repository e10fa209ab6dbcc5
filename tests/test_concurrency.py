"""Many people claiming the last pieces, or uploading the last photos, at the same moment: the
database decides, exactly."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from reuse.models import Claim, Item, Photo, User
from reuse.services import claims
from reuse.services.errors import Conflict
from tests.races import Race

# Fewer than the connection pool's 15, so every claimant holds a connection at the same time.
CLAIMANTS = 12
AVAILABLE = 5



def claim_one(db, race, user_id: int, item_id: int):
    """A race attempt: the user claims one piece of the item at the starting signal."""
    def attempt() -> str:
        user, target = db.session.get(User, user_id), db.session.get(Item, item_id)
        db.session.commit()
        race.start()
        claims.claim_item(user, target, 1)
        return "granted"
    return attempt

def test_exactly_the_available_quantity_is_granted_when_claims_race(app, db, people, make_item,
                                                                    make_user, make_unit):
    item = make_item(people.member, title="Siste stoler", quantity=AVAILABLE + 3)
    item.quantity_reserved = 3  # already promised: only AVAILABLE are left
    db.session.commit()
    unit = make_unit("Etat for inkludering")
    user_ids = [make_user(unit).id for _ in range(CLAIMANTS)]
    item_id = item.id

    race = Race(app, db, CLAIMANTS)

    outcomes = race.run([claim_one(db, race, uid, item_id) for uid in user_ids],
                        refused=Conflict)
    assert outcomes == ["granted"] * AVAILABLE + ["refused"] * (CLAIMANTS - AVAILABLE)
    db.session.expire_all()
    item = db.session.get(Item, item_id)
    assert item.quantity_reserved == item.quantity
    assert item.quantity_available == 0
    assert db.session.scalar(select(func.count()).select_from(Claim)) == AVAILABLE


LINKERS = 6


def test_one_claim_closes_one_check_when_links_race(app, db, people, make_item, make_unit,
                                                      make_user):
    """Six requests at once, each closing a different check with the same claim."""
    from reuse.models import ReuseCheck
    from reuse.services import checks

    item = make_item(make_user(make_unit("Etat for utleie")), title="Stoler", quantity=3)
    claim = claims.claim_item(people.member, item, 1)
    check_ids = [checks.create_check(people.member, f"stoler {n}").id for n in range(LINKERS)]
    db.session.commit()
    claim_id, member_id = claim.id, people.member.id

    race = Race(app, db, LINKERS)

    def link_to(check_id: int):
        def attempt() -> str:
            user = db.session.get(User, member_id)
            check = db.session.get(ReuseCheck, check_id)
            target = db.session.get(Claim, claim_id)
            db.session.commit()
            race.start()
            checks.link_claim(user, check, target)
            return "linked"
        return attempt

    outcomes = race.run([link_to(check_id) for check_id in check_ids], refused=Conflict)
    assert outcomes == ["linked"] + ["refused"] * (LINKERS - 1)
    db.session.expire_all()
    closed = db.session.scalars(select(ReuseCheck).where(ReuseCheck.outcome.is_not(None))).all()
    assert [(check.outcome, check.claim_id) for check in closed] == [("claimed", claim_id)]
    assert db.session.get(Claim, claim_id).reuse_check_id == closed[0].id


OPEN_LIMIT = 4


def test_one_person_gets_exactly_the_open_claim_limit_when_claims_race(app, db, people,
                                                                      make_item, make_unit,
                                                                      make_user, monkeypatch):
    """Twelve claims by one person on twelve items at the same moment: the limit holds."""
    monkeypatch.setitem(app.config, "OPEN_CLAIMS_PER_PERSON", OPEN_LIMIT)
    lister = make_user(make_unit("Etat for utlån"))
    item_ids = [make_item(lister, title=f"Hylle {n}", quantity=2).id for n in range(CLAIMANTS)]
    claimant_id = people.member.id

    race = Race(app, db, CLAIMANTS)

    outcomes = race.run([claim_one(db, race, claimant_id, item_id) for item_id in item_ids],
                        refused=Conflict,
                        outcome_of_refusal=lambda refusal: refusal.code)
    assert outcomes == (["granted"] * OPEN_LIMIT
                        + ["too_many_open_claims"] * (CLAIMANTS - OPEN_LIMIT))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim)) == OPEN_LIMIT
    assert db.session.get(User, claimant_id).open_claims == OPEN_LIMIT
    reserved = db.session.scalar(select(func.sum(Item.quantity_reserved)))
    assert reserved == OPEN_LIMIT  # the refused claims left no pieces held back


# Fewer than the connection pool's 15, as above.
UPLOADERS = 6


def test_photos_uploaded_in_parallel_stay_within_the_per_item_limit(app, db, people, make_item,
                                                                     monkeypatch):
    """Six uploads that all found room before any was stored: the database lets in only as
    many as the limit has places for."""
    from reuse.services import photos
    from reuse.services.errors import InvalidInput
    from tests.conftest import jpeg_bytes

    limit = app.config["PHOTOS_PER_ITEM"]
    item = make_item(people.member, title="Bokhylle")
    photos.add_photos(people.member, item, [photos.Upload(io.BytesIO(jpeg_bytes()), "a.jpg")])
    db.session.commit()
    places = limit - 1
    item_id, user_id = item.id, people.member.id

    # Everyone meets here after the early check and the decoding, before storing: the moment
    # a count-then-insert lets them all through.
    race = Race(app, db, UPLOADERS)
    encode = photos.encode

    def encode_then_wait(upload, max_bytes):
        result = encode(upload, max_bytes)
        race.start()
        return result

    monkeypatch.setattr(photos, "encode", encode_then_wait)

    def upload(number: int):
        def attempt() -> str:
            user = db.session.get(User, user_id)
            target = db.session.get(Item, item_id)
            db.session.commit()
            photos.add_photos(user, target, [photos.Upload(io.BytesIO(jpeg_bytes()),
                                                           f"{number}.jpg")])
            return "stored"
        return attempt

    outcomes = race.run([upload(n) for n in range(UPLOADERS)], refused=InvalidInput)
    assert outcomes == ["refused"] * (UPLOADERS - places) + ["stored"] * places
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Photo)
                             .where(Photo.item_id == item_id)) == limit
    assert db.session.get(Item, item_id).photo_count == limit


def test_an_item_withdrawn_twice_at_once_is_withdrawn_and_told_once(app, db, people,
                                                                    make_item):
    """Two confirmations at the same moment (a double click): the approved claimant hears
    of the withdrawal once."""
    from reuse.models import Item, Notification
    from reuse.services import items

    chairs = make_item(people.member, quantity=3)
    claims.approve(people.member, claims.claim_item(people.outsider, chairs, 1))
    db.session.commit()
    item_id, lister_id, claimant_id = chairs.id, people.member.id, people.outsider.id
    race = Race(app, db, 2)

    def withdraw() -> str:
        user, item = db.session.get(User, lister_id), db.session.get(Item, item_id)
        db.session.commit()
        race.start()
        items.withdraw_item(user, item)
        return "withdrawn"

    assert race.run([withdraw, withdraw], refused=Conflict) == ["refused", "withdrawn"]
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == claimant_id, Notification.kind == "item_withdrawn")).all()
    assert len(told) == 1


def test_two_refinements_at_once_each_file_the_search_they_replaced(app, db, people,
                                                                    make_item):
    """A double submit of "Søk på nytt": the receipt keeps the original search once, then the
    first new one, and shows the second; no search is filed under another's need."""
    from reuse.models import ReuseCheck
    from reuse.models.checks import ReuseCheckSearch
    from reuse.services import checks

    make_item(people.member, title="Bokhylle")
    check = checks.create_check(people.outsider, "hylle")
    db.session.commit()
    check_id, user_id = check.id, people.outsider.id
    race = Race(app, db, 2)

    def refine(need: str):
        def attempt() -> str:
            user, target = db.session.get(User, user_id), db.session.get(ReuseCheck, check_id)
            db.session.commit()
            race.start()
            checks.refine_check(user, target, need)
            return "refined"
        return attempt

    assert race.run([refine("bokhylle"), refine("reol")], refused=Conflict) == ["refined"] * 2
    db.session.expire_all()
    earlier = sorted(db.session.scalars(select(ReuseCheckSearch.need).where(
        ReuseCheckSearch.check_id == check_id)))
    shown = db.session.get(ReuseCheck, check_id).need
    assert "hylle" in earlier and sorted([*earlier, shown]) == ["bokhylle", "hylle", "reol"]


def test_a_double_click_on_claim_from_the_search_records_one_check_and_one_claim(
        app, db, people, make_item):
    """The search page's "Be om" sent twice at once with the same form: the database takes
    one check and one claim, refuses the other, and the page finds the first for it."""
    from reuse.models import ReuseCheck
    from reuse.services import checks

    item = make_item(people.member, title="Bokhylle", quantity=5)
    db.session.commit()
    item_id, user_id = item.id, people.outsider.id
    race = Race(app, db, 2)

    def claim_from_search() -> str:
        user, target = db.session.get(User, user_id), db.session.get(Item, item_id)
        db.session.commit()
        race.start()
        checks.claim_from_search(user, target, 2, "bokhylle", submission="same-form")
        return "claimed"

    outcomes = race.run([claim_from_search, claim_from_search],
                        refused=checks.AlreadySubmitted)
    assert outcomes == ["claimed", "refused"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ReuseCheck)) == 1
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1
    assert db.session.get(Item, item_id).quantity_reserved == 2
    check, claim = checks.submitted(people.outsider, item_id, "same-form")
    assert (check.outcome, check.claim_id) == ("claimed", claim.id)


def test_a_new_form_or_another_item_claims_again(db, people, make_item):
    """The key stops only the same form sent again: another search or item is a new claim."""
    from reuse.services import checks

    shelf = make_item(people.member, title="Bokhylle", quantity=5)
    other = make_item(people.member, title="Bokhylle, hvit", quantity=5)
    first = checks.claim_from_search(people.outsider, shelf, 1, "bokhylle", submission="a")
    db.session.commit()
    with pytest.raises(checks.AlreadySubmitted):
        checks.claim_from_search(people.outsider, shelf, 1, "bokhylle", submission="a")
    db.session.rollback()
    assert checks.submitted(people.outsider, shelf.id, "a") == first
    checks.claim_from_search(people.outsider, other, 1, "bokhylle", submission="a")
    checks.claim_from_search(people.outsider, shelf, 1, "bokhylle", submission="b")
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 3
