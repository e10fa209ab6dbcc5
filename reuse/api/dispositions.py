"""POST /api/v1/items/{id}/dispositions (API.md, "Beyond the municipality"): what happened
to pieces left at the final stage."""

from __future__ import annotations

from flask import jsonify

from reuse.api import bp
from reuse.api import parsing as p
from reuse.api.auth import require_user
from reuse.extensions import db
from reuse.models import Disposition
from reuse.services import dispositions, permissions

DISPOSITION_FIELDS = {"kind", "quantity", "weight_kg", "amount_nok", "fraction", "recipient"}


def disposition_json(disposition: Disposition) -> dict:
    return {
        "id": disposition.id,
        "item_id": disposition.item_id,
        "kind": disposition.kind,
        "quantity": disposition.quantity,
        "waste_kg": disposition.waste_kg,
        "amount_nok": disposition.amount_nok,
        "fraction": disposition.fraction,
        "recipient": disposition.recipient or None,
        "recorded_at": disposition.recorded_at,
        "reverses_id": disposition.reverses_id,
    }


def _choice(body: dict, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise p.BadRequest(f"'{name}' must be a string.", "invalid_type")
    return value


@bp.post("/items/<int:item_id>/dispositions")
def create_disposition(item_id: int):
    user = require_user()
    body = p.json_body(DISPOSITION_FIELDS, required={"kind", "quantity"})
    item = permissions.visible_item(user, item_id)
    kind = _choice(body, "kind")
    quantity = p.integer(body, "quantity")
    recipient = body.get("recipient")
    disposition = dispositions.record_end(
        user, item, kind, quantity,
        weight_kg=p.decimal(body, "weight_kg"), amount_nok=p.decimal(body, "amount_nok"),
        fraction=_choice(body, "fraction"),
        recipient=None if recipient is None else p.string(
            body, "recipient", max_length=dispositions.MAX_RECIPIENT))
    db.session.commit()
    return jsonify(disposition_json(disposition)), 201
