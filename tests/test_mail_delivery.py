"""E-mail leaves through the outbox whatever the rows hold: headers are built safely, a message
that fails never changes the answer to the change that caused it, it is retried with backoff
and in the end given up (and said so), and one bad message never holds back the others."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from reuse.models import Item, Notification
from reuse.services import notifications

HOSTILE_TITLE = "Stol\rBcc: x@evil.example"


@pytest.fixture
def chairs(people, make_item):
    return make_item(people.member, title="Kontorstoler", quantity=5)


def run_jobs(runner, exit_code: int = 0) -> str:
    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == exit_code, result.output
    return result.output


def outbox(db) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def _assert_one_line_headers(message) -> None:
    assert message["Bcc"] is None and message["Cc"] is None
    for name, value in message.items():
        assert "\r" not in value and "\n" not in value, f"{name}: {value!r}"


# -- rows that already hold control characters -------------------------------------------------

def test_a_title_with_cr_answers_every_step_and_mails_no_one_else(api, people, chairs, db,
                                                                  mailbox):
    # Written before titles were checked: the row holds a CR and a would-be header.
    db.session.execute(update(Item).where(Item.id == chairs.id).values(title=HOSTILE_TITLE))
    db.session.commit()
    claimant, lister = api(people.outsider), api(people.member)

    created = claimant.post(f"/api/v1/items/{chairs.id}/claims", json={"quantity": 1})
    assert created.status_code == 201, created.get_json()
    claim_id = created.get_json()["id"]
    approved = lister.post(f"/api/v1/claims/{claim_id}/approve", json={})
    assert approved.status_code == 200, approved.get_json()
    collected = claimant.post(f"/api/v1/claims/{claim_id}/collect",
                              json={"replaces_purchase": True})
    assert collected.status_code == 200, collected.get_json()
    assert collected.get_json()["status"] == "collected"

    subjects = sorted(message["Subject"] for message in mailbox.messages)
    assert "Ny forespørsel: Stol Bcc: x@evil.example" in subjects
    assert "Godkjent: Stol Bcc: x@evil.example" in subjects
    for message in mailbox.messages:
        _assert_one_line_headers(message)
    assert "x@evil.example" not in mailbox.recipients
    assert set(mailbox.recipients) <= {people.member.email, people.outsider.email,
                                       people.unit_admin.email}
    assert all(note.emailed_at is not None for note in outbox(db))


def test_run_jobs_delivers_a_subject_with_cr_lf_on_one_line(runner, people, db, mailbox):
    db.session.add(Notification(user_id=people.member.id, kind="claim_new",
                                subject="Ny forespørsel: Stol\r\nBcc: x@evil.example\x0b\x85",
                                body="Linje 1\rLinje 2"))
    db.session.commit()
    assert "1 e-poster sendt" in run_jobs(runner)
    [message] = mailbox.to(people.member.email)
    assert message["Subject"] == "Ny forespørsel: Stol Bcc: x@evil.example"
    _assert_one_line_headers(message)
    assert mailbox.recipients == [people.member.email]


def test_a_sender_name_with_a_line_break_stays_one_header(app, runner, people, db, mailbox,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SENDER",
                        "Gjenbruk\r\nBcc: x@evil.example <gjenbruk@bergen.example>")
    notifications.notify(people.member, "test", "Hei", "Tekst")
    db.session.commit()
    run_jobs(runner)
    [message] = mailbox.messages
    _assert_one_line_headers(message)
    assert message["From"].addresses[0].addr_spec == "gjenbruk@bergen.example"
    assert mailbox.recipients == [people.member.email]
