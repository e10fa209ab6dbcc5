"""Reuse checks: find what exists, claim it or record why new was bought, print the receipt."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from reuse.models import AuditEvent, Claim, Notification, ReuseCheck, Role, utcnow
from reuse.services import categories, checks, claims, ledger
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.conftest import page_text
from tests.test_api_contract import call, code, tok  # noqa: F401  (tok is a fixture)
from tests.test_migrations import run_migration


@pytest.fixture
def market(people, make_unit, make_user, make_item):
    """Desks and chairs around the organisation; the buyer sits at the school."""
    near = make_unit("Nattland skole", parent=people.school.parent)  # the school's sibling
    far = make_unit("Bymiljøetaten")
    near_user, far_user = make_user(near), make_user(far)
    return {
        "near_sit_stand": make_item(near_user, title="Hev-senk-skrivebord 160 cm",
                                    category="hev-senk-skrivebord", quantity=4),
        "far_sit_stand": make_item(far_user, title="Hev-senk-skrivebord, elektrisk",
                                   category="hev-senk-skrivebord", quantity=4),
        "plain_desk": make_item(far_user, title="Skrivebord i bøk", category="skrivebord",
                                condition="as_new", quantity=2),
        "chairs": make_item(near_user, title="Kontorstoler", category="kontorstol",
                            quantity=8),
        "own_desk": make_item(people.colleague, title="Hev-senk-skrivebord fra oss",
                              category="hev-senk-skrivebord"),
    }


def titles(check) -> list[str]:
    return [match.title for match in check.matches]


def test_check_ranks_the_closest_matching_items_first_and_records_what_it_found(
        people, market, db):
    check = checks.create_check(people.member, "2 hev-senk skrivebord", quantity=2)
    db.session.commit()
    assert titles(check) == ["Hev-senk-skrivebord 160 cm", "Hev-senk-skrivebord, elektrisk",
                             "Skrivebord i bøk"]
    stored = db.session.get(ReuseCheck, check.id)
    assert (stored.user_id, stored.unit_id, stored.need) == (
        people.member.id, people.school.id, "2 hev-senk skrivebord")
    assert stored.match_count == 3 and stored.outcome is None
    assert [m.quantity_available for m in stored.matches] == [4, 4, 2]
    assert stored.reference == f"GJ-{stored.created_at.year}-{stored.id:06d}"


def test_own_units_items_and_unavailable_items_are_not_matches(people, market, db):
    market["near_sit_stand"].quantity_reserved = 4
    db.session.commit()
    check = checks.create_check(people.member, "hev-senk-skrivebord")
    assert titles(check) == ["Hev-senk-skrivebord, elektrisk", "Skrivebord i bøk"]


def test_category_alone_finds_everything_in_it(people, market):
    check = checks.create_check(people.member, "noe å sitte på",
                                category=categories.get_by_slug("stoler"))
    assert titles(check) == ["Kontorstoler"]


def test_a_need_with_no_match_is_recorded_too(people, market):
    check = checks.create_check(people.member, "flygel")
    assert check.match_count == 0 and check.matches == []


@pytest.mark.parametrize("need, quantity", [("", None), ("   ", None), ("x" * 501, None),
                                            ("stoler", 0), ("stoler", 10_001)])
def test_bad_needs_are_refused(people, catalog, need, quantity):
    with pytest.raises(InvalidInput):
        checks.create_check(people.member, need, quantity=quantity)


def test_claiming_from_a_check_links_the_claim_and_waits_for_collection(people, market, db):
    check = checks.create_check(people.member, "hev-senk skrivebord")
    claim = checks.claim_match(people.member, check, market["near_sit_stand"], 2)
    db.session.commit()
    assert claim.reuse_check_id == check.id
    assert (check.outcome, check.claim_id) == ("claimed", claim.id)
    assert checks.visible_outcome_counts(people.member).reused == 0  # not reuse yet
    lister = market["near_sit_stand"].created_by
    claims.approve(lister, claim)
    claims.collect(people.member, claim, replaces_purchase=True)
    db.session.commit()
    assert (check.outcome, check.claim_id) == ("reused", claim.id)
    assert checks.visible_outcome_counts(people.member).reused == 1


def test_a_check_reopens_when_its_claim_comes_to_nothing(people, market, db):
    check = checks.create_check(people.member, "hev-senk skrivebord")
    claim = checks.claim_match(people.member, check, market["far_sit_stand"], 1)
    lister = market["far_sit_stand"].created_by
    claims.decline(lister, claim, "Allerede gitt bort")
    db.session.commit()
    db.session.refresh(check)
    assert check.outcome is None and check.claim_id is None


def test_bought_new_needs_a_reason_and_keeps_the_order_number(people, market, db):
    check = checks.create_check(people.member, "hev-senk skrivebord")
    with pytest.raises(InvalidInput, match="Velg hvorfor"):
        checks.record_bought_new(people.member, check, "")
    with pytest.raises(InvalidInput, match="Skriv kort hvorfor"):
        checks.record_bought_new(people.member, check, "other", " ")
    checks.record_bought_new(people.member, check, "technical_requirements",
                             "Må tåle 150 kg", "PO-2026-4411")
    db.session.commit()
    assert (check.outcome, check.reason_code, check.purchase_reference) == (
        "bought_new", "technical_requirements", "PO-2026-4411")
    with pytest.raises(Conflict):
        checks.record_bought_new(people.member, check, "nothing_suitable")


def test_only_the_buyer_closes_their_check(people, market):
    check = checks.create_check(people.member, "stoler")
    with pytest.raises(PermissionDenied):
        checks.record_bought_new(people.unit_admin, check, "nothing_suitable")
    with pytest.raises(PermissionDenied):
        checks.claim_match(people.colleague, check, market["chairs"], 1)


def test_who_sees_which_checks(people, market, make_user, db):
    checks.create_check(people.member, "stoler")
    checks.create_check(people.outsider, "skrivebord")
    db.session.commit()
    lead = make_user(people.school, Role.SUSTAINABILITY)
    seen = {user: {c.need for c in checks.visible_checks(user)}
            for user in (people.member, people.colleague, people.unit_admin, lead)}
    assert seen[people.member] == {"stoler"}
    assert seen[people.colleague] == set()
    assert seen[people.unit_admin] == {"stoler"}
    assert seen[lead] == {"stoler", "skrivebord"}


def test_open_checks_remind_their_owner_once_after_two_weeks(runner, people, market, db,
                                                            mailbox):
    old = checks.create_check(people.member, "stoler")
    checks.create_check(people.member, "skrivebord")
    old.created_at = old.created_at - timedelta(days=15)
    db.session.commit()
    runner.invoke(args=["run-jobs"])
    runner.invoke(args=["run-jobs"])
    reminders = db.session.scalars(select(Notification).where(
        Notification.kind == "check_reminder")).all()
    assert [n.link for n in reminders] == [f"/checks/{old.id}"]
    assert [m["Subject"] for m in mailbox.to(people.member.email)] == [
        f"Hvordan gikk det? Gjenbrukssjekk {old.reference}"]


# -- the pages ---------------------------------------------------------------------------

def test_buyer_saves_a_receipt_and_claims_a_match_from_it(client, people, market, log_in, db):
    log_in(people.member)
    assert "Sjekk gjenbruk før du kjøper nytt" in page_text(client.get("/checks/new"))
    response = client.submit("/checks/new", {"need": "hev-senk skrivebord", "quantity": "2"})
    check = db.session.scalar(select(ReuseCheck))
    assert response.headers["Location"] == f"/checks/{check.id}"
    page = page_text(client.get(f"/checks/{check.id}"))
    assert check.reference in page and "3 ledige annonser passet" in page
    response = client.submit(
        f"/checks/{check.id}/claim/{market['near_sit_stand'].id}", {"quantity": "2"})
    assert response.headers["Location"] == f"/checks/{check.id}"  # back to the receipt
    receipt = page_text(client.get(response.headers["Location"]))
    assert f"knyttet til gjenbrukssjekk {check.reference}" in receipt
    assert "venter på svar" in receipt and "Hev-senk-skrivebord 160 cm" in receipt
    assert "Dekket med gjenbruk" not in receipt
    claim = db.session.scalar(select(Claim))
    assert f'href="/checks/{check.id}"' in client.get(f"/claims/{claim.id}").get_data(as_text=True)


def test_a_refused_claim_from_a_check_is_explained_on_the_check(client, people, market,
                                                                log_in, db):
    check = checks.create_check(people.member, "kontorstoler")
    db.session.commit()
    log_in(people.member)
    response = client.submit(f"/checks/{check.id}/claim/{market['chairs'].id}",
                             {"quantity": "9"})
    assert response.headers["Location"] == f"/checks/{check.id}"
    assert "Det er bare 8 ledige nå, så 9 kan ikke reserveres." in page_text(
        client.get(response.headers["Location"]))
    db.session.refresh(check)
    assert check.outcome is None and db.session.scalars(select(Claim)).all() == []


def test_the_unit_admin_who_sees_a_check_may_not_claim_from_it(client, people, market,
                                                                log_in, db):
    check = checks.create_check(people.member, "kontorstoler")
    db.session.commit()
    log_in(people.unit_admin)
    assert client.get(f"/checks/{check.id}").status_code == 200
    response = client.submit(f"/checks/{check.id}/claim/{market['chairs'].id}",
                             {"quantity": "1"})
    assert response.status_code == 403
    assert "Bare den som gjorde sjekken kan avslutte den." in page_text(response)
    assert db.session.scalars(select(Claim)).all() == []


def test_buyer_records_bought_new_and_gets_a_printable_receipt(client, people, market, log_in,
                                                               db):
    log_in(people.member)
    client.submit("/checks/new", {"need": "flygel"})
    check = db.session.scalar(select(ReuseCheck))
    response = client.submit(f"/checks/{check.id}/bought-new", {"reason": "other"})
    assert response.status_code == 422
    assert "Skriv kort hvorfor dere kjøper nytt." in page_text(response)
    client.submit(f"/checks/{check.id}/bought-new",
                  {"reason": "nothing_suitable", "purchase_reference": "PO-77"})
    html = client.get(f"/checks/{check.id}").get_data(as_text=True)
    page = page_text(client.get(f"/checks/{check.id}"))
    assert "Kjøpt nytt" in page and "Ingenting passende var ledig" in page
    assert "Bestillingsnummer PO-77" in page
    assert "Ingen ledige ting passet behovet" in page
    assert "data-print" in html and "@media print" in client.get(
        "/static/css/app.css").get_data(as_text=True)
    assert "Vi kjøper nytt" not in page and "Endre søket" not in page  # closed


def test_check_receipt_is_private(client, people, market, log_in, db):
    check = checks.create_check(people.member, "stoler")
    db.session.commit()
    log_in(people.colleague)
    assert client.get(f"/checks/{check.id}").status_code == 404
    assert client.submit(f"/checks/{check.id}/bought-new",
                         {"reason": "nothing_suitable"}).status_code == 404


def test_check_list_shows_the_share_that_ended_in_reuse(client, people, market, log_in, db,
                                                         make_user):
    first = checks.create_check(people.member, "stoler")
    checks.claim_match(people.member, first, market["chairs"], 1)
    second = checks.create_check(people.member, "flygel")
    checks.record_bought_new(people.member, second, "nothing_suitable")
    checks.create_check(people.outsider, "skap")
    db.session.commit()
    log_in(make_user(people.kindergarten, Role.SUSTAINABILITY))
    page = page_text(client.get("/checks"))
    assert ("3 sjekker: 0 dekket med gjenbruk, 1 kjøpt nytt, 2 ikke avgjort ennå (av dem 1 "
            "med en forespørsel som venter), og for 0 falt behovet bort.") in page
    assert "Av de avgjorte endte 0 % i gjenbruk." in page  # as the report writes it


def test_check_list_shows_the_newest_checks_first(client, people, log_in, db):
    for day, need in enumerate(("flygel", "stoler", "skap"), start=1):
        check = checks.create_check(people.member, need)
        check.created_at = datetime(2026, 11, day, 9, tzinfo=UTC)
    # Created last, dated first: the list goes by the date, not the order of creation.
    checks.create_check(people.member, "tavle").created_at = datetime(2026, 10, 1, tzinfo=UTC)
    db.session.commit()
    log_in(people.member)
    html = client.get("/checks").get_data(as_text=True)
    needs = re.findall(r"<td>(flygel|stoler|skap|tavle)</td>", html)
    assert needs == ["skap", "stoler", "flygel", "tavle"]


# -- the API -----------------------------------------------------------------------------

def test_procurement_system_checks_and_stores_the_receipt(client, people, market, tok):
    check = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                 body={"need": "hev-senk skrivebord", "quantity": 2})
    assert [item["title"] for item in check["matches"]][:2] == [
        "Hev-senk-skrivebord 160 cm", "Hev-senk-skrivebord, elektrisk"]
    assert check["outcome"] is None and check["reference"].startswith("GJ-")
    assert check["receipt_url"].endswith(f"/checks/{check['id']}")
    same = call(client, "get", f"/api/v1/reuse-checks/{check['id']}", 200, token=tok.member)
    assert same["reference"] == check["reference"]
    closed = call(client, "post", f"/api/v1/reuse-checks/{check['id']}/outcome", 200,
                  token=tok.member, body={"outcome": "bought_new",
                                          "reason": "Leveres innen to dager",
                                          "purchase_reference": "4500012345"})
    assert (closed["outcome"], closed["reason"], closed["reason_text"]) == (
        "bought_new", "other", "Leveres innen to dager")
    again = call(client, "post", f"/api/v1/reuse-checks/{check['id']}/outcome", 409,
                 token=tok.member, body={"outcome": "bought_new", "reason": "other",
                                         "reason_text": "x"})
    assert code(again) == "invalid_state"


def test_claim_through_the_api_linked_to_a_check(client, people, market, tok):
    check = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                 body={"need": "kontorstoler"})
    claim = call(client, "post", f"/api/v1/items/{market['chairs'].id}/claims", 201,
                 token=tok.member, body={"quantity": 3, "reuse_check_id": check["id"]})
    done = call(client, "get", f"/api/v1/reuse-checks/{check['id']}", 200, token=tok.member)
    assert (done["outcome"], done["claim_id"]) == ("claimed", claim["id"])
    other = call(client, "post", f"/api/v1/items/{market['chairs'].id}/claims", 422,
                 token=tok.outsider, body={"quantity": 1, "reuse_check_id": check["id"]})
    assert code(other) == "invalid_input"


def test_an_existing_claim_can_close_a_check_as_reused(client, people, market, tok, db):
    claim = claims.claim_item(people.member, market["chairs"], 1)
    db.session.commit()
    check = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                 body={"need": "stoler"})
    done = call(client, "post", f"/api/v1/reuse-checks/{check['id']}/outcome", 200,
                token=tok.member, body={"outcome": "reused", "claim_id": claim.id})
    assert done["claim_id"] == claim.id
    missing = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                   body={"need": "bord"})
    assert code(call(client, "post", f"/api/v1/reuse-checks/{missing['id']}/outcome", 422,
                     token=tok.member, body={"outcome": "reused"})) == "invalid_input"
    assert code(call(client, "get", f"/api/v1/reuse-checks/{check['id']}", 404,
                     token=tok.outsider)) == "not_found"


# -- one claim, one check (issue 13, finding 14) -------------------------------------------

def test_one_claim_closes_at_most_one_check(client, people, market, tok, db):
    claim = claims.claim_item(people.member, market["chairs"], 1)
    first = checks.create_check(people.member, "stoler")
    second = checks.create_check(people.member, "kontorstoler")
    db.session.commit()
    checks.link_claim(people.member, first, claim)
    db.session.commit()
    with pytest.raises(Conflict, match=f"allerede gjenbrukssjekk {first.reference}") as refused:
        checks.link_claim(people.member, second, claim)
    assert refused.value.code == "claim_already_linked"
    db.session.rollback()
    third = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                 body={"need": "stoler til møterommet"})
    answer = call(client, "post", f"/api/v1/reuse-checks/{third['id']}/outcome", 409,
                  token=tok.member, body={"outcome": "reused", "claim_id": claim.id})
    assert code(answer) == "claim_already_linked"
    db.session.expire_all()
    assert [(c.outcome, c.claim_id) for c in (first, second)] == [("claimed", claim.id),
                                                                  (None, None)]
    assert call(client, "get", f"/api/v1/reuse-checks/{third['id']}", 200,
                token=tok.member)["outcome"] is None
    assert checks.visible_outcome_counts(people.member).claimed == 1


def test_a_claim_from_a_check_cannot_close_a_second_check(people, market, db):
    first = checks.create_check(people.member, "stoler")
    claim = checks.claim_match(people.member, first, market["chairs"], 1)
    second = checks.create_check(people.member, "stoler igjen")
    db.session.commit()
    with pytest.raises(Conflict, match="Én forespørsel kan avslutte bare én sjekk"):
        checks.link_claim(people.member, second, claim)


def test_only_a_recent_live_claim_of_the_buyers_own_closes_their_check(people, market, db,
                                                                       make_user):
    check = checks.create_check(people.member, "stoler")
    db.session.commit()
    # Only the buyer closes their check: not an admin, with their own claim or any other.
    with pytest.raises(PermissionDenied):
        checks.claim_match(people.admin, check, market["chairs"], 1)
    db.session.rollback()
    admins_claim = claims.claim_item(people.admin, market["chairs"], 1)
    with pytest.raises(PermissionDenied):
        checks.link_claim(people.admin, check, admins_claim)
    colleagues_claim = claims.claim_item(people.colleague, market["chairs"], 1)
    with pytest.raises(PermissionDenied):
        checks.link_claim(people.member, check, colleagues_claim)
    cancelled = claims.claim_item(people.member, market["chairs"], 1)
    claims.cancel(people.member, cancelled)
    with pytest.raises(Conflict) as refused:
        checks.link_claim(people.member, check, cancelled)
    assert refused.value.code == "invalid_state"
    old = claims.claim_item(people.member, market["chairs"], 1)
    old.created_at = check.created_at - timedelta(days=checks.LINK_WINDOW_DAYS, hours=1)
    db.session.flush()
    with pytest.raises(Conflict, match="mer enn 14 dager før sjekken") as refused:
        checks.link_claim(people.member, check, old)
    assert refused.value.code == "claim_too_old"
    db.session.refresh(check)
    assert check.outcome is None
    recent = claims.claim_item(people.member, market["chairs"], 1)
    recent.created_at = check.created_at - timedelta(days=checks.LINK_WINDOW_DAYS - 1)
    db.session.flush()
    checks.link_claim(people.member, check, recent)
    assert (check.outcome, check.claim_id) == ("claimed", recent.id)


def test_the_database_refuses_a_claim_closing_two_checks(people, market, db):
    first = checks.create_check(people.member, "stoler")
    claim = checks.claim_match(people.member, first, market["chairs"], 1)
    second = checks.create_check(people.member, "stoler igjen")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(ReuseCheck).where(ReuseCheck.id == second.id)
                           .values(outcome="reused", claim_id=claim.id))
        db.session.flush()
    db.session.rollback()


def test_migration_keeps_each_claims_earliest_check_and_reopens_the_rest(people, market, db):
    claim = claims.claim_item(people.member, market["chairs"], 1)
    other = claims.claim_item(people.member, market["near_sit_stand"], 1)
    made = [checks.create_check(people.member, f"stoler {n}") for n in range(3)]
    alone = checks.create_check(people.member, "hev-senk")
    checks.link_claim(people.member, alone, other)
    db.session.commit()
    earliest, later, latest = (check.id for check in made)
    # What the old code allowed: the same claim closing three checks, the newest link last.
    db.session.execute(text("DROP INDEX uq_reuse_check_claim_id"))
    start = utcnow() - timedelta(days=3)
    for days, check_id in enumerate((earliest, later, latest)):
        db.session.execute(update(ReuseCheck).where(ReuseCheck.id == check_id).values(
            outcome="reused", claim_id=claim.id, outcome_at=start + timedelta(days=days)))
    db.session.execute(update(Claim).where(Claim.id == claim.id)
                       .values(reuse_check_id=latest))
    db.session.commit()

    run_migration("one_claim_one_check")

    db.session.expire_all()
    found = {c.id: (c.outcome, c.claim_id) for c in db.session.scalars(select(ReuseCheck))}
    assert found == {earliest: ("reused", claim.id), later: (None, None),
                     latest: (None, None), alone.id: ("claimed", other.id)}
    assert db.session.get(Claim, claim.id).reuse_check_id == earliest
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "reuse_check.reopened")).all()
    assert sorted(event.object_id for event in events) == sorted([later, latest])
    assert all(json.loads(event.details)["kept_check_id"] == earliest for event in events)
    with pytest.raises(IntegrityError):  # and the index is back
        db.session.execute(update(ReuseCheck).where(ReuseCheck.id == later)
                           .values(outcome="reused", claim_id=claim.id))
        db.session.flush()
    db.session.rollback()


# -- issue 15: a check is recorded when the buyer acts -------------------------------------

def test_searching_and_refining_record_no_check(client, people, market, log_in, db):
    log_in(people.member)
    first = page_text(client.get("/checks/new?need=skrivebord"))
    second = page_text(client.get("/checks/new?need=hev-senk+skrivebord&quantity=2"))
    assert "Hev-senk-skrivebord 160 cm" in first and "Hev-senk-skrivebord 160 cm" in second
    assert "Lagre kvitteringen" in second
    assert db.session.scalar(select(func.count()).select_from(ReuseCheck)) == 0


def test_claiming_from_the_search_records_a_check_that_waits_for_the_answer(
        client, people, market, log_in, db):
    log_in(people.member)
    desk = market["far_sit_stand"]
    response = client.submit(f"/checks/new/claim/{desk.id}",
                             {"need": "hev-senk skrivebord", "quantity": "2",
                              "claim-quantity": "2"})
    assert response.status_code == 302
    check = db.session.scalar(select(ReuseCheck))
    claim = db.session.get(Claim, check.claim_id)
    assert (claim.quantity, claim.reuse_check_id) == (2, check.id)
    assert "Forespørsel sendt – venter på svar" in page_text(client.get(f"/checks/{check.id}"))

    claims.decline(desk.created_by, claim, "Allerede gitt bort")  # the lister declines
    db.session.commit()
    receipt = page_text(client.get(f"/checks/{check.id}"))
    assert "Åpen" in receipt and "Endre søket" in receipt


def test_the_same_claim_form_sent_twice_records_one_check_and_one_claim(
        client, people, market, log_in, db):
    log_in(people.member)
    desk = market["far_sit_stand"]
    page = client.get("/checks/new?need=hev-senk+skrivebord").get_data(as_text=True)
    [key] = set(re.findall(r'name="claim-submission" type="hidden" value="([^"]+)"', page))
    form = {"need": "hev-senk skrivebord", "claim-quantity": "1", "claim-submission": key}
    first = client.submit(f"/checks/new/claim/{desk.id}", form)
    second = client.submit(f"/checks/new/claim/{desk.id}", form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(ReuseCheck)) == 1
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_a_collected_claim_makes_the_receipt_say_reuse(client, people, market, log_in, db):
    check = checks.create_check(people.member, "kontorstoler")
    claim = checks.claim_match(people.member, check, market["chairs"], 2)
    claims.approve(market["chairs"].created_by, claim)
    db.session.commit()
    log_in(people.member)
    assert "Forespørsel godkjent – ikke hentet ennå" in page_text(
        client.get(f"/checks/{check.id}"))
    claims.collect(people.member, claim, replaces_purchase=True)
    db.session.commit()
    receipt = page_text(client.get(f"/checks/{check.id}"))
    assert "Dekket med gjenbruk" in receipt and "status: hentet" in receipt


def test_a_reversed_hand_over_reopens_the_check_and_the_receipt_says_why(
        client, people, market, log_in, db):
    check = checks.create_check(people.member, "kontorstoler")
    claim = checks.claim_match(people.member, check, market["chairs"], 2)
    claims.approve(market["chairs"].created_by, claim)
    claims.collect(people.member, claim, replaces_purchase=True)
    db.session.commit()
    ledger.reverse(people.admin, claim.reuse_record, "Stolene kom aldri fram")
    db.session.commit()
    db.session.refresh(check)
    assert (check.outcome, check.claim_id) == (None, None)
    assert checks.visible_outcome_counts(people.member).reused == 0
    log_in(people.member)
    receipt = page_text(client.get(f"/checks/{check.id}"))
    assert "Dekket med gjenbruk" not in receipt and "Åpen" in receipt
    assert "ble hentet, men gjenbruket ble korrigert bort" in receipt
    assert "Stolene kom aldri fram" in receipt and "Endre søket" in receipt


def test_buying_new_from_the_search_records_a_closed_check(client, people, market, log_in, db):
    log_in(people.member)
    refused = client.submit("/checks/new/bought-new", {"need": "flygel", "reason": "other"})
    assert refused.status_code == 422
    assert "Skriv kort hvorfor dere kjøper nytt." in page_text(refused)
    assert db.session.scalar(select(ReuseCheck)) is None
    client.submit("/checks/new/bought-new", {"need": "flygel", "reason": "nothing_suitable"})
    check = db.session.scalar(select(ReuseCheck))
    assert (check.need, check.outcome) == ("flygel", "bought_new")


def test_dropping_an_open_check_ends_it_outside_the_share(client, people, market, log_in, db):
    reused = checks.create_check(people.member, "stoler")
    claim = checks.claim_match(people.member, reused, market["chairs"], 1)
    claims.approve(market["chairs"].created_by, claim)
    claims.collect(people.member, claim, replaces_purchase=True)
    checks.record_bought_new(people.member, checks.create_check(people.member, "flygel"),
                             "nothing_suitable")
    dropped = checks.create_check(people.member, "skap")
    db.session.commit()
    log_in(people.member)
    client.submit(f"/checks/{dropped.id}/drop", {"reason": "Innkjøpet ble avlyst"})
    receipt = page_text(client.get(f"/checks/{dropped.id}"))
    assert "Behovet falt bort" in receipt and "Innkjøpet ble avlyst" in receipt
    counts = checks.visible_outcome_counts(people.member)
    assert (counts.total, counts.dropped, counts.open, counts.reuse_share_percent) == (
        3, 1, 0, Decimal("50.00"))
    assert "Behovet falt bort" in page_text(client.get("/checks"))


def test_refining_an_open_check_keeps_what_was_shown_when(client, people, market, log_in, db):
    check = checks.create_check(people.member, "skrivebord i bøk")
    db.session.commit()
    log_in(people.member)
    client.submit(f"/checks/{check.id}/refine", {"need": "kontorstoler", "quantity": "4"})
    db.session.expire_all()
    check = checks.get_check(check.id)
    assert (check.need, check.quantity, titles(check)) == ("kontorstoler", 4, ["Kontorstoler"])
    [earlier] = check.earlier_searches
    assert earlier.need == "skrivebord i bøk"
    assert "Skrivebord i bøk" in [match.title for match in earlier.matches]
    receipt = page_text(client.get(f"/checks/{check.id}"))
    assert "Tidligere søk i denne sjekken" in receipt and "«skrivebord i bøk»" in receipt


def test_only_saved_open_checks_are_reminded(runner, people, market, db):
    waiting = checks.create_check(people.member, "stoler")
    checks.claim_match(people.member, waiting, market["chairs"], 1)
    saved = checks.create_check(people.member, "skap")
    for check in (waiting, saved):
        check.created_at = utcnow() - timedelta(days=checks.REMIND_AFTER_DAYS + 1)
    db.session.commit()
    assert checks.remind_open_checks() == 1
    reminded = db.session.scalars(select(Notification.link).where(
        Notification.kind == "check_reminder")).all()
    assert reminded == [f"/checks/{saved.id}"]


def test_the_api_records_a_dropped_check(client, people, market, tok):
    check = call(client, "post", "/api/v1/reuse-checks", 201, token=tok.member,
                 body={"need": "skap"})
    done = call(client, "post", f"/api/v1/reuse-checks/{check['id']}/outcome", 200,
                token=tok.member, body={"outcome": "dropped", "reason": "Prosjektet stanset"})
    assert (done["outcome"], done["reason_text"]) == ("dropped", "Prosjektet stanset")
    assert code(call(client, "post", f"/api/v1/reuse-checks/{check['id']}/outcome", 409,
                     token=tok.member, body={"outcome": "dropped"})) == "invalid_state"
    summary = call(client, "get", "/api/v1/reports/summary", 200, token=tok.member)
    assert summary["reuse_checks"] == {"total": 1, "reused": 0, "bought_new": 0, "open": 0,
                                       "claimed": 0, "dropped": 1}


def test_migration_turns_reuse_awaiting_collection_into_claimed(people, market, db):
    waiting = checks.create_check(people.member, "stoler")
    waiting_claim = checks.claim_match(people.member, waiting, market["chairs"], 1)
    done = checks.create_check(people.member, "bord")
    done_claim = checks.claim_match(people.member, done, market["plain_desk"], 1)
    claims.approve(market["plain_desk"].created_by, done_claim)
    claims.collect(people.member, done_claim, replaces_purchase=True)
    failed = checks.create_check(people.member, "hev-senk")
    failed_claim = checks.claim_match(people.member, failed, market["near_sit_stand"], 1)
    # What the old code wrote: reused at once, and a failed claim left behind.
    db.session.execute(text("UPDATE reuse_check SET outcome = 'reused'"))
    db.session.execute(text("UPDATE claim SET status = 'declined' WHERE id = :id"),
                       {"id": failed_claim.id})
    db.session.commit()

    run_migration("check_outcomes", step="convert_outcomes")

    db.session.expire_all()
    found = {c.id: (c.outcome, c.claim_id) for c in db.session.scalars(select(ReuseCheck))}
    assert found == {waiting.id: ("claimed", waiting_claim.id),
                     done.id: ("reused", done_claim.id), failed.id: (None, None)}
