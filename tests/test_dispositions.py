"""Final ends at the last stage (sold, donated, recycled, disposed): who may record them,
what each kind needs, how many pieces, corrections by admins, and races."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reuse.extensions import db
from reuse.models import Disposition, Item, Stage, utcnow
from reuse.services import categories, dispositions
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.partners import at_stage, make_partner, make_partner_user, partner_hand_over
from tests.races import Race


@pytest.fixture
def final_item(people, make_item):
    def make(quantity: int = 5, **fields) -> Item:
        return at_stage(make_item(people.member, quantity=quantity, **fields), Stage.FINAL)
    return make


def _end(user, item, kind="disposed", quantity=1, **details):
    disposition = dispositions.record_end(user, item, kind, quantity, **details)
    db.session.commit()
    return disposition


# -- recording ------------------------------------------------------------------------------

def test_each_kind_is_recorded_with_its_detail_and_the_pieces_weight(people, final_item):
    item = final_item(quantity=10)  # kontorstol: 17.5 kg a piece
    sold = _end(people.member, item, "sold", 2, amount_nok=Decimal("300.50"))
    donated = _end(people.member, item, "donated", 1, recipient="Fretex Bergen")
    recycled = _end(people.member, item, "recycled", 3, fraction="metal",
                    weight_kg=Decimal("40.125"))
    disposed = _end(people.unit_admin, item, "disposed", 1)
    assert (sold.amount_nok, sold.waste_kg) == (Decimal("300.50"), Decimal("35.000"))
    assert (donated.recipient, donated.waste_kg) == ("Fretex Bergen", Decimal("17.500"))
    assert (recycled.fraction, recycled.waste_kg) == ("metal", Decimal("40.125"))
    assert disposed.waste_kg == Decimal("17.500")
    assert sold.from_unit_id == people.school.id and sold.weight_kg_used == Decimal("17.5")
    db.session.refresh(item)
    assert (item.quantity_ended, dispositions.pieces_left(item)) == (7, 3)


def test_an_admin_may_record_an_end(people, final_item):
    item = final_item()
    assert _end(people.admin, item).quantity == 1


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_someone_who_does_not_manage_the_item_is_refused(people, final_item, who):
    item = final_item()
    with pytest.raises(PermissionDenied):
        dispositions.record_end(getattr(people, who), item, "disposed", 1)
    assert db.session.query(Disposition).count() == 0


def test_a_partner_may_not_record_an_end(people, final_item):
    user = make_partner_user(make_partner())
    with pytest.raises(PermissionDenied):
        dispositions.record_end(user, final_item(), "disposed", 1)


@pytest.mark.parametrize("stage", [Stage.INTERNAL, Stage.PUBLIC_BODIES, Stage.NONPROFITS])
def test_an_end_before_the_final_stage_is_refused(people, make_item, stage):
    item = at_stage(make_item(people.member, quantity=2), stage)
    with pytest.raises(Conflict) as refused:
        dispositions.record_end(people.member, item, "disposed", 1)
    assert refused.value.code == "wrong_stage"


def test_a_withdrawn_item_takes_no_end(people, final_item):
    item = final_item()
    item.withdrawn_at = utcnow()
    db.session.commit()
    with pytest.raises(Conflict):
        dispositions.record_end(people.member, item, "disposed", 1)


def test_more_pieces_than_are_left_are_refused(people, final_item):
    item = final_item(quantity=3)
    _end(people.member, item, "disposed", 2)
    with pytest.raises(Conflict) as refused:
        dispositions.record_end(people.member, item, "disposed", 2)
    assert refused.value.code == "not_available"
    assert "1" in refused.value.message
    db.session.rollback()
    assert _end(people.member, item, "disposed", 1).quantity == 1
    with pytest.raises(Conflict):
        dispositions.record_end(people.member, item, "disposed", 1)


@pytest.mark.parametrize("quantity", [0, -1, True, 1.5, "2", None, 10_001])
def test_a_quantity_that_is_not_a_sensible_whole_number_is_refused(people, final_item,
                                                                   quantity):
    with pytest.raises(InvalidInput) as refused:
        dispositions.record_end(people.member, final_item(), "disposed", quantity)
    assert refused.value.field == "quantity"


@pytest.mark.parametrize("kind, details, field", [
    ("reused_by_partner", {}, "kind"),
    ("burned", {}, "kind"),
    ("sold", {}, "amount_nok"),
    ("sold", {"amount_nok": Decimal("-1")}, "amount_nok"),
    ("sold", {"amount_nok": Decimal("1.005")}, "amount_nok"),
    ("sold", {"amount_nok": Decimal("10000000.01")}, "amount_nok"),
    ("sold", {"amount_nok": Decimal("NaN")}, "amount_nok"),
    ("sold", {"amount_nok": Decimal("5"), "recipient": "Noen"}, "recipient"),
    ("donated", {}, "recipient"),
    ("donated", {"recipient": "   "}, "recipient"),
    ("donated", {"recipient": "x" * 201}, "recipient"),
    ("donated", {"recipient": "Fretex\u202e"}, "recipient"),
    ("donated", {"recipient": "Fretex", "fraction": "metal"}, "fraction"),
    ("recycled", {}, "fraction"),
    ("recycled", {"fraction": "plastic"}, "fraction"),
    ("recycled", {"fraction": "wood", "amount_nok": Decimal("1")}, "amount_nok"),
    ("disposed", {"recipient": "Noen"}, "recipient"),
    ("disposed", {"weight_kg": Decimal("-0.001")}, "weight_kg"),
    ("disposed", {"weight_kg": Decimal("1.0001")}, "weight_kg"),
    ("disposed", {"weight_kg": Decimal("1000000.001")}, "weight_kg"),
    ("disposed", {"weight_kg": Decimal("Infinity")}, "weight_kg"),
])
def test_bad_input_for_each_kind_is_refused_naming_the_field(people, final_item, kind,
                                                             details, field):
    item = final_item()
    with pytest.raises(InvalidInput) as refused:
        dispositions.record_end(people.member, item, kind, 1, **details)
    assert refused.value.field == field
    db.session.refresh(item)
    assert item.quantity_ended == 0


def test_bad_input_is_refused_before_the_stage_is_looked_at(people, make_item):
    item = make_item(people.member)  # internal
    with pytest.raises(InvalidInput):
        dispositions.record_end(people.member, item, "sold", 1)


@pytest.fixture
def electrical(db, catalog):
    category = categories.get_by_slug("barbar-pc")
    category.electrical = True
    db.session.commit()
    return category


@pytest.mark.parametrize("kind, details", [("sold", {"amount_nok": Decimal("0")}),
                                           ("donated", {"recipient": "Skole i Malawi"})])
def test_an_electrical_item_is_sold_or_donated_only_after_its_safety_check(
        people, final_item, electrical, kind, details):
    item = final_item(category="barbar-pc")
    with pytest.raises(Conflict) as refused:
        dispositions.record_end(people.member, item, kind, 1, **details)
    assert refused.value.code == "not_safety_checked"
    db.session.rollback()
    item.safety_checked_at, item.safety_checked_by_id = utcnow(), people.member.id
    db.session.commit()
    assert _end(people.member, item, kind, 1, **details).kind == kind


def test_an_unchecked_electrical_item_may_still_be_recycled_or_disposed(people, final_item,
                                                                        electrical):
    item = final_item(category="barbar-pc")
    _end(people.member, item, "recycled", 1, fraction="electrical")
    _end(people.member, item, "disposed", 1)


# -- corrections ----------------------------------------------------------------------------

def test_an_admin_reverses_an_end_once_and_its_pieces_come_back(people, final_item):
    item = final_item(quantity=3)
    sold = _end(people.member, item, "sold", 3, amount_nok=Decimal("120"))
    assert dispositions.pieces_left(item) == 0
    reversal = dispositions.reverse(people.admin, sold, "Feil ting")
    db.session.commit()
    assert (reversal.quantity, reversal.waste_kg, reversal.amount_nok) == \
        (-3, Decimal("-52.500"), Decimal("-120.00"))
    assert reversal.reverses_id == sold.id and reversal.reason == "Feil ting"
    db.session.refresh(item)
    assert (item.quantity_ended, dispositions.pieces_left(item)) == (0, 3)
    with pytest.raises(Conflict):
        dispositions.reverse(people.admin, sold, "Igjen")
    with pytest.raises(Conflict):
        dispositions.reverse(people.admin, reversal, "Korrigering av korrigering")
    # The pieces can be given their true end now.
    assert _end(people.member, item, "donated", 3, recipient="Kirkens bymisjon").quantity == 3


@pytest.mark.parametrize("who", ["member", "unit_admin", "outsider"])
def test_only_admins_reverse(people, final_item, who):
    disposition = _end(people.member, final_item())
    with pytest.raises(PermissionDenied):
        dispositions.reverse(getattr(people, who), disposition, "Feil")


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, "Feil\x00"])
def test_a_reversal_needs_a_sensible_reason(people, final_item, reason):
    disposition = _end(people.member, final_item())
    with pytest.raises(InvalidInput) as refused:
        dispositions.reverse(people.admin, disposition, reason)
    assert refused.value.field == "reason"


def test_reversing_a_partner_hand_over_leaves_the_pieces_handed_over(people, make_item):
    partner_user = make_partner_user(make_partner("public_body"))
    item = make_item(people.member, quantity=2)
    hand_over = partner_hand_over(people.member, partner_user, item, 2)
    dispositions.reverse(people.admin, hand_over, "Ført på feil organisasjon")
    db.session.commit()
    db.session.refresh(item)
    assert item.quantity_handed_over == 2 and item.quantity_ended == 0


# -- races ----------------------------------------------------------------------------------

def test_two_ends_at_once_cannot_end_the_same_pieces_twice(app, db, people, final_item):
    item = final_item(quantity=3)
    item_id, user_ids = item.id, (people.member.id, people.unit_admin.id)
    db.session.commit()
    race = Race(app, db, 2)

    def attempt(user_id):
        def run():
            from reuse.models import User
            user, target = db.session.get(User, user_id), db.session.get(Item, item_id)
            db.session.commit()
            race.start()
            dispositions.record_end(user, target, "disposed", 2)
            return "ended"
        return run

    outcomes = race.run([attempt(user_id) for user_id in user_ids], refused=Conflict)
    assert outcomes == ["ended", "refused"]
    db.session.expire_all()
    assert db.session.get(Item, item_id).quantity_ended == 2
    assert db.session.query(Disposition).count() == 1


def test_two_admins_reversing_at_once_write_one_reversal(app, db, people, final_item):
    disposition = _end(people.member, final_item(quantity=2), "disposed", 2)
    ids = (disposition.id, people.admin.id)
    db.session.commit()
    race = Race(app, db, 2)

    def attempt():
        from reuse.models import User
        target, admin = db.session.get(Disposition, ids[0]), db.session.get(User, ids[1])
        db.session.commit()
        race.start()
        dispositions.reverse(admin, target, "Feil")
        return "reversed"

    assert race.run([attempt, attempt], refused=Conflict) == ["refused", "reversed"]
    db.session.expire_all()
    item = db.session.get(Disposition, ids[0]).item
    assert item.quantity_ended == 0 and item.quantity_handed_over == 0


# -- the item page and the correction page --------------------------------------------------

def test_the_item_page_offers_the_form_to_its_managers_at_the_final_stage(
        client, log_in, people, make_item, final_item):
    from tests.conftest import page_text
    item = final_item(quantity=4)
    log_in(people.member)
    text = page_text(client.get(f"/items/{item.id}"))
    assert "Hva skjedde med det som er igjen?" in text and "Registrer" in text
    early = make_item(people.member)
    assert "Hva skjedde med det som er igjen?" not in page_text(client.get(f"/items/{early.id}"))


def test_the_form_is_not_shown_to_others(client, log_in, people, final_item):
    from tests.conftest import page_text
    item = final_item()
    log_in(people.outsider)
    assert "Hva skjedde med det som er igjen?" not in page_text(client.get(f"/items/{item.id}"))
    response = client.submit(f"/items/{item.id}/dispositions",
                             {"kind": "disposed", "quantity": "1"})
    assert response.status_code == 403


def test_recording_an_end_on_the_web(client, log_in, people, final_item):
    from tests.conftest import page_text
    item = final_item(quantity=4)
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/dispositions",
                             {"kind": "sold", "quantity": "2", "amount_nok": "1 250,50",
                              "recipient": "ignored for a sale"})
    assert response.status_code == 302
    row = db.session.query(Disposition).one()
    assert (row.kind, row.quantity, row.amount_nok, row.recipient) == \
        ("sold", 2, Decimal("1250.50"), "")
    text = page_text(client.get(f"/items/{item.id}"))
    assert "Registrert så langt" in text and "Solgt" in text


@pytest.mark.parametrize("data, message, field", [
    ({"quantity": "1"}, "Velg hva som skjedde med tingene.", "kind"),
    ({"kind": "sold", "quantity": "1"}, "Skriv hvor mye dere fikk for tingene", "amount_nok"),
    ({"kind": "donated", "quantity": "1"}, "Skriv hvem tingene ble gitt til.", "recipient"),
    ({"kind": "recycled", "quantity": "1"}, "Velg hvilken fraksjon", "fraction"),
    ({"kind": "disposed", "quantity": "1", "weight_kg": "-2"}, "Vekten må være", "weight_kg"),
    ({"kind": "disposed", "quantity": "9"}, "Bare 4 stk. er igjen", None),
    ({"kind": "disposed", "quantity": "x"}, "", "quantity"),
])
def test_web_refusals_are_form_errors(client, log_in, people, final_item, data, message,
                                      field):
    from tests.conftest import page_text
    item = final_item(quantity=4)
    log_in(people.member)
    response = client.submit(f"/items/{item.id}/dispositions", data)
    assert response.status_code == 422
    assert message in page_text(response) and "Rett opp dette" in page_text(response)
    if field:
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.query(Disposition).count() == 0


def test_an_admin_corrects_an_end_on_its_page(client, log_in, people, final_item):
    from tests.conftest import page_text
    item = final_item(quantity=2)
    row = _end(people.member, item, "disposed", 2)
    log_in(people.admin)
    assert "Korriger" in page_text(client.get(f"/items/{item.id}"))
    page = client.get(f"/dispositions/{row.id}/reverse")
    assert page.status_code == 200 and "Før motpostering" in page_text(page)
    empty = client.submit(f"/dispositions/{row.id}/reverse", {"reason": ""})
    assert empty.status_code == 422 and "Skriv hvorfor føringen korrigeres." in page_text(empty)
    done = client.submit(f"/dispositions/{row.id}/reverse", {"reason": "Feil ting"})
    assert done.status_code == 302
    db.session.refresh(item)
    assert dispositions.pieces_left(item) == 2
    again = client.submit(f"/dispositions/{row.id}/reverse", {"reason": "Igjen"})
    assert again.status_code == 422 and "allerede korrigert" in page_text(again)
    assert db.session.query(Disposition).count() == 2


@pytest.mark.parametrize("who", ["member", "unit_admin"])
def test_only_admins_reach_the_correction_page(client, log_in, people, final_item, who):
    row = _end(people.member, final_item())
    log_in(getattr(people, who))
    assert client.get(f"/dispositions/{row.id}/reverse").status_code == 403
    assert client.submit(f"/dispositions/{row.id}/reverse",
                         {"reason": "Feil"}).status_code == 403
    assert client.get("/dispositions/999999/reverse").status_code == 404
