"""One runner of the periodic jobs at a time, however many workers and hosts there are.

The periodic jobs (expiry, reminders, stage changes, digests, matching, clean-up) are each
safe to run twice at once — conditional UPDATEs, SKIP LOCKED queues and the notifications'
unique keys see to that — but two runners would only race each other for the same rows. On
PostgreSQL a session-level advisory lock, held on a connection of its own for the whole
sweep, lets one runner in and tells the others to skip the sweep; it is released when the
runner finishes or its connection drops (a killed worker frees it at once). SQLite is one
host's database, whose writes are serialised anyway: every runner goes ahead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from reuse.extensions import db

# pg_advisory_lock's key for the sweep: any fixed number no other lock of this database uses.
SWEEP_KEY = 0x7265_7573  # "reus"


@contextmanager
def sweep_lock() -> Iterator[bool]:
    """Yields True when this runner has the sweep to itself, False when another has it."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        taken = connection.execute(select(func.pg_try_advisory_lock(SWEEP_KEY))).scalar()
        connection.commit()
        try:
            yield bool(taken)
        finally:
            if taken:
                connection.execute(select(func.pg_advisory_unlock(SWEEP_KEY)))
                connection.commit()
