"""In-app notifications, each also sent by e-mail once the change that caused it is committed.

Notifications are rows written in the same transaction as the change (an outbox). After the
commit the command delivers their e-mails, or the request once its answer has been sent;
anything not delivered — the mail server was down, the process died — is retried by
`run-jobs`.
"""

from __future__ import annotations

import logging
import smtplib

from flask import Response
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reuse import mail
from reuse.deferred import after_response
from reuse.extensions import db
from reuse.links import site_url
from reuse.models import Notification, User, utcnow

log = logging.getLogger("reuse.notifications")

# A password reset: its link carries a token, made only as the e-mail leaves (users.py).
PASSWORD_RESET = "password_reset"


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
    return notification


@event.listens_for(Session, "after_commit")
def _outbox_committed(session: Session) -> None:
    pending = session.info.pop("outbox", None)
    if pending:
        session.info.setdefault("outbox_committed", []).extend(pending)


@event.listens_for(Session, "after_rollback")
def _outbox_rolled_back(session: Session) -> None:
    session.info.pop("outbox", None)


def deliver_committed() -> int:
    """Send the e-mails of notifications committed by this session so far."""
    ids = db.session.info.pop("outbox_committed", None)
    return _deliver(ids) if ids else 0


def deliver_after(response: Response) -> None:
    """Send the e-mails this request committed once the server has sent the response (what
    fails there, run-jobs retries)."""
    ids = db.session.info.pop("outbox_committed", None)
    if ids:
        after_response(response, lambda: _deliver(ids), "E-mail")


def deliver_undelivered() -> int:
    """Retry every notification whose e-mail has not gone out yet."""
    ids = db.session.scalars(select(Notification.id).where(Notification.emailed_at.is_(None))
                             .order_by(Notification.id).limit(500)).all()
    return _deliver(list(ids))


def _deliver(ids: list[int]) -> int:
    sent = 0
    for notification_id in ids:
        # Take the message with one conditional UPDATE, so two senders never both send it.
        taken = db.session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.emailed_at.is_(None))
            .values(emailed_at=utcnow())
        ).rowcount
        db.session.commit()
        if not taken:
            continue
        notification = db.session.get(Notification, notification_id)
        body = notification.body
        link = _email_link(notification)
        if link:
            body += f"\n\n{link}"
        try:
            mail.send(notification.user.email, notification.subject, body)
        except (OSError, smtplib.SMTPException):
            log.exception("E-mail to user %s failed; run-jobs will retry", notification.user_id)
            db.session.execute(update(Notification).where(Notification.id == notification_id)
                               .values(emailed_at=None))
            db.session.commit()
            break
        sent += 1
    return sent


def _email_link(notification: Notification) -> str:
    if notification.kind == PASSWORD_RESET:
        # Made now, not stored: the database never holds a working reset link.
        from reuse.services import users  # users.request_password_reset() queues these

        return users.password_reset_url(notification.user)
    return site_url(notification.link) if notification.link else ""


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
