"""E-mail with several senders: a sender stopped in the middle of a message loses nothing (the
next takes it once its time has passed), two senders never send one message twice, requests
can leave all sending to the workers, and one runner at a time does the periodic jobs."""

from __future__ import annotations

import os
import signal
import subprocess  # nosec B404 - the worker is this project's own command
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from reuse import mail
from reuse.models import Notification, utcnow
from reuse.services import job_lock, notifications


def waiting(db, people, count: int) -> list[int]:
    for number in range(count):
        notifications.notify(people.member, "test", f"Melding {number}", "Tekst")
    db.session.commit()
    return list(db.session.scalars(select(Notification.id).order_by(Notification.id)))


def test_a_sender_stopped_while_sending_leaves_the_message_to_the_next_sender(
        app, db, people, mailbox, monkeypatch):
    """A worker killed in the middle of the SMTP exchange: the message was taken but not
    sent. It must neither be lost nor be sent by anyone else before its lease has run out."""
    waiting(db, people, 1)
    real_send = mail.send

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # stands for SIGKILL: nothing after this line runs

    monkeypatch.setattr(mail, "send", killed)
    with pytest.raises(KeyboardInterrupt):
        notifications.deliver_due()
    db.session.rollback()
    monkeypatch.setattr(mail, "send", real_send)

    assert notifications.deliver_due().sent == 0  # still taken by the stopped sender
    assert mailbox.messages == []
    db.session.execute(update(Notification).values(
        email_taken_until=utcnow() - timedelta(seconds=1)))  # its lease runs out
    db.session.commit()
    assert notifications.deliver_due().sent == 1
    assert [message["Subject"] for message in mailbox.messages] == ["Melding 0"]
    assert notifications.deliver_due().sent == 0
    assert len(mailbox.messages) == 1


def test_two_senders_with_the_same_list_send_each_message_once(app, db, people, mailbox):
    ids = waiting(db, people, 6)
    # Both read the same six due messages, then take turns: each message goes out once.
    first = notifications._deliver(ids[::2] + ids[1::2])
    second = notifications._deliver(ids)
    assert first.sent + second.sent == 6
    assert sorted(message["Subject"] for message in mailbox.messages) == [
        f"Melding {number}" for number in range(6)]


def test_with_mail_from_requests_off_a_request_only_queues_and_a_worker_sends(
        app, api, db, people, make_item, mailbox, monkeypatch, runner):
    monkeypatch.setitem(app.config, "MAIL_FROM_REQUESTS", False)
    chairs = make_item(people.member, title="Kontorstoler", quantity=5)
    response = api(people.outsider).post(f"/api/v1/items/{chairs.id}/claims",
                                         json={"quantity": 1})
    assert response.status_code == 201
    assert mailbox.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.emailed_at.is_(None))) >= 1
    runner.invoke(args=["run-jobs"])
    assert "Ny forespørsel: Kontorstoler" in [message["Subject"] for message in mailbox.messages]


def test_run_jobs_leaves_the_periodic_jobs_to_the_runner_that_has_them(app, db, runner,
                                                                      people, mailbox):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("one host's SQLite has no other runner to wait for")
    waiting(db, people, 1)
    with db.engine.connect() as other_runner:
        assert other_runner.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                    {"key": job_lock.SWEEP_KEY}).scalar()
        output = runner.invoke(args=["run-jobs"]).output
        other_runner.execute(text("SELECT pg_advisory_unlock(:key)"),
                             {"key": job_lock.SWEEP_KEY})
    assert "En annen prosess kjører de faste jobbene nå" in output
    assert "1 sendt" in output  # e-mail is everyone's work
    assert "forespørsler utløpt" in runner.invoke(args=["run-jobs"]).output


def test_a_worker_sends_what_is_waiting_and_stops_when_told(app, db, people, mailbox,
                                                             tmp_path):
    """`flask worker` as deployed: its own process on the same database and mail server."""
    waiting(db, people, 3)
    environment = {**os.environ, "REUSE_ENV": "development", "SECRET_KEY": "x",
                   "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "UPLOAD_DIR": app.config["UPLOAD_DIR"],
                   "MAIL_SERVER": app.config["MAIL_SERVER"],
                   "MAIL_PORT": str(app.config["MAIL_PORT"]),
                   "REUSE_INSTANCE_PATH": str(tmp_path)}
    worker = subprocess.Popen(  # nosec B603 - fixed arguments, no shell
        [sys.executable, "-m", "flask", "--app", "reuse", "worker", "--interval", "1"],
        cwd=Path(__file__).resolve().parents[1], env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while len(mailbox.messages) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert worker.returncode == 0, output
    assert "Worker" in output and "started" in output and "stopped" in output  # its log
    assert sorted(message["Subject"] for message in mailbox.messages) == [
        "Melding 0", "Melding 1", "Melding 2"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.emailed_at.is_(None))) == 0
