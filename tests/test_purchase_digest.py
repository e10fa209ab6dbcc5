"""The monthly note to unit admins about last month's purchases without a reuse check: once
per month per admin, only their own units, nothing when there is nothing, and a mail server
that is down never undoes it."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from reuse.clock import OSLO, oslo_today
from reuse.models import Notification, Role
from reuse.services import categories, checks, items, purchase_digest, purchase_rules, purchases

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")
LAST_MONTH = purchase_digest.month_before(oslo_today())
ORDERED = LAST_MONTH.start + timedelta(days=4)


def oslo_midnight(day) -> datetime:
    return datetime.combine(day, time(), OSLO).astimezone(UTC)


@pytest.fixture(autouse=True)
def any_day(monkeypatch):
    """The tests run on whatever day it is; when the note waits for is its own test."""
    monkeypatch.setattr(purchase_digest, "SEND_FROM_DAY", 1)


@pytest.fixture
def org(db, catalog, people, make_user, make_item):
    people.school.code = "SKOLE"
    people.kindergarten.code = "BHG"
    purchase_rules.load_defaults()
    db.session.commit()
    people.lead = make_user(people.admin.unit, Role.SUSTAINABILITY)
    people.kindergarten_admin = make_user(people.kindergarten, Role.UNIT_ADMIN)
    people.etat_admin = make_user(people.school.parent, Role.UNIT_ADMIN)
    sofa = make_item(people.outsider, title="Grå sofa", category="sofa", quantity=1)
    sofa.created_at = oslo_midnight(ORDERED - timedelta(days=10))
    db.session.commit()
    people.sofa = sofa
    return people


def add_lines(db, lead, *rows: str):
    result = purchases.import_file(lead, "Visma", "\n".join((HEADER, *rows)).encode(),
                                   via="test")
    db.session.commit()
    assert not result.refused, [refusal.text() for refusal in result.refused]


def run_jobs(runner, *, ok: bool = True) -> str:
    result = runner.invoke(args=["run-jobs"])
    if ok:
        assert result.exit_code == 0, result.output
    return result.output


def digests(db, user) -> list[Notification]:
    return db.session.scalars(select(Notification).where(
        Notification.user_id == user.id, Notification.kind == purchase_digest.KIND)).all()


def test_each_unit_admin_gets_their_subtrees_lines_once_per_month(org, db, runner, mailbox):
    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000",
              f"K1,PO-2,{ORDERED},BHG,Kinnarps,Barnestoler,,kontorstol,4,6000",
              f"S2,PO-3,{ORDERED},SKOLE,Konsulent AS,Rådgivning,80101500,,1,50000")
    output = run_jobs(runner)
    assert "3 enhetsadministratorer har fått oversikten" in output
    run_jobs(runner)  # the second run sends nothing new

    [school] = digests(db, org.unit_admin)
    assert "ble det gjort 1 innkjøp i en kategori som også finnes brukt" in school.body
    assert "Sofa til personalrommet" in school.body
    assert "Barnestoler" not in school.body and "Rådgivning" not in school.body
    assert "Neste gang: sjekk Gjenbruk først — dette var ledig da dere bestilte: Grå sofa" in (
        school.body)
    assert school.link.startswith("/reports/purchases/lines?")
    assert f"unit={org.school.id}" in school.link and "group=uncovered" in school.link

    [kindergarten] = digests(db, org.kindergarten_admin)
    assert "Barnestoler" in kindergarten.body and "Sofa" not in kindergarten.body
    assert "Neste gang" not in kindergarten.body  # nothing was free for them
    [etat] = digests(db, org.etat_admin)
    assert "Sofa til personalrommet" in etat.body  # the school is under the etat
    assert digests(db, org.member) == [] and digests(db, org.lead) == []

    mails = mailbox.to(org.unit_admin.email)
    assert len(mails) == 1
    assert "Gjenbruk neste gang? 1 innkjøp i" in mails[0]["Subject"]
    assert "/reports/purchases/lines?" in mails[0].get_content()


def school_note_on_a_sofa(db, org, runner) -> Notification:
    """The school's admin's note after the school bought a sofa last month."""
    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000")
    run_jobs(runner)
    [note] = digests(db, org.unit_admin)
    return note


def test_the_note_does_not_name_an_alternative_withdrawn_since(org, db, runner):
    items.withdraw_item(org.outsider, org.sofa)
    db.session.commit()
    school = school_note_on_a_sofa(db, org, runner)
    assert "Sofa til personalrommet" in school.body
    assert "Grå sofa" not in school.body and "Neste gang" not in school.body



def test_the_report_link_shows_the_same_lines(org, db, runner, client):
    from tests.conftest import login

    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000")
    run_jobs(runner)
    [note] = digests(db, org.unit_admin)
    login(client, org.unit_admin)
    page = client.get(note.link).get_data(as_text=True)
    assert "Sofa til personalrommet" in page and "Grå sofa" in page


def test_nothing_is_sent_when_every_line_had_a_check(org, db, runner):
    check = checks.create_check(org.member, "sofa", category=categories.get_by_slug("sofa"))
    check.created_at = oslo_midnight(ORDERED - timedelta(days=2))
    db.session.commit()
    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000",
              f"S2,PO-3,{ORDERED},SKOLE,Rema,Kaffe,,,1,100")
    run_jobs(runner)
    assert digests(db, org.unit_admin) == [] and digests(db, org.etat_admin) == []


def test_lines_of_this_month_wait_for_next_month(org, db, runner):
    add_lines(db, org.lead,
              f"S1,PO-1,{oslo_today()},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000")
    run_jobs(runner)
    assert digests(db, org.unit_admin) == []


def test_a_deactivated_admin_gets_nothing(org, db, runner):
    org.unit_admin.active = False
    db.session.commit()
    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000")
    run_jobs(runner)
    assert digests(db, org.unit_admin) == []
    assert len(digests(db, org.etat_admin)) == 1


def test_a_long_month_lists_the_first_lines_and_counts_the_rest(org, db, runner):
    rows = [f"S{n},PO-{n},{ORDERED},SKOLE,Bohus,Sofa nummer {n},,sofa,2,1000"
            for n in range(purchase_digest.MAX_LINES + 3)]
    add_lines(db, org.lead, *rows)
    run_jobs(runner)
    [note] = digests(db, org.unit_admin)
    assert note.body.count("\n\n- ") == purchase_digest.MAX_LINES
    assert "… og 3 linjer til." in note.body


def test_a_mail_server_that_is_down_keeps_the_notes_and_sends_them_once_later(
        org, db, runner, app, mailbox, monkeypatch):
    add_lines(db, org.lead,
              f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,12000")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    run_jobs(runner, ok=False)  # run-jobs says the mail server is down …
    assert len(digests(db, org.unit_admin)) == 1  # … but the note is kept, in the app
    assert mailbox.to(org.unit_admin.email) == []
    monkeypatch.undo()
    run_jobs(runner)
    run_jobs(runner)
    assert len(digests(db, org.unit_admin)) == 1
    assert len(mailbox.to(org.unit_admin.email)) == 1


def test_the_note_is_written_in_the_admins_language(org, db, runner):
    org.unit_admin.locale = "en"
    db.session.commit()
    note = school_note_on_a_sofa(db, org, runner)
    assert "Next time: check Gjenbruk first" in note.body


def test_the_note_waits_for_the_seventh_when_the_month_s_lines_have_come_in(
        org, db, monkeypatch):
    monkeypatch.setattr(purchase_digest, "SEND_FROM_DAY", 7)
    add_lines(db, org.lead, f"S1,PO-1,{ORDERED},SKOLE,Bohus,Sofa til personalrommet,,sofa,1,"
                            "12000")
    this_month = LAST_MONTH.end + timedelta(days=1)
    assert purchase_digest.send_monthly(this_month.replace(day=6)) == 0
    assert purchase_digest.send_monthly(this_month.replace(day=7)) == 2  # school, etat
    db.session.commit()
    assert len(digests(db, org.etat_admin)) == 1
