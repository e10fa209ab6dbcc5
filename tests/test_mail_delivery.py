"""E-mail leaves through the outbox whatever the rows hold: headers are built safely, a message
that fails never changes the answer to the change that caused it, it is retried with backoff
and in the end given up (and said so), and one bad message never holds back the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from reuse.models import Item, Notification, User, utcnow
from reuse.services import claims, notifications
from tests.conftest import Mailbox, _free_port

HOSTILE_TITLE = "Stol\rBcc: x@evil.example"


class FailingServer(Mailbox):
    """An SMTP server that refuses some recipients, or every message, as it is told to."""

    def __init__(self):
        super().__init__()
        self.refused: set[str] = set()
        self.refuse_all: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_all:
            return self.refuse_all
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture(scope="module")
def failing_controller():
    controller = Controller(FailingServer(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def failing_server(app, failing_controller, monkeypatch) -> FailingServer:
    server = failing_controller.handler
    server.messages.clear()
    server.recipients.clear()
    server.refused.clear()
    server.refuse_all = None
    monkeypatch.setitem(app.config, "MAIL_SERVER", failing_controller.hostname)
    monkeypatch.setitem(app.config, "MAIL_PORT", failing_controller.port)
    return server


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


def make_due(db) -> None:
    """Let the time pass until every message waiting for a retry is due."""
    db.session.execute(update(Notification).where(Notification.email_retry_at.is_not(None))
                       .values(email_retry_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


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


# -- a message that cannot be sent ------------------------------------------------------------

def _break_address(db, user: User) -> None:
    """An address the mail library refuses to put in a header (stored before checks)."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(email=f"{user.email}\r\nBcc: x@evil.example"))
    db.session.commit()


def test_a_message_that_cannot_be_built_does_not_change_the_answer(api, people, chairs, db,
                                                                   mailbox, caplog):
    _break_address(db, people.member)
    with caplog.at_level("WARNING", logger="reuse.notifications"):
        response = api(people.outsider).post(f"/api/v1/items/{chairs.id}/claims",
                                             json={"quantity": 2})
    assert response.status_code == 201, response.get_json()
    assert db.session.scalar(select(Item.quantity_reserved).where(Item.id == chairs.id)) == 2
    [kept] = outbox(db)
    assert kept.emailed_at is None and kept.email_failed_at is None
    assert kept.email_attempts == 1 and kept.email_retry_at > utcnow()
    assert f"notification {kept.id}" in caplog.text
    assert mailbox.messages == []


def test_the_browser_page_answers_as_usual_when_the_mail_fails(client, log_in, people, chairs,
                                                               db, mailbox):
    _break_address(db, people.member)
    log_in(people.outsider)
    response = client.submit(f"/items/{chairs.id}/claim", {"quantity": "1"})
    assert response.status_code == 302
    assert [note.email_attempts for note in outbox(db)] == [1]


def test_one_bad_message_does_not_hold_back_the_rest(runner, people, chairs, db, mailbox):
    _break_address(db, people.member)
    claims.claim_item(people.outsider, chairs, 1)  # to the broken address, first in line
    notifications.notify(people.outsider, "test", "Første", "Tekst")
    notifications.notify(people.admin, "test", "Andre", "Tekst")
    db.session.commit()

    output = run_jobs(runner)
    assert "2 e-poster sendt" in output
    assert sorted(message["Subject"] for message in mailbox.messages) == ["Andre", "Første"]
    bad, *good = outbox(db)
    assert bad.emailed_at is None and bad.email_attempts == 1
    assert all(note.emailed_at is not None for note in good)


def test_a_failed_message_waits_for_its_backoff_and_then_goes(runner, people, chairs, db,
                                                              failing_server):
    failing_server.refused.add(people.member.email)
    claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    run_jobs(runner)
    [note] = outbox(db)
    first_retry = note.email_retry_at
    assert note.email_attempts == 1 and first_retry > utcnow()

    failing_server.refused.clear()
    assert "0 e-poster sendt" in run_jobs(runner)  # not due yet
    failing_server.refused.add(people.member.email)
    make_due(db)
    run_jobs(runner)
    [note] = outbox(db)
    assert note.email_attempts == 2
    # The wait doubles: the second retry is further away than the first was.
    assert note.email_retry_at - utcnow() > first_retry - note.created_at

    failing_server.refused.clear()
    make_due(db)
    assert "1 e-poster sendt" in run_jobs(runner)
    assert [m["Subject"] for m in failing_server.to(people.member.email)] == [
        "Ny forespørsel: Kontorstoler"]


def test_a_message_that_keeps_failing_is_given_up_and_reported(app, runner, people, chairs, db,
                                                               failing_server, caplog):
    failing_server.refused.add(people.member.email)
    claims.claim_item(people.outsider, chairs, 1)
    db.session.commit()
    attempts = app.config["MAIL_MAX_ATTEMPTS"]
    for _ in range(attempts - 1):
        run_jobs(runner)
        make_due(db)
    with caplog.at_level("ERROR", logger="reuse.notifications"):
        output = run_jobs(runner)
    assert "1 e-post er gitt opp" in output
    [note] = outbox(db)
    assert note.email_attempts == attempts and note.email_failed_at is not None
    assert note.emailed_at is None
    assert f"notification {note.id}" in caplog.text and "given up" in caplog.text

    failing_server.refused.clear()
    make_due(db)
    run_jobs(runner)
    assert failing_server.messages == []  # never retried again
    assert outbox(db)[0].email_attempts == attempts


def test_a_server_refusing_every_message_costs_each_one_attempt(runner, people, db,
                                                                failing_server):
    failing_server.refuse_all = "451 4.3.0 Try again later"
    for user in (people.member, people.outsider, people.admin):
        notifications.notify(user, "test", "Hei", "Tekst")
    db.session.commit()
    assert "0 e-poster sendt" in run_jobs(runner)
    assert [note.email_attempts for note in outbox(db)] == [1, 1, 1]

    failing_server.refuse_all = None
    make_due(db)
    assert "3 e-poster sendt" in run_jobs(runner)


def test_an_unreachable_server_keeps_every_message_and_says_so(app, runner, people, db, mailbox,
                                                               monkeypatch):
    for user in (people.member, people.outsider):
        notifications.notify(user, "test", "Hei", "Tekst")
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    output = run_jobs(runner, exit_code=1)
    assert "e-postserveren svarer ikke" in output and "2 e-poster venter" in output
    # Not the messages' fault: no attempt is counted against them.
    assert [(n.emailed_at, n.email_attempts) for n in outbox(db)] == [(None, 0), (None, 0)]

    monkeypatch.undo()
    assert "2 e-poster sendt" in run_jobs(runner)
