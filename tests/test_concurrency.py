"""Many people claiming the last pieces at the same moment: the database decides, exactly."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from reuse.models import Claim, Item, User
from reuse.services import claims
from reuse.services.errors import Conflict

# Fewer than the connection pool's 15, so every claimant holds a connection at the same time.
CLAIMANTS = 12
AVAILABLE = 5


def test_exactly_the_available_quantity_is_granted_when_claims_race(app, db, people, make_item,
                                                                    make_user, make_unit):
    item = make_item(people.member, title="Siste stoler", quantity=AVAILABLE + 3)
    item.quantity_reserved = 3  # already promised: only AVAILABLE are left
    db.session.commit()
    unit = make_unit("Etat for inkludering")
    user_ids = [make_user(unit).id for _ in range(CLAIMANTS)]
    item_id = item.id

    barrier = threading.Barrier(CLAIMANTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def claim_one(user_id: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, user_id)
                target = db.session.get(Item, item_id)
                db.session.commit()  # hold no read transaction while waiting at the barrier
                barrier.wait(timeout=30)
                claims.claim_item(user, target, 1)
                db.session.commit()
                outcome = "granted"
            except Conflict:
                db.session.rollback()
                outcome = "conflict"
            except Exception as exc:  # anything else is a failure of the guarantee
                barrier.abort()
                db.session.rollback()
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=claim_one, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["conflict"] * (CLAIMANTS - AVAILABLE) + ["granted"] * AVAILABLE
    db.session.expire_all()
    item = db.session.get(Item, item_id)
    assert item.quantity_reserved == item.quantity
    assert item.quantity_available == 0
    assert db.session.scalar(select(func.count()).select_from(Claim)) == AVAILABLE
