"""Test data beyond the municipality, made directly: partner organisations and their people,
items at the final stage, and partner claims collected through the claim service."""

from __future__ import annotations

from itertools import count

from reuse.extensions import db
from reuse.models import Item, Partner, Role, Stage, User
from reuse.services import claims

_numbers = count(1)


def make_partner(kind: str = "nonprofit", name: str | None = None) -> Partner:
    number = next(_numbers)
    partner = Partner(name=name or f"Partner {number}", org_number=f"{900000000 + number}",
                      kind=kind)
    db.session.add(partner)
    db.session.commit()
    return partner


def make_partner_user(partner: Partner) -> User:
    number = next(_numbers)
    user = User(email=f"partner{number}@partner.example", name=f"Partnerperson {number}",
                role=Role.PARTNER.value, partner_id=partner.id, unit_id=None)
    db.session.add(user)
    db.session.commit()
    return user


def at_stage(item: Item, stage: Stage) -> Item:
    item.stage = stage.value
    item.stage_ends_on = None
    db.session.commit()
    return item


def partner_hand_over(lister: User, partner_user: User, item: Item, quantity: int):
    """A partner's claim on the item, approved and collected: its disposition."""
    stage = Stage.PUBLIC_BODIES if partner_user.partner.kind == "public_body" \
        else Stage.NONPROFITS
    at_stage(item, stage)
    claim = claims.claim_item(partner_user, item, quantity)
    if claim.status != "approved":
        claims.approve(lister, claim)
    claims.collect(partner_user, claim, replaces_purchase=None)
    db.session.commit()
    return claim.outside_record
