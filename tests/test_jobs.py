"""`run-jobs`: expiry, reminders and period warnings, each sent once however often it runs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from reuse.clock import oslo_today
from reuse.models import Notification
from reuse.services import claims, notifications


@pytest.fixture
def chairs(people, make_item):
    return make_item(people.member, title="Kontorstoler", quantity=5,
                     internal_until=date.today() + timedelta(days=20))


def run_jobs(runner) -> str:
    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    return result.output


def notification_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


def test_overdue_claims_expire_and_give_their_quantity_back(runner, people, chairs, db, mailbox):
    waiting = claims.claim_item(people.outsider, chairs, 2)
    promised = claims.claim_item(people.admin, chairs, 1)
    claims.approve(people.member, promised)
    fresh = claims.claim_item(people.outsider, chairs, 1)
    waiting.collect_by = promised.collect_by = oslo_today() - timedelta(days=1)
    db.session.commit()

    output = run_jobs(runner)
    assert output.startswith("2 forespørsler utløpt")
    for claim in (waiting, promised, fresh):
        db.session.refresh(claim)
    assert (waiting.status, promised.status, fresh.status) == ("expired", "expired", "pending")
    db.session.refresh(chairs)
    assert chairs.quantity_reserved == 1
    assert [m["Subject"] for m in mailbox.to(people.outsider.email)] == [
        "Utløpt: Kontorstoler"]


def test_claim_due_today_is_not_yet_expired(people, chairs, db):
    claim = claims.claim_item(people.outsider, chairs, 1)
    claim.collect_by = oslo_today()
    db.session.commit()
    assert claims.expire_overdue() == []


def test_reminders_go_once_to_both_sides(runner, people, chairs, db, mailbox):
    claim = claims.claim_item(people.outsider, chairs, 1)
    claims.approve(people.member, claim)
    claim.collect_by = oslo_today() + timedelta(days=2)
    db.session.commit()
    notifications.deliver_committed()
    mailbox.messages.clear()

    run_jobs(runner)
    before = notification_count(db)
    run_jobs(runner)
    assert notification_count(db) == before
    assert [m["Subject"] for m in mailbox.to(people.outsider.email)] == [
        "Påminnelse: hent Kontorstoler"]
    assert [m["Subject"] for m in mailbox.to(people.member.email)] == [
        "Påminnelse: Kontorstoler skal hentes"]


def test_no_reminder_while_the_deadline_is_far_away(people, chairs, db):
    claim = claims.claim_item(people.outsider, chairs, 1)
    claims.approve(people.member, claim)
    db.session.commit()
    assert claims.remind_uncollected() == 0


def test_listers_are_warned_before_and_when_the_internal_period_ends(runner, people, make_item,
                                                                   db, mailbox):
    ending = make_item(people.member, title="Bokhylle", category="bokhylle",
                       internal_until=oslo_today() + timedelta(days=2))
    ended = make_item(people.member, title="Tavle", category="tavle",
                      internal_until=oslo_today())
    # Lapsed since it was listed: run-jobs moves it on to public bodies and says so.
    ended.internal_until = ended.stage_ends_on = oslo_today() - timedelta(days=1)
    make_item(people.member, title="Sofa", category="sofa",
              internal_until=oslo_today() + timedelta(days=25))
    db.session.commit()

    run_jobs(runner)
    run_jobs(runner)
    subjects = sorted(m["Subject"] for m in mailbox.to(people.member.email))
    assert subjects == ["Intern periode er over: Tavle",
                        "Intern periode slutter snart: Bokhylle"]
    assert ending.id != ended.id


def test_a_failed_mail_is_kept_and_sent_by_the_next_run(runner, app, people, chairs, db,
                                                         mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    assert notifications.deliver_committed() == 0
    pending = db.session.scalar(select(Notification))
    assert pending.emailed_at is None

    monkeypatch.undo()
    assert "1 e-poster sendt" in run_jobs(runner)
    assert [m["Subject"] for m in mailbox.to(people.member.email)] == [
        "Ny forespørsel: Kontorstoler"]
    assert "0 e-poster sendt" in run_jobs(runner)


def test_without_a_mail_server_messages_go_to_the_log(app, people, chairs, db, mailbox,
                                                       monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "REUSE_ENV", "production")  # development prints them
    claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    with caplog.at_level("INFO", logger="reuse.mail"):
        assert notifications.deliver_committed() == 1
    assert "subject=Ny forespørsel: Kontorstoler" in caplog.text
    assert mailbox.messages == []
