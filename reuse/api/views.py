"""The endpoints of API.md. Each parses its input, calls a service, and shapes the answer."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify, request

from reuse.api import bp
from reuse.api import parsing as p
from reuse.api.auth import require_user
from reuse.api.openapi import document
from reuse.api.serialise import (
    category_json,
    check_json,
    claim_json,
    item_json,
    items_json,
    photo_json,
    unit_json,
    wanted_json,
)
from reuse.clock import oslo_today
from reuse.extensions import csrf, db
from reuse.models import BoughtNewReason, Claim, Condition
from reuse.models.catalog import (
    MAX_ADDRESS,
    MAX_ALT_TEXT,
    MAX_BUILDING,
    MAX_COLLECTION_NOTES,
    MAX_CONDITION,
    MAX_DESCRIPTION,
    MAX_ROOM,
    MAX_SLUG,
    MAX_TITLE,
)
from reuse.models.checks import MAX_OUTCOME, MAX_PURCHASE_REFERENCE
from reuse.services import (
    categories,
    checks,
    claims,
    factors,
    items,
    permissions,
    photos,
    stages,
    units,
    wanted,
)
from reuse.services.errors import InvalidInput, NotFound
from reuse.services.permissions import MAX_ID

csrf.exempt(bp)  # bearer tokens, never cookies: there is no session to forge requests with


@bp.before_request
def authenticate():
    if request.endpoint != "api.openapi":
        user = require_user()
        # A partner's token reaches the catalogue and its own claims only (the one gate).
        if user.is_partner and not permissions.partner_may_use(request.endpoint):
            raise NotFound("Not found.")


@bp.after_request
def no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/categories")
def list_categories():
    all_categories = categories.all_categories()
    slug_by_id = {c.id: c.slug for c in all_categories}
    in_effect = factors.in_effect_for(all_categories, oslo_today())
    return jsonify({"categories": [
        category_json(c, slug_by_id.get(c.parent_id), in_effect[c.id])
        for c, _ in categories.tree()]})


@bp.get("/units")
def list_units():
    return jsonify({"units": [unit_json(unit) for unit in units.all_units()]})


@bp.get("/items")
def list_items():
    user = require_user()
    status = p.query_choice("status", ("available", "all"), "available")
    sort = p.query_choice("sort", items.SORTS, items.NEWEST)
    page = p.query_int("page", 1, minimum=1, maximum=items.MAX_PAGE)
    per_page = p.query_int("per_page", items.API_PER_PAGE, minimum=1,
                           maximum=items.MAX_PER_PAGE)
    unit_id = p.query_int("unit", 0, minimum=1, maximum=MAX_ID) if request.args.get("unit") \
        else None
    result = items.search_items(items.ItemFilter(
        q=p.query_text("q")[:items.MAX_QUERY], category=p.query_text("category"),
        condition=p.query_text("condition"), unit_id=unit_id,
        include_unavailable=status == "all", viewer=user, sort=sort, page=page,
        per_page=per_page))
    return jsonify({"items": items_json(result.items, viewer=user), "total": result.total,
                    "page": result.page, "per_page": result.per_page})


ITEM_FIELDS = {"title", "description", "category", "condition", "quantity", "location",
               "collection_notes", "internal_until", "new_price_nok", "weight_kg",
               "auto_approve"}


def _location(body: dict) -> tuple[str, str, str]:
    value = body.get("location")
    if isinstance(value, str):
        return p.plain_text(value, "'location'"), "", ""
    if not isinstance(value, dict):
        raise p.BadRequest("'location' must be a string (the address) or an object with "
                           "'address', 'building' and 'room'.", "invalid_type")
    unknown = set(value) - {"address", "building", "room"}
    if unknown:
        raise p.BadRequest(f"Unknown location field(s): {', '.join(sorted(unknown))}.",
                           "unknown_field")
    return (p.string(value, "address", max_length=MAX_ADDRESS),
            p.string(value, "building", max_length=MAX_BUILDING),
            p.string(value, "room", max_length=MAX_ROOM))


@bp.post("/items")
def create_item():
    user = require_user()
    body = p.json_body(ITEM_FIELDS, required={"title", "category", "condition", "quantity",
                                              "location"})
    try:
        category = categories.get_by_slug(p.string(body, "category", max_length=MAX_SLUG))
    except NotFound as error:  # in a body it is bad input, not a missing resource
        raise InvalidInput(error.message, field="category") from None
    address, building, room = _location(body)
    condition = p.string(body, "condition", max_length=MAX_CONDITION)
    if condition not in {c.value for c in Condition}:
        raise InvalidInput("Unknown condition; use as_new, good, used or needs_repair.",
                           field="condition")
    item = items.create_item(user, items.ItemDetails(
        title=p.string(body, "title", max_length=MAX_TITLE), category_id=category.id,
        condition=condition, quantity=p.integer(body, "quantity"),
        description=p.string(body, "description", max_length=MAX_DESCRIPTION, multiline=True),
        location_address=address, location_building=building, location_room=room,
        collection_notes=p.string(body, "collection_notes", max_length=MAX_COLLECTION_NOTES,
                                  multiline=True),
        internal_until=p.iso_date(body, "internal_until"),
        new_price_nok=p.decimal(body, "new_price_nok"), weight_kg=p.decimal(body, "weight_kg"),
        auto_approve=p.boolean(body, "auto_approve", default=False)))
    db.session.commit()
    return jsonify(item_json(permissions.visible_item(user, item.id))), 201


def _visible_item(item_id: int):
    return permissions.visible_item(require_user(), item_id)


@bp.get("/items/<int:item_id>")
def get_item(item_id: int):
    user = require_user()
    return jsonify(item_json(permissions.visible_item(user, item_id), viewer=user))


@bp.post("/items/<int:item_id>/photos")
def add_photo(item_id: int):
    user = require_user()
    item = _visible_item(item_id)
    storage = request.files.get("photo")
    if storage is None or not storage.filename:
        raise p.BadRequest("Send the image as multipart/form-data in the field 'photo'.",
                           "missing_field")
    alt_text = p.form_text("alt_text")[:MAX_ALT_TEXT]
    [photo] = photos.add_photos(user, item, [photos.Upload(storage.stream, storage.filename,
                                                           alt_text)])
    db.session.commit()
    return jsonify(photo_json(photo)), 201


STAGE_FIELDS = {"stage", "reason"}


@bp.post("/items/<int:item_id>/stage")
def move_stage(item_id: int):
    """Move an item on early, or back with a reason (stages.move)."""
    user = require_user()
    body = p.json_body(STAGE_FIELDS, required={"stage"})
    item = _visible_item(item_id)
    stage = p.string(body, "stage", max_length=20)
    reason = p.string(body, "reason", max_length=stages.MAX_REASON, multiline=True)
    stages.move(user, item, stage, reason, today=oslo_today())
    db.session.commit()
    return jsonify(item_json(permissions.visible_item(user, item.id)))


@bp.post("/items/<int:item_id>/safety-check")
def safety_check(item_id: int):
    """Mark an electrical item safety-checked (stages.mark_safety_checked)."""
    user = require_user()
    p.json_body(set())
    item = _visible_item(item_id)
    stages.mark_safety_checked(user, item)
    db.session.commit()
    return jsonify(item_json(permissions.visible_item(user, item.id)))


CLAIM_FIELDS = {"quantity", "message", "reuse_check_id"}


@bp.post("/items/<int:item_id>/claims")
def create_claim(item_id: int):
    user = require_user()
    body = p.json_body(CLAIM_FIELDS, required={"quantity"})
    item = _visible_item(item_id)
    quantity = p.integer(body, "quantity")
    message = p.string(body, "message", max_length=claims.MAX_MESSAGE, multiline=True)
    check_id = p.integer(body, "reuse_check_id")
    if check_id is None:
        claim = claims.claim_item(user, item, quantity, message)
    else:
        claim = checks.claim_match(user, _check_for(check_id, as_input=True), item, quantity,
                                   message)
    db.session.commit()
    return jsonify(claim_json(permissions.visible_claim(user, claim.id), user)), 201


@bp.get("/claims")
def list_claims():
    user = require_user()
    scope = p.query_choice("scope", ("mine", "incoming"), "mine")
    found = claims.claims_made_by(user) if scope == "mine" else claims.claims_on_unit_items(user)
    allowance = claims.open_claims_of(user)
    return jsonify({"claims": [claim_json(claim, user) for claim in found],
                    "open_claims": {"count": allowance.count, "limit": allowance.limit}})


def _claim_for(claim_id: int) -> Claim:
    return permissions.visible_claim(require_user(), claim_id)


@bp.get("/claims/<int:claim_id>")
def get_claim(claim_id: int):
    return jsonify(claim_json(_claim_for(claim_id), require_user()))


def _decision(claim_id: int, action):
    user = require_user()
    body = p.json_body({"message"})
    claim = _claim_for(claim_id)
    action(user, claim, p.string(body, "message", max_length=claims.MAX_MESSAGE,
                                 multiline=True))
    db.session.commit()
    return jsonify(claim_json(permissions.visible_claim(user, claim_id), user))


@bp.post("/claims/<int:claim_id>/approve")
def approve_claim(claim_id: int):
    return _decision(claim_id, claims.approve)


@bp.post("/claims/<int:claim_id>/decline")
def decline_claim(claim_id: int):
    """As approve and cancel, with an optional `reason` code (claims.DECLINE_REASON_LABELS);
    without one the claim is declined with no reason (null), as before reasons existed."""
    user = require_user()
    body = p.json_body({"message", "reason"})
    claim = _claim_for(claim_id)
    reason = p.string(body, "reason", max_length=40) or None
    claims.decline(user, claim, p.string(body, "message", max_length=claims.MAX_MESSAGE,
                                         multiline=True), reason)
    db.session.commit()
    return jsonify(claim_json(permissions.visible_claim(user, claim_id), user))


@bp.post("/claims/<int:claim_id>/cancel")
def cancel_claim(claim_id: int):
    return _decision(claim_id, claims.cancel)


@bp.post("/claims/<int:claim_id>/collect")
def collect_claim(claim_id: int):
    user = require_user()
    body = p.json_body({"replaces_purchase", "costs_nok"})
    claim = _claim_for(claim_id)
    claims.collect(user, claim,
                   replaces_purchase=p.boolean(body, "replaces_purchase", default=None),
                   costs_nok=p.decimal(body, "costs_nok", default=Decimal("0")))
    db.session.commit()
    return jsonify(claim_json(permissions.visible_claim(user, claim_id), user))


def _category_input(body: dict, *, required: bool = False):
    slug = p.string(body, "category", max_length=MAX_SLUG)
    if not slug:
        if required:
            raise InvalidInput("Choose a category.", field="category")
        return None
    try:
        return categories.get_by_slug(slug)
    except NotFound as error:  # in a body it is bad input, not a missing resource
        raise InvalidInput(error.message, field="category") from None


def _check_for(check_id: int, *, as_input: bool = False):
    """A check the token's user may see; as_input: a reference in a body (422, not 404)."""
    try:
        return permissions.visible_check(require_user(), check_id)
    except NotFound as error:
        if as_input:
            raise InvalidInput(error.message, field="reuse_check_id") from None
        raise


@bp.post("/reuse-checks")
def create_check():
    user = require_user()
    body = p.json_body({"need", "category", "quantity"}, required={"need"})
    check = checks.create_check(user, p.string(body, "need", max_length=checks.MAX_NEED),
                                category=_category_input(body),
                                quantity=p.integer(body, "quantity"))
    db.session.commit()
    return jsonify(check_json(permissions.visible_check(user, check.id), user)), 201


@bp.get("/reuse-checks/<int:check_id>")
def get_check(check_id: int):
    return jsonify(check_json(_check_for(check_id), require_user()))


@bp.post("/reuse-checks/<int:check_id>/outcome")
def check_outcome(check_id: int):
    user = require_user()
    body = p.json_body({"outcome", "claim_id", "reason", "reason_text", "purchase_reference"},
                       required={"outcome"})
    check = _check_for(check_id)
    outcome = p.string(body, "outcome", max_length=MAX_OUTCOME)
    if outcome == "reused":
        claim_id = p.integer(body, "claim_id")
        try:
            # Only a claim the user may see: another's id answers as an unknown one.
            claim = permissions.visible_claim(user, claim_id) if claim_id else None
        except NotFound:
            claim = None
        if claim is None:
            raise InvalidInput("Give the claim_id of your claim that meets the need.",
                               field="claim_id")
        checks.link_claim(user, check, claim)
    elif outcome == "bought_new":
        reason = p.string(body, "reason", max_length=checks.MAX_REASON_TEXT,
                          multiline=True).strip()
        reason_text = p.string(body, "reason_text", max_length=checks.MAX_REASON_TEXT,
                               multiline=True)
        if reason not in {r.value for r in BoughtNewReason}:
            # A sentence instead of a code: keep the words, file it as "other".
            reason, reason_text = BoughtNewReason.OTHER.value, reason_text or reason
        checks.record_bought_new(user, check, reason, reason_text,
                                 p.string(body, "purchase_reference",
                                          max_length=MAX_PURCHASE_REFERENCE))
    elif outcome == "dropped":
        checks.drop_check(user, check, p.string(body, "reason",
                                                max_length=checks.MAX_REASON_TEXT,
                                                multiline=True))
    else:
        raise InvalidInput("outcome must be 'reused', 'bought_new' or 'dropped'.",
                           field="outcome")
    db.session.commit()
    return jsonify(check_json(permissions.visible_check(user, check_id), user))


@bp.get("/wanted")
def list_wanted():
    user = require_user()
    return jsonify({"wanted": [wanted_json(request, wanted.is_open(request))
                               for request in wanted.requests_of(user)]})


@bp.post("/wanted")
def create_wanted():
    user = require_user()
    body = p.json_body({"words", "category", "quantity", "until"})
    request_ = wanted.create_request(user,
                                     words=p.string(body, "words",
                                                    max_length=wanted.MAX_WORDS_LENGTH),
                                     category=_category_input(body),
                                     quantity=p.integer(body, "quantity"),
                                     until=p.iso_date(body, "until"))
    db.session.commit()
    return jsonify(wanted_json(request_, wanted.is_open(request_))), 201


def _own_wanted(request_id: int):
    user = require_user()
    return user, permissions.own_wanted_request(user, request_id)


@bp.post("/wanted/<int:request_id>/close")
def close_wanted(request_id: int):
    user, request_ = _own_wanted(request_id)
    p.json_body(set())
    wanted.close_request(user, request_)
    db.session.commit()
    return jsonify(wanted_json(request_, wanted.is_open(request_)))


@bp.post("/wanted/<int:request_id>/renew")
def renew_wanted(request_id: int):
    user, request_ = _own_wanted(request_id)
    p.json_body(set())
    wanted.renew_request(user, request_)
    db.session.commit()
    return jsonify(wanted_json(request_, wanted.is_open(request_)))
