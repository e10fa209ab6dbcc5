"""Claim → approve → collect, every refusal on the way, and the reuse record it leaves."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from reuse.models import AuditEvent, Claim, Notification, ReuseRecord
from reuse.services import claims, items, ledger, notifications
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.conftest import page_text
from tests.test_api_contract import call, code, tok  # noqa: F401  (tok is a fixture)
from tests.test_migrations import run_migration


@pytest.fixture
def chairs(people, make_item):
    """Six office chairs at the school (category defaults: 4500 kr, 17.5 kg, 72 kg CO2e)."""
    return make_item(people.member, title="Kontorstoler HÅG", quantity=6)


def audit_actions(db, claim) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "claim",
                                        AuditEvent.object_id == claim.id)
        .order_by(AuditEvent.id)))


# -- claiming ----------------------------------------------------------------------------

def test_claim_reserves_the_quantity_at_once(people, chairs, db):
    claim = claims.claim_item(people.outsider, chairs, 4, "Kan hente fredag")
    db.session.commit()
    assert claim.status == "pending"
    assert claim.unit_id == people.kindergarten.id
    db.session.refresh(chairs)
    assert (chairs.quantity_reserved, chairs.quantity_available) == (4, 2)


def test_claiming_ones_own_units_item_is_refused(people, chairs):
    with pytest.raises(PermissionDenied, match="egen enhet"):
        claims.claim_item(people.colleague, chairs, 1)


def test_claiming_more_than_is_available_is_a_conflict(people, chairs, db):
    claims.claim_item(people.outsider, chairs, 5)
    db.session.commit()
    with pytest.raises(Conflict, match="Det er bare 1 ledig nå, så 2 kan ikke reserveres."):
        claims.claim_item(people.admin, chairs, 2)


@pytest.mark.parametrize("quantity", [0, -1, 10_001, True, 1.5, "2"])
def test_odd_quantities_are_refused(people, chairs, quantity):
    with pytest.raises(InvalidInput):
        claims.claim_item(people.outsider, chairs, quantity)


def test_withdrawn_item_cannot_be_claimed(people, chairs, db):
    items.withdraw_item(people.member, chairs)
    db.session.commit()
    with pytest.raises(Conflict, match="trukket tilbake"):
        claims.claim_item(people.outsider, chairs, 1)


def test_new_claim_notifies_the_lister_in_the_app_and_by_mail(client, people, chairs, db,
                                                             mailbox, log_in):
    log_in(people.outsider)
    response = client.submit(f"/items/{chairs.id}/claim",
                             {"quantity": "2", "message": "Vi henter med bil"})
    assert response.status_code == 302
    [mail] = mailbox.to(people.member.email)
    assert mail["Subject"] == "Ny forespørsel: Kontorstoler HÅG"
    body = mail.get_content()
    assert "Lars Vik (Landås barnehage) ber om 2 stk. «Kontorstoler HÅG»" in body
    assert "Vi henter med bil" in body
    claim = db.session.scalar(select(Claim))
    assert f"https://gjenbruk.test/claims/{claim.id}" in body
    note = db.session.scalar(select(Notification).where(
        Notification.user_id == people.member.id))
    assert note.emailed_at is not None and note.read_at is None


def test_auto_approved_item_approves_claims_at_once(people, make_item, db, mailbox):
    item = make_item(people.member, quantity=3, auto_approve=True)
    claim = claims.claim_item(people.outsider, item, 1)
    db.session.commit()
    assert claim.status == "approved" and claim.decided_at is not None
    assert claims.available_actions(people.outsider, claim) == {"cancel", "collect"}


# -- deciding ----------------------------------------------------------------------------

@pytest.fixture
def pending(people, chairs, db):
    claim = claims.claim_item(people.outsider, chairs, 2)
    db.session.commit()
    return claim


@pytest.mark.parametrize("who", ["member", "unit_admin", "admin"])
def test_lister_unit_admin_and_admin_may_approve(people, pending, db, who, mailbox):
    claims.approve(getattr(people, who), pending, "Velkommen!")
    db.session.commit()
    notifications.deliver_committed()
    assert pending.status == "approved"
    [mail] = mailbox.to(people.outsider.email)
    assert mail["Subject"] == "Godkjent: Kontorstoler HÅG" and "Velkommen!" in mail.get_content()


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_others_may_not_approve_or_decline(people, pending, who):
    with pytest.raises(PermissionDenied):
        claims.approve(getattr(people, who), pending)
    with pytest.raises(PermissionDenied):
        claims.decline(getattr(people, who), pending)


def test_decline_gives_the_quantity_back(people, pending, chairs, db):
    claims.decline(people.member, pending, "Allerede lovet bort")
    db.session.commit()
    db.session.refresh(chairs)
    assert pending.status == "declined" and chairs.quantity_available == 6


def test_a_claim_cannot_be_decided_twice(people, pending, db):
    claims.approve(people.member, pending)
    db.session.commit()
    with pytest.raises(Conflict, match="kan ikke avslås nå: den er godkjent"):
        claims.decline(people.unit_admin, pending)


@pytest.mark.parametrize("approve_first", [False, True])
def test_claimant_cancels_and_the_quantity_returns(people, pending, chairs, db, approve_first):
    if approve_first:
        claims.approve(people.member, pending)
    claims.cancel(people.outsider, pending)
    db.session.commit()
    db.session.refresh(chairs)
    assert pending.status == "cancelled" and chairs.quantity_available == 6


def test_only_the_claimant_may_cancel(people, pending):
    with pytest.raises(PermissionDenied):
        claims.cancel(people.member, pending)


# -- collecting and the ledger ------------------------------------------------------------

@pytest.fixture
def approved(people, pending, db):
    claims.approve(people.member, pending)
    db.session.commit()
    return pending


def test_collection_writes_the_reuse_record_with_exact_figures(people, approved, chairs, db):
    claims.collect(people.outsider, approved, replaces_purchase=True,
                   costs_nok=Decimal("250.50"))
    db.session.commit()
    record = db.session.scalar(select(ReuseRecord))
    assert approved.status == "collected"
    assert (record.from_unit_id, record.to_unit_id) == (people.school.id, people.kindergarten.id)
    assert record.category_id == chairs.category_id and record.quantity == 2
    assert record.new_price_nok_used == Decimal("4500.00")
    assert record.weight_kg_used == Decimal("17.500")
    assert record.co2e_kg_used == Decimal("72.000")
    assert record.avoided_cost_nok == Decimal("8749.50")  # 2 × 4500 − 250.50
    assert record.avoided_co2e_kg == Decimal("144.000")
    assert record.avoided_waste_kg == Decimal("35.000")
    db.session.refresh(chairs)
    assert (chairs.quantity_reserved, chairs.quantity_handed_over) == (0, 2)
    assert audit_actions(db, approved) == ["claim.created", "claim.approved", "claim.collected"]


def test_no_replaced_purchase_counts_waste_only(people, approved, db):
    claims.collect(people.outsider, approved, replaces_purchase=False, costs_nok=Decimal("100"))
    record = approved.reuse_record
    assert (record.avoided_cost_nok, record.avoided_co2e_kg) == (0, 0)
    assert record.avoided_waste_kg == Decimal("35.000")
    assert record.costs_nok == Decimal("100.00")


def test_item_price_and_weight_override_the_category(people, make_item, db):
    desk = make_item(people.member, category="skrivebord", quantity=3,
                     new_price_nok=Decimal("3333.33"), weight_kg=Decimal("41.125"))
    claim = claims.claim_item(people.outsider, desk, 3)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, replaces_purchase=True)
    record = claim.reuse_record
    assert record.avoided_cost_nok == Decimal("9999.99")
    assert record.avoided_waste_kg == Decimal("123.375")
    assert record.avoided_co2e_kg == Decimal("105.000")  # 3 × 35 from the category


def test_unknown_factors_count_as_zero_and_are_stored_as_unknown(people, make_item, db):
    projector = make_item(people.member, category="prosjektor")  # no published CO2e figure
    claim = claims.claim_item(people.outsider, projector, 1)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, replaces_purchase=True)
    assert claim.reuse_record.co2e_kg_used is None
    assert claim.reuse_record.avoided_co2e_kg == 0


def test_changing_a_category_factor_later_does_not_change_the_record(people, approved, chairs,
                                                                     db):
    claims.collect(people.outsider, approved, replaces_purchase=True)
    db.session.commit()
    chairs.category.co2e_kg = Decimal("10")
    chairs.category.new_price_nok = Decimal("1")
    db.session.commit()
    record = db.session.scalar(select(ReuseRecord))
    assert (record.avoided_cost_nok, record.avoided_co2e_kg) == (Decimal("9000.00"),
                                                                 Decimal("144.000"))


@pytest.mark.parametrize("costs, message", [
    (Decimal("-1"), "negative"), (Decimal("10.005"), "to desimaler"),
    (Decimal("NaN"), "et tall"), (Decimal("1e9"), "urimelig"),
])
def test_bad_hand_over_costs_are_refused(people, approved, db, costs, message):
    with pytest.raises(InvalidInput, match=message):
        claims.collect(people.outsider, approved, costs_nok=costs, replaces_purchase=True)


@pytest.mark.parametrize("who", ["outsider", "member", "colleague", "unit_admin"])
def test_either_side_may_confirm_collection(people, approved, db, mailbox, who):
    claims.collect(getattr(people, who), approved, replaces_purchase=True)
    db.session.commit()
    notifications.deliver_committed()
    assert approved.status == "collected"
    subjects = [mail["Subject"] for mail in mailbox.to(people.outsider.email)]
    # When the giving side confirms, the receiver hears what was recorded in their name.
    assert ("Henting bekreftet: Kontorstoler HÅG" in subjects) == (who != "outsider")


def test_a_third_unit_may_not_confirm_collection(people, approved, make_user, make_unit):
    stranger = make_user(make_unit("Klimaetaten"))
    with pytest.raises(PermissionDenied):
        claims.collect(stranger, approved, replaces_purchase=True)


def test_pending_claim_cannot_be_collected_and_collection_happens_once(people, pending, db):
    with pytest.raises(Conflict, match="venter på svar"):
        claims.collect(people.outsider, pending, replaces_purchase=True)
    claims.approve(people.member, pending)
    claims.collect(people.outsider, pending, replaces_purchase=True)
    db.session.commit()
    with pytest.raises(Conflict):
        claims.collect(people.member, pending, replaces_purchase=True)
    assert len(db.session.scalars(select(ReuseRecord)).all()) == 1


def test_admin_reverses_a_record_with_a_reason_once(people, approved, db):
    claims.collect(people.outsider, approved, costs_nok=Decimal("12.34"), replaces_purchase=True)
    db.session.commit()
    record = approved.reuse_record
    with pytest.raises(PermissionDenied):
        ledger.reverse(people.unit_admin, record, "feil")
    with pytest.raises(InvalidInput):
        ledger.reverse(people.admin, record, "  ")
    reversal = ledger.reverse(people.admin, record, "Registrert på feil enhet")
    db.session.commit()
    with pytest.raises(Conflict):
        ledger.reverse(people.admin, record, "igjen")
    rows = db.session.scalars(select(ReuseRecord)).all()
    assert len(rows) == 2
    assert sum(r.avoided_cost_nok for r in rows) == 0
    assert sum(r.avoided_co2e_kg for r in rows) == sum(r.avoided_waste_kg for r in rows) == 0
    assert sum(r.quantity for r in rows) == 0
    assert reversal.reason == "Registrert på feil enhet"
    db.session.refresh(record)
    assert record.avoided_cost_nok == Decimal("8987.66")  # the original is untouched


def test_a_correction_reason_longer_than_the_limit_is_refused_by_the_service(people, approved,
                                                                             db):
    """The form is not the only way in: a command or a script calling the ledger is held
    to the same limit, and nothing is written."""
    claims.collect(people.outsider, approved, replaces_purchase=True)
    db.session.commit()
    record = approved.reuse_record
    with pytest.raises(InvalidInput) as refused:
        ledger.reverse(people.admin, record, "x" * (ledger.MAX_REASON + 1))
    assert refused.value.field == "reason"
    assert ledger.reversal_of(record) is None
    reversal = ledger.reverse(people.admin, record, "x" * ledger.MAX_REASON)
    assert len(reversal.reason) == ledger.MAX_REASON


def test_withdrawing_an_item_declines_waiting_claims_but_keeps_approved_ones(people, chairs, db,
                                                                           make_user):
    waiting = claims.claim_item(people.outsider, chairs, 1)
    promised = claims.claim_item(people.admin, chairs, 2)
    claims.approve(people.member, promised)
    items.withdraw_item(people.member, chairs)
    db.session.commit()
    db.session.refresh(chairs)
    assert waiting.status == "declined" and promised.status == "approved"
    assert chairs.quantity_reserved == 2
    claims.collect(people.admin, promised, replaces_purchase=True)
    assert promised.status == "collected"


def test_every_change_is_audited_with_who_and_where(client, people, chairs, db, log_in):
    log_in(people.outsider)
    client.submit(f"/items/{chairs.id}/claim", {"quantity": "1"},
                  environ_base={"REMOTE_ADDR": "10.20.30.40"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "claim.created"))
    assert event.actor_id == people.outsider.id
    assert event.remote_addr == "10.20.30.40"
    assert json.loads(event.details) == {"item_id": chairs.id, "quantity": 1}
    assert event.created_at is not None


# -- the pages ---------------------------------------------------------------------------

def test_the_units_claims_wait_in_one_tab_and_the_answered_ones_page_in_another(
        client, people, make_item, db, log_in):
    stock = make_item(people.member, title="Bokhylle", quantity=100)
    waiting = claims.claim_item(people.outsider, stock, 1)
    db.session.commit()
    for _ in range(claims.CLAIMS_PER_PAGE):
        claims.cancel(people.outsider, claims.claim_item(people.outsider, stock, 1))
    approved = claims.claim_item(people.outsider, stock, 1)
    claims.approve(people.member, approved)
    db.session.commit()
    log_in(people.member)

    def shown(html):
        return [int(found) for found in re.findall(r'href="/claims/(\d+)"', html)]
    waiting_tab = client.get("/claims/incoming").get_data(as_text=True)
    first = client.get("/claims/incoming?tab=answered").get_data(as_text=True)
    second = client.get("/claims/incoming?tab=answered&page=2").get_data(as_text=True)
    assert shown(waiting_tab) == [waiting.id]
    # The approved claim still waits to be collected: it leads the answered ones.
    assert shown(first)[0] == approved.id
    assert len(shown(first)) == claims.CLAIMS_PER_PAGE and len(shown(second)) == 1
    assert set(shown(waiting_tab) + shown(first) + shown(second)) == set(
        db.session.scalars(select(Claim.id)))
    assert "51 forespørsler, side 1 av 2" in page_text(client.get("/claims/incoming?tab=answered"))
    assert 'href="/claims/incoming?tab=answered&amp;page=2"' in first
    # The tabs are links; the one shown is marked, and the waiting tab counts its claims.
    for html, current in ((waiting_tab, "/claims/incoming"),
                          (first, "/claims/incoming?tab=answered")):
        tabs = re.findall(r'<a class="ds-button" data-size="sm"[^>]*href="([^"]+)"'
                          r'([^>]*)>([^<]*)</a>', html)
        assert [(href, label) for href, _, label in tabs] == [
            ("/claims/incoming", "Venter på svar (1)"),
            ("/claims/incoming?tab=answered", "Besvart")]
        assert [href for href, rest, _ in tabs if 'aria-current="page"' in rest] == [current]


def test_an_empty_tab_says_so(client, people, chairs, db, log_in):
    log_in(people.member)
    assert "Ingen forespørsler venter på svar" in page_text(client.get("/claims/incoming"))
    assert "Enheten har ikke svart på noen forespørsler ennå" in page_text(
        client.get("/claims/incoming?tab=answered"))
    claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    assert "Venter på svar (1)" in page_text(client.get("/claims/incoming?tab=answered"))
    # The claimant's own list has no tabs.
    assert "Besvart" not in page_text(client.get("/claims"))



def test_whole_loop_in_the_browser_pages(client, people, chairs, db, log_in, mailbox):
    log_in(people.outsider)
    page = page_text(client.get(f"/items/{chairs.id}"))
    assert "Vil enheten din bruke dette?" in page
    response = client.submit(f"/items/{chairs.id}/claim", {"quantity": "2"})
    claim_url = response.headers["Location"]
    assert "Forespørselen er sendt" in page_text(client.get(claim_url))
    claim = db.session.scalar(select(Claim))

    client.submit("/logout")
    log_in(people.member)
    incoming = page_text(client.get("/claims/incoming"))
    assert "2 × Kontorstoler HÅG" in incoming and "Venter på svar" in incoming
    response = client.submit(f"/claims/{claim.id}/approve", {"next": "/claims/incoming"})
    assert response.headers["Location"] == "/claims/incoming"
    assert "Forespørselen er godkjent" in page_text(client.get("/claims/incoming"))

    client.submit("/logout")
    log_in(people.outsider)
    assert "Bekreft at tingene er hentet" in page_text(client.get(claim_url))
    response = client.submit(f"/claims/{claim.id}/collect",
                             {"replaces_purchase": "yes", "costs_nok": "199,50"})
    assert response.status_code == 302
    page = page_text(client.get(claim_url))
    assert "Hentingen er bekreftet" in page
    assert "Unngått innkjøp 8 800,50 kr" in page
    assert "Unngått utslipp 144,0 kg CO2e" in page
    assert "Unngått avfall 35,0 kg" in page


def test_own_unit_sees_no_claim_form(client, people, chairs, log_in):
    log_in(people.colleague)
    page = page_text(client.get(f"/items/{chairs.id}"))
    assert "Vil enheten din bruke dette?" not in page
    assert "annonse fra din egen enhet" in page
    response = client.submit(f"/items/{chairs.id}/claim", {"quantity": "1"})
    assert response.status_code == 403


def test_claim_form_errors_are_shown_on_the_item_page(client, people, chairs, log_in, db):
    log_in(people.outsider)
    response = client.submit(f"/items/{chairs.id}/claim", {"quantity": "9"})
    assert response.status_code == 422
    assert "Det er bare 6 ledige nå, så 9 kan ikke reserveres." in page_text(response)
    assert db.session.scalar(select(Claim)) is None


def test_collect_form_rejects_negative_costs(client, people, approved, log_in, db):
    log_in(people.outsider)
    response = client.submit(f"/claims/{approved.id}/collect",
                             {"replaces_purchase": "yes", "costs_nok": "-5"})
    assert response.status_code == 422
    assert "Kostnadene kan ikke være negative." in page_text(response)
    db.session.refresh(approved)
    assert approved.status == "approved"


def test_collect_form_asks_without_a_preselected_answer(client, people, approved, log_in, db):
    """A preselected "yes" would count avoided purchases nobody confirmed."""
    log_in(people.outsider)
    page = client.get(f"/claims/{approved.id}")
    radios = re.findall(r"<input[^>]*name=\"replaces_purchase\"[^>]*>", page.get_data(as_text=True))
    assert [re.search(r'value="(\w+)"', radio)[1] for radio in radios] == ["yes", "no"]
    assert not any("checked" in radio for radio in radios)
    assert "Nei fører bare avfallet som ble unngått." in page_text(page)

    response = client.submit(f"/claims/{approved.id}/collect", {"costs_nok": "0"})
    assert response.status_code == 422
    assert "Svar ja eller nei." in page_text(response)
    db.session.refresh(approved)
    assert approved.status == "approved" and db.session.scalar(select(ReuseRecord)) is None


def test_claim_pages_are_private_to_the_two_units(client, people, pending, log_in, make_user,
                                                  make_unit):
    log_in(make_user(make_unit("Klimaetaten")))
    assert client.get(f"/claims/{pending.id}").status_code == 404
    assert client.submit(f"/claims/{pending.id}/approve").status_code == 404


def test_crafted_decision_by_the_claimant_is_refused(client, people, pending, log_in, db):
    log_in(people.outsider)
    assert client.submit(f"/claims/{pending.id}/approve").status_code == 403
    db.session.refresh(pending)
    assert pending.status == "pending"


def test_admin_corrects_a_record_from_the_claim_page(client, people, approved, log_in, db):
    claims.collect(people.outsider, approved, replaces_purchase=True)
    db.session.commit()
    log_in(people.admin)
    assert "Korriger føringen" in page_text(client.get(f"/claims/{approved.id}"))
    response = client.submit(f"/records/{approved.reuse_record.id}/reverse",
                             {"reason": "Dobbeltregistrert"})
    assert response.status_code == 302
    assert "Føringen er korrigert" in page_text(client.get(f"/claims/{approved.id}"))


def test_a_record_corrected_twice_from_the_page_is_a_409(client, people, approved, log_in, db):
    claims.collect(people.outsider, approved, replaces_purchase=True)
    db.session.commit()
    log_in(people.admin)
    path = f"/records/{approved.reuse_record.id}/reverse"
    assert client.submit(path, {"reason": "Dobbeltregistrert"}).status_code == 302
    response = client.submit(path, {"reason": "Dobbeltregistrert igjen"})
    assert response.status_code == 409
    assert "Føringen er allerede korrigert." in page_text(response)
    assert len(db.session.scalars(select(ReuseRecord)).all()) == 2


def test_notifications_page_lists_and_marks_read(client, people, pending, log_in, db):
    log_in(people.member)
    response = client.get("/notifications")
    assert "Ny forespørsel: Kontorstoler HÅG" in page_text(response)
    assert 'aria-label="Varsler, 1 ulest"' in response.get_data(as_text=True)
    client.submit("/notifications/read")
    assert 'aria-label="Varsler,' not in client.get("/notifications").get_data(as_text=True)


# -- open claims per person (issue 13, finding 15) ---------------------------------------

@pytest.fixture
def limit_of_three(app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN_CLAIMS_PER_PERSON", 3)


def open_count(db, user) -> int:
    """The kept count, after checking it against the claims themselves."""
    counted = len(db.session.scalars(select(Claim).where(Claim.claimant_id == user.id,
                                                         Claim.open())).all())
    assert claims.open_claims_of(user).count == counted
    return counted


def test_one_person_cannot_reserve_more_than_the_open_claim_limit(people, make_item, make_user,
                                                                  db, limit_of_three):
    shelves = [make_item(people.member, title=f"Hylle {n}", quantity=2) for n in range(6)]
    held = [claims.claim_item(people.outsider, shelf, 1) for shelf in shelves[:3]]
    db.session.commit()
    with pytest.raises(Conflict, match="Du har 3 åpne forespørsler, og du kan ha høyst 3 "
                                       "samtidig") as refused:
        claims.claim_item(people.outsider, shelves[3], 2)
    assert refused.value.code == "too_many_open_claims"
    db.session.rollback()
    db.session.refresh(shelves[3])
    assert shelves[3].quantity_reserved == 0  # nothing was held back by the refusal
    assert open_count(db, people.outsider) == 3
    # A colleague at the same unit has places of their own.
    claims.claim_item(make_user(people.kindergarten), shelves[3], 1)

    # Every way a claim stops being open gives its place back: cancel, decline, collect, expire.
    claims.cancel(people.outsider, held[0])
    assert open_count(db, people.outsider) == 2
    claims.decline(people.member, held[1])
    assert open_count(db, people.outsider) == 1
    claims.approve(people.member, held[2])
    assert open_count(db, people.outsider) == 1  # approved is still open
    claims.collect(people.outsider, held[2], replaces_purchase=True)
    assert open_count(db, people.outsider) == 0
    late = [claims.claim_item(people.outsider, shelf, 1) for shelf in shelves[3:]]
    assert open_count(db, people.outsider) == 3
    claims.expire_overdue(late[0].collect_by + timedelta(days=1))
    assert open_count(db, people.outsider) == 0
    db.session.commit()


def test_the_pages_show_the_open_claims_before_the_limit_is_reached(client, people, make_item,
                                                                   db, log_in,
                                                                   limit_of_three):
    shelves = [make_item(people.member, title=f"Hylle {n}", quantity=2) for n in range(4)]
    claims.claim_item(people.outsider, shelves[0], 1)
    db.session.commit()
    log_in(people.outsider)
    assert "1 av 3 åpne forespørsler." in page_text(client.get("/claims"))
    assert "Du har 1 av 3 åpne forespørsler." in page_text(client.get(f"/items/{shelves[1].id}"))
    for shelf in shelves[1:3]:
        assert client.submit(f"/items/{shelf.id}/claim", {"quantity": 1}).status_code == 302
    assert "3 av 3 åpne forespørsler. Du kan ikke be om mer" in page_text(client.get("/claims"))
    full = page_text(client.get(f"/items/{shelves[3].id}"))
    assert "Du har 3 åpne forespørsler, og du kan ha høyst 3 samtidig." in full
    refused = client.submit(f"/items/{shelves[3].id}/claim", {"quantity": 1})
    assert refused.status_code == 422
    assert "du kan ha høyst 3 samtidig" in page_text(refused)
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 3


def test_the_api_refuses_a_claim_over_the_limit_with_409(client, people, make_item, db, tok,
                                                         limit_of_three):
    shelves = [make_item(people.member, title=f"Hylle {n}", quantity=2) for n in range(4)]
    for shelf in shelves[:3]:
        call(client, "post", f"/api/v1/items/{shelf.id}/claims", 201, token=tok.outsider,
             body={"quantity": 1})
    answer = call(client, "post", f"/api/v1/items/{shelves[3].id}/claims", 409,
                  token=tok.outsider, body={"quantity": 1})
    assert code(answer) == "too_many_open_claims"
    assert "høyst 3 samtidig" in answer["error"]["message"]
    mine = call(client, "get", "/api/v1/claims", 200, token=tok.outsider)
    assert mine["open_claims"] == {"count": 3, "limit": 3}


def test_migration_counts_each_persons_open_claims(people, make_item, db):
    shelf = make_item(people.member, title="Hylle", quantity=5)
    kept = [claims.claim_item(people.outsider, shelf, 1) for _ in range(3)]
    claims.cancel(people.outsider, kept[0])
    claims.approve(people.member, kept[1])
    claims.claim_item(people.admin, shelf, 1)
    db.session.commit()
    db.session.execute(text("ALTER TABLE user_account DROP COLUMN open_claims"))
    db.session.commit()

    run_migration("open_claims_count")

    db.session.expire_all()
    assert {user.id: claims.open_claims_of(user).count
            for user in (people.outsider, people.admin, people.member)} == {
        people.outsider.id: 2, people.admin.id: 1, people.member.id: 0}
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE user_account SET open_claims = -1"))
        db.session.flush()
    db.session.rollback()
