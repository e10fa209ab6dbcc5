"""The audit trail: every state change adds an event in the same transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from reuse.clock import OSLO
from reuse.extensions import db
from reuse.i18n import lazy_gettext as _l
from reuse.models import AuditEvent, User
from reuse.services import permissions
from reuse.services.paging import ListPage, paginate
from reuse.services.text import contains_pattern


def _remote_addr() -> str:
    if not has_request_context():
        return "cli"
    # Behind the proxy, ProxyFix (configured by TRUSTED_PROXIES) has already set remote_addr.
    return (request.remote_addr or "")[:64]


def record(actor: User | None, action: str, obj, *, remote_addr: str | None = None,
           **details) -> AuditEvent:
    """Add an event; remote_addr is the request's unless given (work done after the answer)."""
    return record_row(actor, action, type(obj).__tablename__, obj.id, remote_addr=remote_addr,
                      **details)


def record_row(actor: User | None, action: str, table: str, object_id: int, *,
               remote_addr: str | None = None, **details) -> AuditEvent:
    """record() for a row known by its table and id only (written in bulk, never loaded)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=table,
        object_id=object_id,
        details=json.dumps(details, default=str, ensure_ascii=False, sort_keys=True)
        if details else "",
        remote_addr=(remote_addr if remote_addr is not None else _remote_addr())[:64],
    )
    db.session.add(event)
    return event


# -- reading the log ------------------------------------------------------------------------

# Readable names for the actions the application records; an action without one (a new one,
# or one from another part of the system) is shown as it is stored.
ACTION_LABELS = {
    "api_token.created": _l("API-nøkkel laget"),
    "api_token.revoked": _l("API-nøkkel trukket tilbake"),
    "category.factors_applied": _l("Nye faktorer tatt i bruk"),
    "category.factors_changed": _l("Faktorer endret"),
    "claim.approved": _l("Forespørsel godkjent"),
    "claim.cancelled": _l("Forespørsel trukket"),
    "claim.collected": _l("Ting hentet"),
    "claim.created": _l("Forespørsel sendt"),
    "claim.declined": _l("Forespørsel avslått"),
    "claim.expired": _l("Forespørsel utløpt"),
    "goal.changed": _l("Mål endret"),
    "goal.deleted": _l("Mål slettet"),
    "goal.set": _l("Mål satt"),
    "item.created": _l("Annonse lagt ut"),
    "item.photo_removed": _l("Bilde fjernet"),
    "item.photos_added": _l("Bilder lagt til"),
    "item.photos_arranged": _l("Bilder ordnet"),
    "item.relisted": _l("Annonse lagt ut igjen"),
    "item.updated": _l("Annonse endret"),
    "item.withdrawn": _l("Annonse trukket tilbake"),
    "partner.created": _l("Samarbeidspartner registrert"),
    "partner.person_created": _l("Partnerperson opprettet"),
    "partner.person_invited": _l("Partnerperson invitert"),
    "partner.resumed": _l("Samarbeidspartner gjenopprettet"),
    "partner.suspended": _l("Samarbeidspartner suspendert"),
    "purchase_line.updated": _l("Innkjøpslinje endret"),
    "purchase_rule.added": _l("Innkjøpsregel lagt til"),
    "purchase_rule.changed": _l("Innkjøpsregel endret"),
    "purchase_rule.removed": _l("Innkjøpsregel fjernet"),
    "reuse_check.bought_new": _l("Gjenbrukssjekk: kjøpt nytt"),
    "reuse_check.created": _l("Gjenbrukssjekk laget"),
    "reuse_check.dropped": _l("Gjenbrukssjekk: behovet falt bort"),
    "reuse_check.refined": _l("Gjenbrukssjekk presisert"),
    "reuse_check.reopened": _l("Gjenbrukssjekk åpnet igjen"),
    "reuse_check.reused": _l("Gjenbrukssjekk: gjenbrukt"),
    "reuse_record.reversed": _l("Gjenbruksføring korrigert"),
    "reuse_record.written": _l("Gjenbruksføring skrevet"),
    "scim_token.created": _l("SCIM-nøkkel laget"),
    "scim_token.revoked": _l("SCIM-nøkkel trukket tilbake"),
    "user.anonymised": _l("Bruker anonymisert"),
    "user.deactivated": _l("Bruker deaktivert"),
    "user.login_link_requested": _l("Innloggingslenke bestilt"),
    "user.password_reset": _l("Nytt passord satt"),
    "user.password_set": _l("Passord laget"),
    "user.password_reset_requested": _l("Nytt passord bestilt"),
    "user.reactivated": _l("Bruker aktivert igjen"),
    "user.role_changed": _l("Rolle endret"),
    "user.subscriptions_changed": _l("Varsler om kategorier endret"),
    "user.signed_in_with_link": _l("Logget inn med lenke"),
    "user.unit_changed": _l("Flyttet til annen enhet"),
    "wanted_request.closed": _l("Ønske avsluttet"),
    "wanted_request.created": _l("Ønske laget"),
    "wanted_request.renewed": _l("Ønske fornyet"),
}

# "Who" = this word: the events no person did (the provisioning system, scheduled work).
SYSTEM = "system"
PER_PAGE = 50


@dataclass(frozen=True)
class EventFilter:
    who: str = ""  # part of the actor's name or e-mail, or SYSTEM
    action: str = ""
    object_type: str = ""
    start: date | None = None  # Oslo days, both included
    end: date | None = None


def _oslo_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time.min, OSLO).astimezone(UTC)


def events(viewer: User, found: EventFilter, *, page: int = 1) -> ListPage[AuditEvent]:
    """The events this viewer may read (permissions.audit_events_visible_to) that match the
    filter, newest first, a page at a time, with their actors."""
    query = (select(AuditEvent).options(joinedload(AuditEvent.actor))
             .where(permissions.audit_events_visible_to(viewer)))
    who = found.who.strip()
    if who.casefold() == SYSTEM:
        query = query.where(AuditEvent.actor_id.is_(None))
    elif who:
        pattern = contains_pattern(who)
        query = query.where(AuditEvent.actor_id.in_(select(User.id).where(or_(
            User.name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\")))))
    if found.action:
        query = query.where(AuditEvent.action == found.action)
    if found.object_type:
        query = query.where(AuditEvent.object_type == found.object_type)
    # Days at the ends of the calendar (0001-01-01, 9999-12-31) mean "no limit": a day
    # before or after them does not exist.
    if found.start is not None and found.start > date.min:
        query = query.where(AuditEvent.created_at >= _oslo_midnight_utc(found.start))
    if found.end is not None and found.end < date.max:
        query = query.where(
            AuditEvent.created_at < _oslo_midnight_utc(found.end + timedelta(days=1)))
    return paginate(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
                    page=page, per_page=PER_PAGE)


def actions_in_log(viewer: User) -> list[str]:
    """The actions that occur in what this viewer may read, for the filter's choices."""
    return list(db.session.scalars(
        select(AuditEvent.action).where(permissions.audit_events_visible_to(viewer))
        .distinct().order_by(AuditEvent.action)))


def object_types_in_log(viewer: User) -> list[str]:
    return list(db.session.scalars(
        select(AuditEvent.object_type).where(permissions.audit_events_visible_to(viewer))
        .distinct().order_by(AuditEvent.object_type)))


def details_of(event: AuditEvent) -> dict:
    """The event's details as stored (a JSON object), or {} for none or for unreadable text."""
    if not event.details:
        return {}
    try:
        found = json.loads(event.details)
    except ValueError:
        return {"": event.details}
    return found if isinstance(found, dict) else {"": found}


# The objects a row may link to: what it is called on the page, loaded for a whole page of
# events in one query per kind.
LINKED_KINDS = ("item", "claim", "reuse_check", "user_account")


def linked_objects(viewer: User, rows: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """(object_type, object_id) → a name, for the objects of these events that still exist
    and have a page this viewer may open (people: those the viewer administers)."""
    from reuse.models import Claim, Item, ReuseCheck

    wanted: dict[str, set[int]] = {}
    for event in rows:
        if event.object_type in LINKED_KINDS:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[tuple[str, int], str] = {}
    if ids := wanted.get("item"):
        for item_id, title in db.session.execute(select(Item.id, Item.title).where(
                Item.id.in_(ids), permissions.items_visible_to(viewer))):
            found["item", item_id] = title
    if ids := wanted.get("claim"):
        for (claim_id,) in db.session.execute(select(Claim.id).where(
                Claim.id.in_(ids), permissions.claims_visible_to(viewer))):
            found["claim", claim_id] = f"#{claim_id}"
    if ids := wanted.get("reuse_check"):
        for check in db.session.scalars(select(ReuseCheck).where(
                ReuseCheck.id.in_(ids), permissions.checks_visible_to(viewer))):
            found["reuse_check", check.id] = check.reference
    if ids := wanted.get("user_account"):
        for person_id, name in db.session.execute(select(User.id, User.name).where(
                User.id.in_(ids), permissions.people_administered_by(viewer))):
            found["user_account", person_id] = name
    return found
