"""Many requests at one moment, each in a thread and a database session of its own: for the
tests that show a limit is held by the database statement, not by luck or by a count taken
first."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Race:
    """Runners that meet at start() and then act together.

    An attempt loads what it needs, commits (so it holds no read transaction while it waits),
    calls start() at the moment that matters, acts, and returns what it achieved; run()
    commits it. A refusal becomes an outcome of its own; anything else is an error outcome,
    which no test expects, and releases the other runners.
    """

    def __init__(self, app, db, runners: int):
        self.app, self.db = app, db
        self.barrier = threading.Barrier(runners)

    def start(self) -> None:
        self.barrier.wait(timeout=30)

    def run(self, attempts: list[Callable[[], str]], *, refused: type[Exception],
            outcome_of_refusal: Callable[[Exception], str] = lambda _: "refused") -> list[str]:
        """Every attempt at once; their outcomes, sorted."""
        outcomes: list[str] = []
        lock = threading.Lock()
        session = self.db.session

        def runner(attempt: Callable[[], str]) -> None:
            with self.app.app_context():
                try:
                    outcome = attempt()
                    session.commit()
                except refused as refusal:
                    session.rollback()
                    outcome = outcome_of_refusal(refusal)
                except Exception as exc:  # anything else is a failure of the guarantee
                    self.barrier.abort()
                    session.rollback()
                    outcome = f"error: {exc!r}"
                finally:
                    session.remove()
                with lock:
                    outcomes.append(outcome)

        threads = [threading.Thread(target=runner, args=(attempt,)) for attempt in attempts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return sorted(outcomes)
