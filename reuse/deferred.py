"""Work done after the answer has been sent: the server closes a response once it has written
it, and what was registered here runs then, outside the request's time.

By then the request's context is gone, so the work runs in an application context (and a
database session) of its own, and a failure is logged, never shown: the answer is out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Response, current_app

from reuse.extensions import db

log = logging.getLogger("reuse.deferred")


def after_response(response: Response, work: Callable[[], object], what: str) -> None:
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                work()
            except Exception:  # nobody is waiting for an answer; the log is where it goes
                db.session.rollback()
                log.exception("%s after the response failed", what)

    response.call_on_close(run)
