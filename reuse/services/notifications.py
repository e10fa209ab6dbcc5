"""In-app notifications, each also sent by e-mail once the change that caused it is committed.

Notifications are rows written in the same transaction as the change (an outbox). After the
commit the command delivers their e-mails, or the request once its answer has been sent
(MAIL_FROM_REQUESTS; off where worker processes send everything); anything not delivered is
sent by `run-jobs` or a `worker`. A message that fails (refused by the server, or impossible
to build) never stops the others: it is retried after a wait that doubles each time, and
after MAIL_MAX_ATTEMPTS given up and logged as an error. When the server cannot be reached at
all, the messages wait for the next run without an attempt counted against them.

Any number of senders may run at once, on any host. A sender takes one message at a time
with a conditional UPDATE (email_taken_until, MAIL_LEASE_SECONDS ahead), so two never send
the same one, and marks it sent only after the mail server has accepted it. A sender killed
in between leaves the message taken; when the time has passed another takes it again, so
nothing is lost. The one window left is a kill after the server's acceptance and before the
mark is committed: that message would go twice (milliseconds, against losing it outright).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask, Response, current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reuse import mail
from reuse.clock import OSLO
from reuse.deferred import after_response
from reuse.extensions import db, listen_once
from reuse.links import site_url
from reuse.models import Notification, User, utcnow

log = logging.getLogger("reuse.notifications")

# A password reset: its link carries a token, made only as the e-mail leaves (users.py).
PASSWORD_RESET = "password_reset"
# A partner's one-time sign-in link: likewise made as the e-mail leaves (login_links.py).
LOGIN_LINK = "login_link"
# However many attempts are configured, a retry never waits longer than a day.
MAX_RETRY_WAIT_SECONDS = 24 * 3600


def notify(user: User, kind: str, subject: str, body: str, *, link: str = "",
           dedup_key: str | None = None) -> Notification | None:
    """Add a notification for the user; with a dedup_key, at most one ever per user and key."""
    if dedup_key is not None:
        exists = db.session.scalar(select(Notification.id).where(
            Notification.user_id == user.id, Notification.dedup_key == dedup_key))
        if exists:
            return None
    notification = Notification(user_id=user.id, kind=kind, subject=subject, body=body,
                                link=link, dedup_key=dedup_key)
    if dedup_key is None:
        db.session.add(notification)
        db.session.flush()
    else:
        # Two job runners at once: the unique constraint decides, the loser skips quietly.
        try:
            with db.session.begin_nested():
                db.session.add(notification)
        except IntegrityError:
            return None
    db.session.info.setdefault("outbox", []).append(notification.id)
    _forget_unread(user.id)
    return notification


def init_app(app: Flask) -> None:
    """The outbox follows each session's transaction: committed, or gone with a rollback;
    unread counts kept for the header are dropped with either."""
    listen_once(Session, "after_commit", _outbox_committed)
    listen_once(Session, "after_rollback", _outbox_rolled_back)
    listen_once(Session, "after_commit", _forget_kept_counts)
    listen_once(Session, "after_rollback", _forget_kept_counts)


def _outbox_committed(session: Session) -> None:
    pending = session.info.pop("outbox", None)
    if pending:
        session.info.setdefault("outbox_committed", []).extend(pending)


def _outbox_rolled_back(session: Session) -> None:
    session.info.pop("outbox", None)


@dataclass
class Delivery:
    """What one round of sending did."""

    sent: int = 0
    retrying: int = 0  # failed now, tried again after a wait
    given_up: int = 0  # failed for the last time (MAIL_MAX_ATTEMPTS)
    unavailable: bool = False  # the mail server could not be reached; the rest wait
    full: bool = False  # as many were due as one round takes: more may be waiting


def deliver_committed() -> int:
    """Send the e-mails of notifications committed by this session so far (with
    MAIL_FROM_REQUESTS off, the workers send them)."""
    ids = db.session.info.pop("outbox_committed", None)
    if not ids or not current_app.config["MAIL_FROM_REQUESTS"]:
        return 0
    return _deliver(ids).sent


def deliver_after(response: Response) -> None:
    """Send the e-mails this request committed once the server has sent the response (what
    fails there, run-jobs retries). With MAIL_FROM_REQUESTS off nothing: the workers send
    them, and no web worker waits for a slow mail server."""
    ids = db.session.info.pop("outbox_committed", None)
    if ids and current_app.config["MAIL_FROM_REQUESTS"]:
        after_response(response, lambda: _deliver(ids), "E-mail")


def _sendable(now):
    """Not sent, not given up, its (re)try due, and not taken by a sender whose time runs."""
    return (Notification.emailed_at.is_(None), Notification.email_failed_at.is_(None),
            or_(Notification.email_retry_at.is_(None), Notification.email_retry_at <= now),
            or_(Notification.email_taken_until.is_(None),
                Notification.email_taken_until <= now))


def deliver_due(limit: int = 500, *, keep_going: Callable[[], bool] = lambda: True) -> Delivery:
    """Send every e-mail not sent yet whose (re)try is due, oldest first (those this session
    committed included), while keep_going() says so (a worker asked to stop)."""
    db.session.info.pop("outbox_committed", None)
    ids = db.session.scalars(select(Notification.id).where(*_sendable(utcnow()))
                             .order_by(Notification.id).limit(limit)).all()
    delivery = _deliver(list(ids), keep_going)
    delivery.full = len(ids) == limit
    return delivery


def waiting_count() -> int:
    """E-mails not sent yet and not given up (due or waiting for a retry)."""
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.emailed_at.is_(None), Notification.email_failed_at.is_(None)))


def _deliver(ids: list[int], keep_going: Callable[[], bool] = lambda: True) -> Delivery:
    delivery = Delivery()
    lease = timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    for notification_id in ids:
        if not keep_going():
            break
        # Take the message with one conditional UPDATE, so two senders never both send it.
        now = utcnow()
        taken = db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, *_sendable(now))
            .values(email_taken_until=now + lease)
        ).rowcount
        db.session.commit()
        if not taken:
            continue
        notification = db.session.get(Notification, notification_id)
        try:
            body = notification.body
            link = _email_link(notification)
            if link:
                body += f"\n\n{link}"
            mail.send(notification.user.email, notification.subject, body)
        except mail.MailUnavailable:
            log.warning("Mail server unavailable; notification %s and the rest wait",
                        notification_id, exc_info=True)
            _put_back(notification_id)
            delivery.unavailable = True
            break
        except Exception:  # noqa: BLE001 - whatever breaks one message must not stop the rest
            if _failed(notification_id):
                delivery.given_up += 1
            else:
                delivery.retrying += 1
            continue
        _mark_sent(notification_id)
        delivery.sent += 1
    return delivery


def _mark_sent(notification_id: int) -> None:
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(emailed_at=utcnow(), email_taken_until=None))
    db.session.commit()


def _put_back(notification_id: int) -> None:
    """Unsent through no fault of its own: back in the outbox, no attempt counted."""
    db.session.rollback()
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(email_taken_until=None))
    db.session.commit()


def _failed(notification_id: int) -> bool:
    """Count a failed attempt: retry after a wait that doubles each time, or give up after
    MAIL_MAX_ATTEMPTS. True when given up. Called while handling the exception (logged)."""
    db.session.rollback()  # whatever failed may have been the session's
    attempts = db.session.scalar(select(Notification.email_attempts)
                                 .where(Notification.id == notification_id)) + 1
    config = current_app.config
    now = utcnow()
    if attempts >= config["MAIL_MAX_ATTEMPTS"]:
        values = {"email_failed_at": now, "email_retry_at": None}
        log.error("E-mail of notification %s failed %s times and is given up; it stays in "
                  "the app only", notification_id, attempts, exc_info=True)
    else:
        wait = min(config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1), MAX_RETRY_WAIT_SECONDS)
        values = {"email_retry_at": now + timedelta(seconds=wait)}
        log.warning("E-mail of notification %s failed (attempt %s); retried in %s s",
                    notification_id, attempts, wait, exc_info=True)
    db.session.execute(update(Notification).where(Notification.id == notification_id)
                       .values(email_taken_until=None, email_attempts=attempts, **values))
    db.session.commit()
    return "email_failed_at" in values


def _email_link(notification: Notification) -> str:
    if notification.kind == PASSWORD_RESET:
        # Made now, not stored: the database never holds a working reset link.
        from reuse.services import users  # users.request_password_reset() queues these

        return users.password_reset_url(notification.user)
    if notification.kind == LOGIN_LINK:
        # Made now, its 15 minutes counted from the sending: only its hash is stored, and it
        # must be committed before anyone can follow it.
        from reuse.services import login_links

        link = login_links.create_link(notification.user)
        db.session.commit()
        return link
    return site_url(notification.link) if notification.link else ""


# Every page's header shows the signed-in person's unread count. It is read in the same
# statement as the person (reuse.auth_session) and kept in the session for its transaction:
# a commit or rollback drops it, and so does any change to the person's notifications made
# here, so a page written after one counts again.
_UNREAD_KEPT = "unread_kept"


def _unread_of(user_id):
    """How many notifications `user_id` (a value, or a column of the statement) has unread."""
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)))


def unread_column():
    """The unread count of the User row in the same statement, as a column to select."""
    return _unread_of(User.id).scalar_subquery()


def keep_unread(user: User, count: int) -> None:
    """Keep the count read with the person (unread_column) for this transaction."""
    db.session.info.setdefault(_UNREAD_KEPT, {})[user.id] = count


def _forget_unread(user_id: int) -> None:
    db.session.info.get(_UNREAD_KEPT, {}).pop(user_id, None)


def _forget_kept_counts(session: Session) -> None:
    session.info.pop(_UNREAD_KEPT, None)


def unread_count(user: User) -> int:
    kept = db.session.info.get(_UNREAD_KEPT, {}).get(user.id)
    if kept is not None:
        return kept
    return db.session.scalar(_unread_of(user.id))


def recent(user: User, limit: int = 50, *, unread_only: bool = False) -> list[Notification]:
    """The user's newest notifications, newest first; with unread_only, those not read yet."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def by_day(found: list[Notification]) -> list[tuple[date, list[Notification]]]:
    """Notifications (newest first) grouped by the day they came, as counted in Oslo."""
    days: dict[date, list[Notification]] = {}
    for notification in found:
        days.setdefault(notification.created_at.astimezone(OSLO).date(), []).append(notification)
    return list(days.items())


def mark_read(user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read (again is harmless: the first time
    stays). None when the user has no notification with that id, someone else's included."""
    notification = db.session.scalar(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user.id))
    if notification is not None and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()
        _forget_unread(user.id)
    return notification


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    _forget_unread(user.id)
