"""The cascade: items move internal → public bodies → non-profits → final, on time by
run-jobs (catching up when late), early or back by their lister; who is told, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from reuse import clock
from reuse.models import AuditEvent, Notification, Partner, PartnerSubscription, Role, User
from reuse.services import categories, claims, items, stages
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.conftest import page_text

LISTED_UNTIL = date(2026, 3, 10)  # the internal period's last day in most tests


def notes(db, user=None) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


@pytest.fixture
def chair(db, people, make_item):
    """Kontorstoler whose internal period ends 10 March 2026."""
    item = make_item(people.member, title="Kontorstoler", quantity=4)
    item.internal_until = item.stage_ends_on = LISTED_UNTIL
    db.session.commit()
    return item


_numbers = iter(range(1, 10_000))


@pytest.fixture
def partner_person(db, catalog):
    """A person of a new partner organisation of that kind, following those categories."""
    def make(kind: str, *follows: str, suspended: bool = False) -> User:
        number = next(_numbers)
        partner = Partner(name=f"Organisasjon {number}", org_number=f"{number:09d}", kind=kind,
                          suspended_at=datetime.now(UTC) if suspended else None)
        db.session.add(partner)
        db.session.flush()
        person = User(email=f"partner{number}@example.org", name=f"Partner {number}",
                      role=Role.PARTNER.value, partner_id=partner.id, unit_id=None)
        db.session.add(person)
        db.session.flush()
        for slug in follows:
            db.session.add(PartnerSubscription(user_id=person.id,
                                               category_id=categories.get_by_slug(slug).id))
        db.session.commit()
        return person
    return make


# -- on time, and catching up ----------------------------------------------------------------

def test_an_item_moves_one_stage_the_day_after_each_stage_ends(db, people, chair):
    assert stages.advance_due(LISTED_UNTIL) == 0  # its last internal day
    assert (chair.stage, chair.stage_ends_on) == ("internal", LISTED_UNTIL)

    assert stages.advance_due(date(2026, 3, 11)) == 1
    db.session.refresh(chair)
    # 14 days for public bodies: 11 March to 24 March.
    assert (chair.stage, chair.stage_ends_on) == ("public_bodies", date(2026, 3, 24))
    assert stages.advance_due(date(2026, 3, 24)) == 0

    assert stages.advance_due(date(2026, 3, 25)) == 1
    db.session.refresh(chair)
    assert (chair.stage, chair.stage_ends_on) == ("nonprofits", date(2026, 4, 7))

    assert stages.advance_due(date(2026, 4, 8)) == 1
    db.session.refresh(chair)
    assert (chair.stage, chair.stage_ends_on) == ("final", None)
    assert stages.advance_due(date(2026, 12, 31)) == 0  # final does not end

    subjects = [n.subject for n in notes(db, people.member)]
    assert subjects == ["Intern periode er over: Kontorstoler",
                        "Tilbys frivillige organisasjoner: Kontorstoler",
                        "Registrer hva som skjedde: Kontorstoler"]
    assert "de 4 tingene som er igjen" in notes(db, people.member)[-1].body


def test_stage_lengths_come_from_the_configuration(app, db, chair, monkeypatch):
    monkeypatch.setitem(app.config, "CASCADE_PUBLIC_BODIES_DAYS", 3)
    monkeypatch.setitem(app.config, "CASCADE_NONPROFITS_DAYS", 5)
    stages.advance_due(date(2026, 3, 11))
    db.session.refresh(chair)
    assert chair.stage_ends_on == date(2026, 3, 13)
    stages.advance_due(date(2026, 3, 14))
    db.session.refresh(chair)
    assert (chair.stage, chair.stage_ends_on) == ("nonprofits", date(2026, 3, 18))


def test_a_late_item_catches_up_to_the_stage_today_falls_in_in_one_move(db, people, chair,
                                                                      make_item):
    late = make_item(people.member, title="Sofa", category="sofa")
    late.internal_until = late.stage_ends_on = LISTED_UNTIL
    db.session.commit()
    # 30 March: public bodies ended 24 March, non-profits end 7 April.
    assert stages.advance_due(date(2026, 3, 30)) == 2
    db.session.refresh(chair)
    assert (chair.stage, chair.stage_ends_on) == ("nonprofits", date(2026, 4, 7))
    moves = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "item.stage_moved", AuditEvent.object_id == chair.id)).all()
    assert len(moves) == 1 and '"before": "internal"' in moves[0].details
    # Told where it is, not about the stage it skipped.
    assert [n.subject for n in notes(db, people.member)] == [
        "Tilbys frivillige organisasjoner: Kontorstoler",
        "Tilbys frivillige organisasjoner: Sofa"]

    far = make_item(people.member, title="Tavle", category="tavle")
    far.internal_until = far.stage_ends_on = LISTED_UNTIL
    db.session.commit()
    stages.advance_due(date(2026, 6, 1))
    db.session.refresh(far)
    assert (far.stage, far.stage_ends_on) == ("final", None)


def test_withdrawn_and_fully_claimed_items_stay_where_they_are(db, people, chair, make_item):
    gone = make_item(people.member, title="Sofa", category="sofa")
    gone.internal_until = gone.stage_ends_on = LISTED_UNTIL
    items.withdraw_item(people.member, gone)
    claims.claim_item(people.outsider, chair, 4)  # every piece reserved
    db.session.commit()
    assert stages.advance_due(date(2026, 3, 11)) == 0
    assert (chair.stage, gone.stage) == ("internal", "internal")


def test_run_jobs_twice_moves_and_tells_once(runner, db, people, chair, partner_person,
                                             monkeypatch):
    follower = partner_person("public_body", "stoler")  # the chair's parent category
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 3, 11, 9, tzinfo=UTC))
    first = runner.invoke(args=["run-jobs"])
    assert first.exit_code == 0, first.output
    assert "1 annonser videre i kaskaden" in first.output
    told = count(db)
    assert [n.subject for n in notes(db, follower)] == [
        "Ledig for din organisasjon: Kontorstoler"]
    assert notes(db, follower)[0].link == f"/partner/items/{chair.id}"

    second = runner.invoke(args=["run-jobs"])
    assert "0 annonser videre i kaskaden" in second.output
    assert count(db) == told


def test_two_runs_interleaved_move_the_item_once(db, people, chair, partner_person):
    partner_person("public_body", "kontorstol")
    today = date(2026, 3, 11)
    read_by_first = stages.due_items(today)
    assert [due.item_id for due in read_by_first] == [chair.id]

    assert stages.advance_due(today) == 1  # the second run gets there first
    told = count(db)
    # The first run acts on what it read: the item has moved since, so nothing happens.
    assert [stages.advance(due, today) for due in read_by_first] == [False]
    db.session.refresh(chair)
    assert (chair.stage, chair.stage_ends_on) == ("public_bodies", date(2026, 3, 24))
    assert count(db) == told == 2  # the lister and the follower, once each


def test_the_oslo_date_decides_when_a_stage_has_ended(runner, db, chair, monkeypatch):
    # 22:30 UTC on 10 March is 23:30 in Oslo: still the internal period's last day.
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 3, 10, 22, 30, tzinfo=UTC))
    runner.invoke(args=["run-jobs"])
    db.session.refresh(chair)
    assert chair.stage == "internal"
    # 23:30 UTC is half past midnight on 11 March in Oslo.
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 3, 10, 23, 30, tzinfo=UTC))
    runner.invoke(args=["run-jobs"])
    db.session.refresh(chair)
    assert chair.stage == "public_bodies"


# -- who is told -----------------------------------------------------------------------------

def test_partners_hear_of_what_their_stage_offers_in_the_categories_they_follow(
        db, people, chair, partner_person):
    public = partner_person("public_body", "mobler")  # the top of the chair's tree
    nonprofit = partner_person("nonprofit", "kontorstol")
    elsewhere = partner_person("public_body", "skap")
    suspended = partner_person("public_body", "kontorstol", suspended=True)
    idle = partner_person("public_body")  # follows nothing

    stages.advance_due(date(2026, 3, 11))  # public bodies
    assert len(notes(db, public)) == 1
    assert notes(db, nonprofit) == []  # not their stage yet

    stages.advance_due(date(2026, 3, 25))  # non-profits as well
    assert len(notes(db, nonprofit)) == 1
    assert len(notes(db, public)) == 1  # still offered to them, and told already
    for person in (elsewhere, suspended, idle):
        assert notes(db, person) == []

    stages.advance_due(date(2026, 4, 8))  # final: nobody outside claims
    assert len(notes(db, nonprofit)) == 1


def test_a_deactivated_partner_person_is_not_told(db, chair, partner_person):
    person = partner_person("public_body", "kontorstol")
    person.active = False
    db.session.commit()
    stages.advance_due(date(2026, 3, 11))
    assert notes(db, person) == []


def test_partners_hear_of_an_electrical_item_only_once_it_is_safety_checked(
        db, people, make_item, partner_person):
    screen = make_item(people.member, title="Skjermer", category="skjerm", quantity=2)
    screen.internal_until = screen.stage_ends_on = LISTED_UNTIL
    db.session.commit()
    follower = partner_person("public_body", "it-utstyr")

    stages.advance_due(date(2026, 3, 11))
    assert notes(db, follower) == []
    [lister_note] = notes(db, people.member)
    assert "el-sjekket" in lister_note.body

    stages.mark_safety_checked(people.member, screen)
    db.session.commit()
    assert screen.safety_checked_at is not None
    assert [n.subject for n in notes(db, follower)] == ["Ledig for din organisasjon: Skjermer"]
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "item.safety_checked"))
    assert (event.actor_id, event.object_id) == (people.member.id, screen.id)


def test_when_the_lister_has_left_the_units_admins_are_told(db, people, chair):
    people.member.active = False
    db.session.commit()
    stages.advance_due(date(2026, 3, 11))
    assert notes(db, people.member) == []
    assert [n.subject for n in notes(db, people.unit_admin)] == [
        "Intern periode er over: Kontorstoler"]


def test_the_lister_is_told_in_their_own_language(db, people, chair):
    people.member.locale = "en"
    db.session.commit()
    stages.advance_due(date(2026, 3, 11))
    [note] = notes(db, people.member)
    assert note.subject == "Internal period has ended: Kontorstoler"


def test_the_period_ending_warning_and_the_move_are_not_the_same_message(runner, db, people,
                                                                        chair, monkeypatch):
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(2026, 3, 11, 9, tzinfo=UTC))
    runner.invoke(args=["run-jobs"])
    runner.invoke(args=["run-jobs"])
    assert [n.kind for n in notes(db, people.member)] == ["stage_moved"]


def test_the_final_stage_reminds_weekly_until_every_piece_has_an_end(db, people, chair):
    stages.advance_due(date(2026, 4, 8))  # straight to final
    db.session.commit()
    monday = date(2026, 4, 13)
    assert stages.nag_final(monday) == 1
    assert stages.nag_final(monday + timedelta(days=4)) == 0  # same ISO week
    assert stages.nag_final(monday + timedelta(days=7)) == 1
    reminder = notes(db, people.member)[-1]
    assert reminder.subject == "Påminnelse: registrer hva som skjedde med Kontorstoler"
    assert "4 ting i «Kontorstoler»" in reminder.body

    chair.quantity_handed_over = chair.quantity_ended = 4  # every piece given an end
    db.session.commit()
    assert stages.nag_final(monday + timedelta(days=14)) == 0


# -- by hand ---------------------------------------------------------------------------------

TODAY = date(2026, 3, 5)


def test_the_lister_moves_an_item_on_early(db, people, chair, partner_person):
    follower = partner_person("nonprofit", "kontorstol")
    stages.move(people.member, chair, "nonprofits", today=TODAY)
    db.session.commit()
    assert (chair.stage, chair.stage_ends_on) == ("nonprofits", date(2026, 3, 19))
    assert len(notes(db, follower)) == 1
    assert notes(db, people.member) == []  # they did it themselves
    stages.move(people.unit_admin, chair, "final", today=TODAY)
    assert (chair.stage, chair.stage_ends_on) == ("final", None)


def test_moving_back_needs_a_reason_and_starts_the_stage_afresh(db, people, chair):
    stages.move(people.member, chair, "final", today=TODAY)
    with pytest.raises(InvalidInput) as refused:
        stages.move(people.member, chair, "internal", "  ", today=TODAY)
    assert refused.value.field == "reason"

    stages.move(people.member, chair, "public_bodies", "Skolen ved siden av vil ha dem",
                today=TODAY)
    assert (chair.stage, chair.stage_ends_on) == ("public_bodies", date(2026, 3, 19))
    stages.move(people.member, chair, "internal", "Vi flytter snart, kanskje trengs de",
                today=TODAY)
    assert (chair.stage, chair.stage_ends_on, chair.internal_until) == (
        "internal", date(2026, 4, 4), date(2026, 4, 4))
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "item.stage_moved").order_by(AuditEvent.id.desc())).first()
    assert "Vi flytter snart" in event.details


def test_only_those_who_manage_an_item_move_it_or_mark_it_checked(db, people, make_item):
    screen = make_item(people.member, title="Skjerm", category="skjerm")
    for stranger in (people.colleague, people.outsider):
        with pytest.raises(PermissionDenied):
            stages.move(stranger, screen, "final", today=TODAY)
        with pytest.raises(PermissionDenied):
            stages.mark_safety_checked(stranger, screen)
    assert screen.stage == "internal" and screen.safety_checked_at is None
    stages.mark_safety_checked(people.admin, screen)


def test_moves_an_item_cannot_take_are_conflicts(db, people, chair, make_item):
    with pytest.raises(Conflict):
        stages.move(people.member, chair, "internal", "x", today=TODAY)  # there already
    with pytest.raises(InvalidInput):
        stages.move(people.member, chair, "limbo", today=TODAY)
    taken = make_item(people.member, title="Bord", category="skrivebord")
    claim = claims.claim_item(people.outsider, taken, 1)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, replaces_purchase=True)
    with pytest.raises(Conflict):
        stages.move(people.member, taken, "final", today=TODAY)
    items.withdraw_item(people.member, chair)
    with pytest.raises(Conflict):
        stages.move(people.member, chair, "final", today=TODAY)


def test_only_electrical_items_are_safety_checked_and_only_once(db, people, chair, make_item):
    with pytest.raises(Conflict):
        stages.mark_safety_checked(people.member, chair)
    lamp = make_item(people.member, title="Kjøleskap", category="kjoleskap")
    stages.mark_safety_checked(people.member, lamp)
    with pytest.raises(Conflict):
        stages.mark_safety_checked(people.member, lamp)


# -- electrical categories -------------------------------------------------------------------

def test_shipped_electrical_categories_are_flagged_and_new_sub_categories_inherit(
        db, people, catalog):
    flagged = {c.slug for c in categories.all_categories() if c.electrical}
    assert {"barbar-pc", "skjerm", "kjoleskap", "it-utstyr"} <= flagged
    assert not {"kontorstol", "sofa", "kjokken"} & flagged
    tablet = categories.create_category(people.admin, name_nb="Nettbrett", name_en="Tablet",
                                        parent=categories.get_by_slug("it-utstyr"))
    assert stages.is_electrical(tablet)
    stool = categories.create_category(people.admin, name_nb="Krakk", name_en="Stool",
                                       parent=categories.get_by_slug("stoler"))
    assert not stages.is_electrical(stool)


def test_admins_set_the_flag_on_the_category_page(db, people, catalog, log_in, make_user):
    client = log_in(people.admin)
    response = client.submit("/admin/categories/sofa/electrical", {"electrical": "yes"})
    assert response.status_code == 302
    assert categories.get_by_slug("sofa").electrical
    assert "må el-sjekkes" in page_text(client.get("/admin/categories/sofa"))
    client.submit("/admin/categories/sofa/electrical", {"electrical": "no"})
    db.session.expire_all()
    assert not categories.get_by_slug("sofa").electrical


# -- the API ---------------------------------------------------------------------------------

def test_the_api_moves_an_item_and_refuses_what_it_cannot(db, api, people, chair):
    lister = api(people.member)
    url = f"/api/v1/items/{chair.id}/stage"
    moved = lister.post(url, json={"stage": "public_bodies"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["stage"] == "public_bodies"
    assert moved.get_json()["stage_ends_on"] is not None

    assert lister.post(url, json={"stage": "public_bodies"}).status_code == 409
    assert lister.post(url, json={"stage": "internal"}).status_code == 422  # no reason
    assert lister.post(url, json={"stage": "nowhere"}).status_code == 422
    assert lister.post(url, json={}).status_code == 400
    assert lister.post(url, json={"stage": "final", "why": "x"}).status_code == 400
    assert lister.post(url, json={"stage": 3}).status_code == 400
    assert api(people.colleague).post(url, json={"stage": "final"}).status_code == 403
    back = lister.post(url, json={"stage": "internal", "reason": "Trengs kanskje selv"})
    assert back.status_code == 200 and back.get_json()["stage"] == "internal"


def test_the_api_marks_an_electrical_item_safety_checked(db, api, people, make_item, chair):
    screen = make_item(people.member, title="Skjerm", category="skjerm")
    url = f"/api/v1/items/{screen.id}/safety-check"
    assert api(people.colleague).post(url).status_code == 403
    checked = api(people.member).post(url)
    assert checked.status_code == 200
    assert checked.get_json()["electrical"] is True
    assert checked.get_json()["safety_checked_at"] is not None
    assert api(people.member).post(url).status_code == 409
    assert api(people.member).post(f"/api/v1/items/{chair.id}/safety-check").status_code == 409


# -- the item page ---------------------------------------------------------------------------

def test_the_lister_sees_and_uses_the_cascade_panel(db, people, make_item, log_in):
    screen = make_item(people.member, title="Skjerm", category="skjerm")
    client = log_in(people.member)
    page = page_text(client.get(f"/items/{screen.id}"))
    assert "Videre bruk" in page and "Bare i kommunen" in page
    assert "Merk som el-sjekket" in page

    refused = client.submit(f"/items/{screen.id}/stage", {"stage": "internal"})
    assert refused.status_code == 422  # already there
    assert "allerede på dette steget" in page_text(refused)

    moved = client.submit(f"/items/{screen.id}/stage", {"stage": "final"})
    assert moved.status_code == 302
    db.session.refresh(screen)
    assert screen.stage == "final"
    back = client.submit(f"/items/{screen.id}/stage", {"stage": "internal"})
    assert back.status_code == 422
    text = page_text(back)
    assert "Rett opp dette" in text and "Skriv hvorfor annonsen flyttes tilbake." in text

    assert client.submit(f"/items/{screen.id}/safety-check", {}).status_code == 302
    db.session.refresh(screen)
    assert screen.safety_checked_at is not None


def test_others_see_no_cascade_panel(db, people, chair, log_in):
    client = log_in(people.colleague)
    assert "Videre bruk" not in page_text(client.get(f"/items/{chair.id}"))
    assert client.submit(f"/items/{chair.id}/stage", {"stage": "final"}).status_code == 403
