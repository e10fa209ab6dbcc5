"""The audit trail: every state change adds an event in the same transaction."""

from __future__ import annotations

import json

from flask import has_request_context, request

from reuse.extensions import db
from reuse.models import AuditEvent, User


def _remote_addr() -> str:
    if not has_request_context():
        return "cli"
    # Behind the proxy, ProxyFix (configured by TRUSTED_PROXIES) has already set remote_addr.
    return (request.remote_addr or "")[:64]


def record(actor: User | None, action: str, obj, *, remote_addr: str | None = None,
           **details) -> AuditEvent:
    """Add an event; remote_addr is the request's unless given (work done after the answer)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=obj.id,
        details=json.dumps(details, default=str, ensure_ascii=False, sort_keys=True)
        if details else "",
        remote_addr=(remote_addr if remote_addr is not None else _remote_addr())[:64],
    )
    db.session.add(event)
    return event
