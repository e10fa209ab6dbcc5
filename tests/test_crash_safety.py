"""A worker killed in the middle of a claim or a collection leaves the database consistent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reuse.models import AuditEvent, Claim, Item, ReuseRecord
from reuse.services import claims

ROOT = Path(__file__).resolve().parent.parent

# Runs in another process against the same database: does the work up to the commit, says
# so, and waits to be killed.
WORKER = textwrap.dedent("""
    import sys, time
    from reuse import create_app
    from reuse.extensions import db
    from reuse.models import Claim, Item, User
    from reuse.services import claims
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                      "UPLOAD_DIR": sys.argv[2]})
    with app.app_context():
        if sys.argv[3] == "claim":
            claims.claim_item(db.session.get(User, int(sys.argv[4])),
                              db.session.get(Item, int(sys.argv[5])), 2)
        else:
            claim = db.session.get(Claim, int(sys.argv[5]))
            claims.collect(db.session.get(User, int(sys.argv[4])), claim, replaces_purchase=True)
        db.session.flush()
        print("in the middle", flush=True)
        time.sleep(60)
""")


def kill_midway(app, action: str, user_id: int, object_id: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER, app.config["SQLALCHEMY_DATABASE_URI"],
         app.config["UPLOAD_DIR"], action, str(user_id), str(object_id)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "REUSE_ENV": "development"})
    try:
        line = process.stdout.readline()
        assert line.strip() == "in the middle", process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def chairs(people, make_item):
    return make_item(people.member, title="Kontorstoler", quantity=5)


def test_killed_claim_reserves_nothing_and_leaves_no_trace(app, db, people, chairs):
    events = count(db, AuditEvent)
    kill_midway(app, "claim", people.outsider.id, chairs.id)
    db.session.expire_all()
    item = db.session.get(Item, chairs.id)
    assert (item.quantity_reserved, item.quantity_available) == (0, 5)
    assert count(db, Claim) == 0 and count(db, AuditEvent) == events
    # And the item can be claimed at once: no lock or half-row is left behind.
    claims.claim_item(people.outsider, item, 5)
    db.session.commit()


def test_killed_collection_writes_no_record_and_keeps_the_reservation(app, db, people, chairs):
    claim = claims.claim_item(people.outsider, chairs, 2)
    claims.approve(people.member, claim)
    db.session.commit()
    kill_midway(app, "collect", people.outsider.id, claim.id)
    db.session.expire_all()
    claim = db.session.get(Claim, claim.id)
    item = db.session.get(Item, chairs.id)
    assert claim.status == "approved" and claim.collected_at is None
    assert (item.quantity_reserved, item.quantity_handed_over) == (2, 0)
    assert count(db, ReuseRecord) == 0
    claims.collect(people.outsider, claim, replaces_purchase=True)
    db.session.commit()
    assert count(db, ReuseRecord) == 1
