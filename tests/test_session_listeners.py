"""SQLAlchemy listeners are added by create_app(), once per process however many apps there are,
and what they do still happens: files follow the transaction, e-mail leaves after the commit,
the reports' month totals follow the ledger."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from reuse import _sqlite_pragmas, create_app
from reuse.extensions import db as _db
from reuse.services import month_totals, notifications, photos
from tests.conftest import jpeg_bytes

LISTENERS = [
    (Session, "after_commit", notifications._outbox_committed),
    (Session, "after_rollback", notifications._outbox_rolled_back),
    (Session, "after_commit", photos._files_follow_commit),
    (Session, "after_rollback", photos._files_follow_rollback),
    (Session, "after_flush", month_totals._keep_in_step),
    (Pool, "connect", _sqlite_pragmas),  # added for Engine, kept by its pool class
]


def times_registered(target, identifier: str, listener) -> int:
    # SQLAlchemy has no public count; event.contains() says only whether it is there at all.
    return list(getattr(target.dispatch, identifier)._clslevel[target]).count(listener)


@pytest.fixture
def second_app(app):
    """Another app in the same process, as tests and `flask` commands that build one make."""
    second = create_app(dict(app.config))
    second.test_client_class = app.test_client_class
    yield second
    with second.app_context():
        _db.engine.dispose()


@pytest.mark.parametrize(("target", "identifier", "listener"), LISTENERS,
                         ids=[listener.__name__ for _, _, listener in LISTENERS])
def test_a_second_app_adds_no_listener_twice(second_app, target, identifier, listener):
    assert times_registered(target, identifier, listener) == 1


def test_with_two_apps_a_rolled_back_photo_leaves_no_file(second_app, app, people, make_item, db):
    item = make_item(people.member)
    photos.add_photos(people.member, item, [photos.Upload(io.BytesIO(jpeg_bytes()), "stol.jpg")])
    assert list(Path(app.config["UPLOAD_DIR"]).iterdir())
    db.session.rollback()
    assert list(Path(app.config["UPLOAD_DIR"]).iterdir()) == []


def test_with_two_apps_a_committed_e_mail_leaves_once_with_the_answer(second_app, people,
                                                                      mailbox):
    client = second_app.test_client()
    client.submit("/password/forgot", {"email": people.member.email})
    assert len(mailbox.to(people.member.email)) == 1


def test_with_two_apps_month_totals_count_each_record_once(second_app, people, hand_over):
    hand_over(people.member, people.outsider)
    assert not month_totals.differences()
