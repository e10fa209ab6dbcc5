"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json.

Built in code, from the same limits the endpoints use, and checked against the running
endpoints by tests/test_api_contract.py: a change to one without the other fails there.
"""

from __future__ import annotations

from reuse.models import (
    FINAL_ENDS,
    BoughtNewReason,
    CheckOutcome,
    ClaimStatus,
    Condition,
    DeclineReason,
    DispositionKind,
    RecyclingFraction,
    Stage,
)
from reuse.models.catalog import (
    MAX_ADDRESS,
    MAX_ALT_TEXT,
    MAX_BUILDING,
    MAX_COLLECTION_NOTES,
    MAX_DESCRIPTION,
    MAX_ITEM_QUANTITY,
    MAX_ROOM,
    MAX_SLUG,
    MAX_TITLE,
    ItemStatus,
)
from reuse.models.checks import MAX_PURCHASE_REFERENCE, MAX_WORDS_LENGTH
from reuse.services import figures, purchases, wanted
from reuse.services.checks import LINK_WINDOW_DAYS, MAX_NEED, MAX_REASON_TEXT
from reuse.services.claims import DECLINE_REASON_LABELS, MAX_MESSAGE
from reuse.services.dispositions import MAX_AMOUNT_NOK, MAX_RECIPIENT, MAX_WEIGHT_KG
from reuse.services.items import (
    API_PER_PAGE,
    INTERNAL_PERIOD_DAYS,
    MAX_INTERNAL_PERIOD_DAYS,
    MAX_PAGE,
    MAX_PER_PAGE,
    MAX_QUERY,
    NEWEST,
    SORTS,
)
from reuse.services.ledger import MAX_COSTS_NOK
from reuse.services.permissions import MAX_ID
from reuse.services.stages import MAX_REASON as STAGE_REASON

JSON = "application/json"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(schema: dict) -> dict:
    """The schema, or JSON null. For plain types `type: [t, "null"]`, else anyOf."""
    if "type" in schema and isinstance(schema["type"], str) and "$ref" not in schema:
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict, *, description: str | None = None, required=None,
         closed: bool = False) -> dict:
    """An object schema. Responses list every property as required: they are always sent."""
    schema: dict = {"type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = properties
    required = list(properties) if required is None else list(required)
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def _str(description: str | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if description:
        schema["description"] = description
    return schema


def _int(description: str | None = None, **extra) -> dict:
    schema = {"type": "integer", **extra}
    if description:
        schema["description"] = description
    return schema


def _num(description: str, **extra) -> dict:
    return {"type": "number", "description": description, **extra}


def _figure(figure: figures.Figure) -> dict:
    """A piece's figure as a lister gives it: the limits reuse.services.figures checks."""
    return _num(f"Per piece; overrides the category's. At most {figure.places} decimals.",
                minimum=0, maximum=int(figure.maximum))


TIMESTAMP = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
CONDITION = {"type": "string", "enum": [c.value for c in Condition],
             "description": "as_new, good, used or needs_repair."}


def _schemas() -> dict:
    unit_ref = _obj({"id": _int(), "name": _str()}, description="A unit, briefly.")
    person_ref = _obj({"id": _int(), "name": _str()}, description="A person, briefly.")
    return {
        "Error": _obj({
            "error": _obj({
                "code": _str("Short machine-readable code, e.g. unknown_field."),
                "message": _str("A human sentence (may be Norwegian)."),
            }),
        }, description="Every failed request's body."),
        "Category": _obj({
            "slug": _str("Stable identifier, used as `category` elsewhere."),
            "name": _str("Norwegian name."),
            "name_en": _str("English name."),
            "parent": _or_null(_str("The parent category's slug; null at the top.")),
            "retired": {"type": "boolean", "description": (
                "No longer offered: new items, reuse checks and wanted requests in it are "
                "refused with 422 (code category_retired); what already uses it keeps it.")},
            "new_price_nok": _or_null(_num("Default price of a new piece, NOK.")),
            "weight_kg": _or_null(_num("Default weight of a piece, kg.")),
            "co2e_kg": _or_null(_num("Emissions of making a new piece, kg CO2e.")),
        }),
        "CategoryList": _obj({"categories": {
            "type": "array", "items": _ref("Category"),
            "description": "All categories, depth first: each parent before its children."}}),
        "Unit": _obj({
            "id": _int(),
            "name": _str(),
            "parent_id": _or_null(_int("The parent unit; null at the top.")),
            "code": _or_null(_str("Ansvarsnummer, where known.")),
        }),
        "UnitList": _obj({"units": {"type": "array", "items": _ref("Unit"),
                                    "description": "All units, by name."}}),
        "UnitRef": unit_ref,
        "PersonRef": person_ref,
        "Location": _obj({
            "address": _str(),
            "building": _str("Empty if not given."),
            "room": _str("Empty if not given."),
        }, description="Where the item can be collected."),
        "Photo": _obj({
            "id": _int(),
            "url": _str("Re-encoded JPEG; served only with a valid token or a login.",
                        format="uri"),
            "thumbnail_url": _str("Small JPEG version.", format="uri"),
            "width": _int(minimum=1),
            "height": _int(minimum=1),
            "alt_text": _str(),
        }),
        "Item": _obj({
            "id": _int(),
            "title": _str(maxLength=MAX_TITLE),
            "description": _str(),
            "category": _str("Category slug."),
            "condition": CONDITION,
            "quantity": _int("Pieces listed.", minimum=1, maximum=MAX_ITEM_QUANTITY),
            "quantity_available": _int("Pieces neither reserved nor handed over.", minimum=0),
            "location": _ref("Location"),
            "collection_notes": _str("How to collect. Empty for a partner organisation's "
                                     "token: they read it on their approved claim."),
            "unit": {**_ref("UnitRef"), "description": "The unit giving the item away."},
            "new_price_nok": _or_null(_num(
                "Price of a new piece, NOK: the item's own figure, else its category's. "
                "null for a partner organisation's token.")),
            "weight_kg": _or_null(_num(
                "Weight of a piece, kg: the item's own figure, else its category's. null for "
                "a partner organisation's token.")),
            "co2e_kg": _or_null(_num("Emissions of a new piece, kg CO2e (from the category). "
                                     "null for a partner organisation's token.")),
            "auto_approve": {"type": "boolean",
                             "description": "Claims are approved as soon as they are made. "
                                            "Always false for a partner organisation's "
                                            "token."},
            "status": {"type": "string", "enum": [s.value for s in ItemStatus],
                       "description": "available: pieces left; reserved: none left but some "
                                      "reserved; handed_over: all collected; withdrawn."},
            "photos": {"type": "array", "items": _ref("Photo")},
            "created_at": TIMESTAMP,
            "internal_until": {**DATE, "description": "Last day of the internal period."},
            "stage": {"type": "string", "enum": [stage.value for stage in Stage],
                      "description": "The cascade: internal (units only), public_bodies "
                                     "(and other public bodies), nonprofits (and registered "
                                     "non-profits), final (the lister records the ends)."},
            "stage_ends_on": _or_null({**DATE, "description": (
                "Last day of the current stage (Europe/Oslo); null at final. The day after, "
                "run-jobs moves the item on: public_bodies lasts "
                "CASCADE_PUBLIC_BODIES_DAYS, nonprofits CASCADE_NONPROFITS_DAYS.")}),
            "electrical": {"type": "boolean", "description": (
                "Electrical equipment: offered outside the municipality only once "
                "safety-checked.")},
            "safety_checked_at": _or_null({**TIMESTAMP, "description": (
                "When the electrical safety check was recorded.")}),
        }),
        "ItemList": _obj({
            "items": {"type": "array", "items": _ref("Item"), "description": "Newest first."},
            "total": _int("Matching items on all pages.", minimum=0),
            "page": _int(minimum=1),
            "per_page": _int(minimum=1, maximum=MAX_PER_PAGE),
        }),
        "ReuseRecord": _obj({
            "id": _int(),
            "replaces_purchase": {"type": "boolean",
                                  "description": "The receiving unit would otherwise have "
                                                 "bought new."},
            "costs_nok": _num("Hand-over costs (transport, repair), NOK.", minimum=0),
            "avoided_cost_nok": _num(
                "quantity × new price − costs when a purchase was replaced, else 0. "
                "May be negative."),
            "avoided_co2e_kg": _num(
                "quantity × CO2e per piece when a purchase was replaced, else 0."),
            "avoided_waste_kg": _num("quantity × weight per piece."),
            "new_price_nok_used": _or_null(_num("Price per piece used; null if unknown.")),
            "weight_kg_used": _or_null(_num("Weight per piece used; null if unknown.")),
            "co2e_kg_used": _or_null(_num("CO2e per piece used; null if unknown.")),
            "outside_municipality": {
                "type": "boolean", "description": "true on a partner's hand-over: it counts "
                "waste avoided, never kroner or CO2e of the municipality."},
        }, description="What a collection avoided, written once when the claim is collected."),
        "Claim": _obj({
            "id": _int(),
            "item_id": _int(),
            "quantity": _int(minimum=1, maximum=MAX_ITEM_QUANTITY),
            "status": {"type": "string", "enum": [s.value for s in ClaimStatus]},
            "message": _str("The claimant's message."),
            "claimant": _ref("PersonRef"),
            "unit": {"anyOf": [_ref("UnitRef"), {"type": "null"}],
                     "description": "The receiving unit; null on a partner's claim."},
            "organisation": {"anyOf": [_ref("UnitRef"), {"type": "null"}],
                             "description": "The partner organisation claiming; null on a "
                                            "unit's claim."},
            "collect_by": {**DATE, "description": "Open claims expire after this day."},
            "created_at": TIMESTAMP,
            "decided_at": _or_null(TIMESTAMP),
            "decline_reason": {
                "type": ["string", "null"], "enum": [r.value for r in DeclineReason] + [None],
                "description": "Why a declined claim was declined: the lister's choice, or "
                               "item_withdrawn when the item was withdrawn while the claim "
                               "waited. null when none was given (and on claims not "
                               "declined)."},
            "decision_message": _str("The words of whoever approved or declined, if any "
                                     "(with decline_reason other, why)."),
            "collected_at": _or_null(TIMESTAMP),
            "reuse_record": {"anyOf": [_ref("ReuseRecord"), {"type": "null"}],
                             "description": "Set once the claim is collected."},
        }),
        "ClaimList": _obj({"claims": {"type": "array", "items": _ref("Claim"),
                                      "description": "Newest first, at most 500."},
                           "open_claims": _obj({
                               "count": _int("Pending and approved claims this user has.",
                                             minimum=0),
                               "limit": _int("The most open claims one person may have "
                                             "(OPEN_CLAIMS_PER_PERSON); at the limit a new "
                                             "claim is refused with 409 "
                                             "too_many_open_claims.", minimum=1),
                           }, description="The token user's open claims, whatever the "
                                          "scope.")}),
        # -- request bodies: unknown fields are refused (400 unknown_field) ------------
        "LocationInput": _obj({
            "address": _str(maxLength=MAX_ADDRESS, minLength=1),
            "building": _or_null(_str(maxLength=MAX_BUILDING)),
            "room": _or_null(_str(maxLength=MAX_ROOM)),
        }, required=["address"], closed=True),
        "ItemCreate": _obj({
            "title": _str(minLength=1, maxLength=MAX_TITLE),
            "description": _or_null(_str(maxLength=MAX_DESCRIPTION)),
            "category": _str("Category slug (GET /categories).", maxLength=MAX_SLUG),
            "condition": CONDITION,
            "quantity": _int(minimum=1, maximum=MAX_ITEM_QUANTITY),
            "location": {"oneOf": [_str("The address.", minLength=1, maxLength=MAX_ADDRESS),
                                   _ref("LocationInput")]},
            "collection_notes": _or_null(_str(maxLength=MAX_COLLECTION_NOTES)),
            "internal_until": _or_null({**DATE, "description": (
                f"Not before today, at most {MAX_INTERNAL_PERIOD_DAYS} days ahead; default "
                f"today + {INTERNAL_PERIOD_DAYS} days.")}),
            "new_price_nok": _or_null(_figure(figures.PRICE)),
            "weight_kg": _or_null(_figure(figures.WEIGHT)),
            "auto_approve": _or_null({"type": "boolean", "default": False}),
        }, description="Null in an optional field is the same as leaving it out.",
            required=["title", "category", "condition", "quantity", "location"], closed=True),
        "PhotoUpload": _obj({
            "photo": {"type": "string", "contentMediaType": "application/octet-stream",
                      "description": "JPEG, PNG, WebP or GIF; re-encoded as JPEG."},
            "alt_text": _str(f"Text for screen readers; cut at {MAX_ALT_TEXT} characters. "
                             "Default: 'Bilde N av TITLE'."),
        }, required=["photo"]),
        "ClaimCreate": _obj({
            "quantity": _int(minimum=1, maximum=MAX_ITEM_QUANTITY),
            "message": _or_null(_str(maxLength=MAX_MESSAGE)),
            "reuse_check_id": _or_null(_int(
                "Your open reuse check this claim meets; the check is then claimed, and "
                "reused once the claim is collected. Unknown or not yours: 422.")),
        }, required=["quantity"], closed=True),
        "DispositionCreate": _obj({
            "kind": {"type": "string", "enum": [kind.value for kind in FINAL_ENDS],
                     "description": "What happened to the pieces. sold needs amount_nok, "
                                    "donated a recipient, recycled a fraction; a detail of "
                                    "another kind is refused (422)."},
            "quantity": _int("Pieces that ended this way; at most the pieces left.",
                             minimum=1, maximum=MAX_ITEM_QUANTITY),
            "weight_kg": _or_null(_num("Kilograms weighed, at most three decimals. Default: "
                                       "quantity × the weight per piece.",
                                       minimum=0, maximum=int(MAX_WEIGHT_KG))),
            "amount_nok": _or_null(_num("sold: what was received, NOK (0 if nothing), at "
                                        "most two decimals.", minimum=0,
                                        maximum=int(MAX_AMOUNT_NOK))),
            "fraction": {"type": ["string", "null"],
                         "enum": [value.value for value in RecyclingFraction] + [None],
                         "description": "recycled: the fraction delivered."},
            "recipient": _or_null(_str("donated: to whom, outside the platform.",
                                       maxLength=MAX_RECIPIENT)),
        }, required=["kind", "quantity"], closed=True),
        "Disposition": _obj({
            "id": _int(),
            "item_id": _int(),
            "kind": {"type": "string", "enum": [kind.value for kind in DispositionKind]},
            "quantity": _int("Pieces; negative on an admin's reversal."),
            "waste_kg": _num("Kilograms that went this way (negative on a reversal)."),
            "amount_nok": _or_null(_num("sold: what was received; else null.")),
            "fraction": {"type": ["string", "null"],
                         "enum": [value.value for value in RecyclingFraction] + [None],
                         "description": "recycled: the fraction; else null."},
            "recipient": _or_null(_str("donated: to whom; else null.")),
            "recorded_at": TIMESTAMP,
            "reverses_id": _or_null(_int("The disposition this one reverses.")),
        }, description="An item's pieces leaving the municipality: written once; an admin "
                       "corrects one with a reversing row. Counts pieces and kilograms, "
                       "never kroner or CO2e as the municipality's avoided purchase."),
        "Decision": _obj({
            "message": _or_null(_str("Sent to the other side.", maxLength=MAX_MESSAGE)),
        }, required=[], closed=True),
        "DeclineDecision": _obj({
            "message": _or_null(_str("Sent to the claimant. Required with reason other.",
                                     maxLength=MAX_MESSAGE)),
            "reason": {"type": ["string", "null"],
                       "enum": [r.value for r in DECLINE_REASON_LABELS] + [None],
                       "description": "Why: already_given, no_longer_available, "
                                      "collection_not_possible or other (needs a message). "
                                      "Optional: without it the claim is declined with "
                                      "decline_reason null. An unknown code: 422."},
        }, required=[], closed=True),
        "Collect": _obj({
            "replaces_purchase": {
                "type": "boolean",
                "description": "Would the receiving unit otherwise have bought new? Decides the "
                               "avoided kroner and CO2e, so there is no default. Ignored on "
                               "a partner organisation's claim (may be left out): its "
                               "hand-over avoids no purchase of the municipality."},
            "costs_nok": _or_null(_num("Hand-over costs, NOK, at most two decimals.",
                                       minimum=0, maximum=int(MAX_COSTS_NOK), default=0)),
        }, required=["replaces_purchase"], closed=True),
        # -- reuse checks and wanted requests ----------------------------------------------
        "ReuseCheck": _obj({
            "id": _int(),
            "reference": _str("The id to quote in a purchase order, e.g. GJ-2026-000123."),
            "need": _str(),
            "category": _or_null(_str("Category slug, if one was given.")),
            "quantity": _or_null(_int(minimum=1)),
            "created_at": TIMESTAMP,
            "unit": {**_ref("UnitRef"), "description": "The buyer's unit."},
            "match_count": _int("How many available items matched when the check was made.",
                                minimum=0),
            "matches": {"type": "array", "items": _ref("Item"),
                        "description": "The best matches (at most 20), best first, as they "
                                       "are now."},
            "outcome": {"type": ["string", "null"],
                        "enum": [o.value for o in CheckOutcome] + [None],
                        "description": "null while the check is open; claimed while its "
                                       "claim awaits an answer or collection (a declined, "
                                       "cancelled or expired claim opens it again); reused "
                                       "once the claim is collected; bought_new; dropped "
                                       "when the need disappeared."},
            "outcome_at": _or_null(TIMESTAMP),
            "claim_id": _or_null(_int("The claim meant to meet the need (outcome claimed "
                                      "or reused).")),
            "reason": {"type": ["string", "null"],
                       "enum": [r.value for r in BoughtNewReason] + [None],
                       "description": "Why new was bought (outcome bought_new)."},
            "reason_text": _str(),
            "purchase_reference": _str("Order number from the purchasing system, if given."),
            "receipt_url": _str("The printable receipt page.", format="uri"),
        }),
        "ReuseCheckCreate": _obj({
            "need": _str("What is needed, in plain words.", minLength=1, maxLength=MAX_NEED),
            "category": _or_null(_str("Category slug; includes its sub-categories.")),
            "quantity": _or_null(_int(minimum=1, maximum=MAX_ITEM_QUANTITY)),
        }, required=["need"], closed=True),
        "CheckOutcome": _obj({
            "outcome": {"type": "string", "enum": ["reused", "bought_new", "dropped"],
                        "description": "reused links a claim: the check is claimed until "
                                       "the claim is collected (at once if it already is)."},
            "claim_id": _or_null(_int("With reused: your claim that met the need.")),
            "reason": _or_null(_str(
                "With bought_new (required): one of nothing_suitable, not_enough, "
                "needed_sooner, technical_requirements, other, or a sentence (kept as "
                "'other' with that text). With dropped (optional): why the need "
                "disappeared.", maxLength=MAX_REASON_TEXT)),
            "reason_text": _or_null(_str(maxLength=MAX_REASON_TEXT)),
            "purchase_reference": _or_null(_str(maxLength=MAX_PURCHASE_REFERENCE)),
        }, required=["outcome"], closed=True),
        "Wanted": _obj({
            "id": _int(),
            "words": _str("Every meaningful word must be found in a matching item."),
            "category": _or_null(_str("Category slug; matching items are in it or below.")),
            "quantity": _or_null(_int(minimum=1)),
            "until": DATE,
            "open": {"type": "boolean", "description": "Not closed, and until is not past."},
            "created_at": TIMESTAMP,
        }),
        "WantedList": _obj({"wanted": {"type": "array", "items": _ref("Wanted")}}),
        "WantedCreate": _obj({
            "words": _or_null(_str(maxLength=MAX_WORDS_LENGTH)),
            "category": _or_null(_str("Category slug.")),
            "quantity": _or_null(_int(minimum=1, maximum=MAX_ITEM_QUANTITY)),
            "until": _or_null({**DATE, "description": (
                f"Today to at most {wanted.MAX_DAYS} days ahead; default "
                f"{wanted.DEFAULT_DAYS} days.")}),
        }, description="Give words, a category, or both.", required=[], closed=True),
        "StageMove": _obj({
            "stage": {"type": "string", "enum": [stage.value for stage in Stage],
                      "description": "A later stage (moves the item on early) or an earlier "
                                     "one (back: needs a reason). Back to internal starts a "
                                     f"new internal period of {INTERNAL_PERIOD_DAYS} days; a "
                                     "partner stage lasts its full length from today."},
            "reason": _or_null(_str("Why the item is moved back; required then, kept in the "
                                    "audit trail.", maxLength=STAGE_REASON)),
        }, required=["stage"], closed=True),
        "Empty": _obj({}, required=[], closed=True),
        **_report_schemas(),
    }


def _error(description: str, headers: dict | None = None) -> dict:
    response = {"description": description,
                "content": {JSON: {"schema": _ref("Error")}}}
    if headers:
        response["headers"] = headers
    return response


def _responses() -> dict:
    return {
        "BadRequest": _error(
            "Malformed request: not JSON, not an object, a wrong type, a missing or unknown "
            "field, a too long text, a text with a NUL character or a lone surrogate, a line "
            "break in a one-line text, a control, invisible or direction-changing character, "
            "or a bad query parameter. Codes: invalid_json, unknown_field, missing_field, "
            "invalid_type, too_long, invalid_text, invalid_query."),
        "Unauthorized": _error(
            "No valid bearer token. Codes: unauthorized, token_expired (the token's expiry "
            "has passed; ask for a new one).",
            headers={"WWW-Authenticate": {"schema": {"type": "string"},
                                          "description": 'Bearer realm="reuse"'}}),
        "Forbidden": _error("Not allowed for this user. Codes: forbidden, own_unit."),
        "NotFound": _error("No such object, or not visible to this user. Code: not_found."),
        "Conflict": _error("Not allowed in the current state. Codes: invalid_state, "
                           "not_available, withdrawn, claim_already_linked, claim_too_old, "
                           "too_many_open_claims."),
        "TooLarge": _error("The request body is larger than the server accepts. "
                           "Code: too_large."),
        "Unprocessable": _error("Valid JSON, but not acceptable. Code: invalid_input."),
    }


def _err(name: str, description: str | None = None) -> dict:
    ref = {"$ref": f"#/components/responses/{name}"}
    if description:
        ref["description"] = description
    return ref


def _ok(description: str, schema: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


def _json_body(schema: str, *, required: bool = True) -> dict:
    return {"required": required, "content": {JSON: {"schema": _ref(schema)}}}


def _op(operation_id: str, summary: str, tag: str, responses: dict, **extra) -> dict:
    base = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    return {**base, **extra, "responses": responses}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


ITEM_ID = {"$ref": "#/components/parameters/ItemId"}
CLAIM_ID = {"$ref": "#/components/parameters/ClaimId"}


def _decision(operation_id: str, summary: str, who: str, body: str = "Decision") -> dict:
    answers = {"200": _ok("The claim as it is now.", "Claim"),
               "400": _err("BadRequest"), "401": _err("Unauthorized"),
               "403": _err("Forbidden", f"Only {who} may do this."),
               "404": _err("NotFound", "No such claim, or not visible to this user."),
               "409": _err("Conflict", "Not allowed in the claim's state. Code: "
                                       "invalid_state."),
               "413": _err("TooLarge")}
    if body == "DeclineDecision":
        answers["422"] = _err("Unprocessable", "An unknown reason, or reason other without "
                                               "a message.")
    return {"post": _op(operation_id, summary, "claims", answers, parameters=[CLAIM_ID],
                        requestBody=_json_body(body, required=False))}


def _paths() -> dict:
    return {
        "/openapi.json": {"get": _op(
            "getOpenApi", "This description", "meta",
            {"200": {"description": "The OpenAPI 3.1 document.",
                     "content": {JSON: {"schema": {"type": "object"}}}}},
            security=[])},
        "/categories": {"get": _op(
            "listCategories", "All categories with their default factors", "catalog",
            {"200": _ok("The category tree.", "CategoryList"),
             "401": _err("Unauthorized")})},
        "/units": {"get": _op(
            "listUnits", "All units", "catalog",
            {"200": _ok("The units.", "UnitList"), "401": _err("Unauthorized")})},
        "/items": {
            "get": _op(
                "listItems", "Find items", "items",
                {"200": _ok("One page of matching items.", "ItemList"),
                 "400": _err("BadRequest", "A bad query parameter. Code: invalid_query."),
                 "401": _err("Unauthorized"),
                 "422": _err("Unprocessable", "Unknown category or condition.")},
                parameters=[
                    _query("q", {"type": "string"},
                           "Words in title, description or location (first "
                           f"{MAX_QUERY} characters)."),
                    _query("category", {"type": "string"},
                           "Category slug; includes its sub-categories."),
                    _query("condition", CONDITION, "Only items in this condition."),
                    _query("unit", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                           "Unit id; includes its sub-units."),
                    _query("status", {"type": "string", "enum": ["available", "all"],
                                      "default": "available"},
                           "available: only items with pieces left; all: also reserved, "
                           "handed over ones, and withdrawn ones the token's user "
                           "manages (lister, unit admin, admin). A partner organisation's "
                           "token: available lists only what the cascade offers the "
                           "organisation now; all adds the items it has claimed."),
                    _query("sort", {"type": "string", "enum": list(SORTS), "default": NEWEST},
                           "newest: newest first; nearest: the token's user's own unit and "
                           "the units under it first, then its sibling units, and so on up "
                           "the organisation (newest first among equals); most: most pieces "
                           "available first."),
                    _query("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                    "default": 1}, "Page number."),
                    _query("per_page", {"type": "integer", "minimum": 1,
                                        "maximum": MAX_PER_PAGE, "default": API_PER_PAGE},
                           "Items per page."),
                ]),
            "post": _op(
                "createItem", "List an item for one's own unit", "items",
                {"201": _ok("The new item.", "Item"),
                 "400": _err("BadRequest"), "401": _err("Unauthorized"),
                 "413": _err("TooLarge"),
                 "422": _err("Unprocessable", "Unknown category or condition, empty title or "
                                              "address, quantity out of range, negative "
                                              "figure, or internal_until in the past or "
                                              "more than a year ahead.")},
                requestBody=_json_body("ItemCreate")),
        },
        "/items/{item_id}": {"get": _op(
            "getItem", "One item", "items",
            {"200": _ok("The item.", "Item"), "401": _err("Unauthorized"),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage; "
                                     "for a partner organisation's token, neither offered "
                                     "to it now nor claimed by it.")},
            parameters=[ITEM_ID])},
        "/items/{item_id}/photos": {"post": _op(
            "addPhoto", "Add a photo to an item", "items",
            {"201": _ok("The stored photo.", "Photo"),
             "400": _err("BadRequest", "No file in the field 'photo' (code: missing_field), or "
                                       "an alt_text with a line break, a control, invisible or "
                                       "direction-changing character (code: invalid_text)."),
             "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the lister, a unit admin of the item's unit or "
                                      "an admin may add photos."),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "Not a readable image, too large, or the item "
                                          "already has the most photos allowed.")},
            parameters=[ITEM_ID],
            requestBody={"required": True, "content": {"multipart/form-data": {
                "schema": _ref("PhotoUpload"),
                "encoding": {"photo": {
                    "contentType": "image/jpeg, image/png, image/webp, image/gif"}}}}})},
        "/items/{item_id}/claims": {"post": _op(
            "createClaim", "Claim pieces of another unit's item", "claims",
            {"201": _ok("The new claim: pending, or approved if the item auto-approves.",
                        "Claim"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "The item belongs to one's own unit. Code: own_unit."),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage."),
             "409": _err("Conflict", "That quantity is not available (code: not_available), "
                                     "the user already has the most open claims one "
                                     "person may have (code: too_many_open_claims), or, for "
                                     "a partner organisation, the item is no longer at a "
                                     "stage offered to it (code: wrong_stage)."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "Quantity out of range, or a reuse_check_id.")},
            parameters=[ITEM_ID], requestBody=_json_body("ClaimCreate"))},
        "/items/{item_id}/stage": {"post": _op(
            "moveStage", "Move an item on in the cascade early, or back", "items",
            {"200": _ok("The item at its new stage.", "Item"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the lister, a unit admin of the item's unit or "
                                      "an admin may move it."),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage."),
             "409": _err("Conflict", "A stage the item cannot take: it is there already "
                                     "(code: same_stage), withdrawn (withdrawn), every piece "
                                     "is handed over (handed_over), or someone moved it at "
                                     "the same moment (moved)."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "An unknown stage, or moving back without a "
                                          "reason.")},
            parameters=[ITEM_ID], requestBody=_json_body("StageMove"))},
        "/items/{item_id}/safety-check": {"post": _op(
            "markSafetyChecked", "Record an electrical item's safety check", "items",
            {"200": _ok("The item, with safety_checked_at.", "Item"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the lister, a unit admin of the item's unit or "
                                      "an admin may do this."),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage."),
             "409": _err("Conflict", "Not electrical (code: not_electrical), withdrawn "
                                     "(withdrawn) or already checked (already_checked)."),
             "413": _err("TooLarge")},
            parameters=[ITEM_ID], requestBody=_json_body("Empty", required=False))},
        "/items/{item_id}/dispositions": {"post": _op(
            "createDisposition", "Record what happened to pieces left at the final stage",
            "items",
            {"201": _ok("The disposition written.", "Disposition"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the lister, a unit admin of the item's unit or "
                                      "an admin may record an item's end."),
             "404": _err("NotFound", "No such item, or withdrawn and not yours to manage."),
             "409": _err("Conflict", "The item is not at the final stage (code: "
                                     "wrong_stage), fewer pieces are left (code: "
                                     "not_available), or an electrical item is sold or "
                                     "donated before its safety check (code: "
                                     "not_safety_checked)."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "An unknown kind or fraction, a missing or wrong "
                                          "detail for the kind, a quantity, weight or amount "
                                          "out of range.")},
            parameters=[ITEM_ID], requestBody=_json_body("DispositionCreate"))},
        "/claims": {"get": _op(
            "listClaims", "Claims made, or claims on one's unit's items", "claims",
            {"200": _ok("The claims.", "ClaimList"),
             "400": _err("BadRequest", "A bad query parameter. Code: invalid_query."),
             "401": _err("Unauthorized")},
            parameters=[_query("scope", {"type": "string", "enum": ["mine", "incoming"],
                                         "default": "mine"},
                               "mine: claims this user made; incoming: claims on the "
                               "user's unit's items (always empty for a partner "
                               "organisation's token).")])},
        "/claims/{claim_id}": {"get": _op(
            "getClaim", "One claim", "claims",
            {"200": _ok("The claim.", "Claim"), "401": _err("Unauthorized"),
             "404": _err("NotFound", "No such claim, or not visible to this user.")},
            parameters=[CLAIM_ID])},
        "/claims/{claim_id}/approve": _decision(
            "approveClaim", "Approve a pending claim", "the item's lister, a unit admin of "
            "the item's unit or an admin"),
        "/claims/{claim_id}/decline": _decision(
            "declineClaim", "Decline a pending claim, optionally saying why", "the item's "
            "lister, a unit admin of the item's unit or an admin", body="DeclineDecision"),
        "/claims/{claim_id}/cancel": _decision(
            "cancelClaim", "Withdraw one's own open claim", "the claimant"),
        "/claims/{claim_id}/collect": {"post": _op(
            "collectClaim", "Confirm an approved claim was collected", "claims",
            {"200": _ok("The collected claim with its reuse_record.", "Claim"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the claimant, the item's unit or an admin may "
                                      "do this."),
             "404": _err("NotFound", "No such claim, or not visible to this user."),
             "409": _err("Conflict", "The claim is not approved. Code: invalid_state."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "replaces_purchase missing or null (on a unit's "
                                          "claim), or costs_nok "
                                          "negative, too high or with more than two "
                                          "decimals.")},
            parameters=[CLAIM_ID], requestBody=_json_body("Collect"))},
        **_check_paths(),
        **_report_paths(),
        **_purchase_paths(),
    }


CHECK_ID = {"$ref": "#/components/parameters/CheckId"}
WANTED_ID = {"$ref": "#/components/parameters/WantedId"}


def _wanted_action(operation_id: str, summary: str) -> dict:
    return {"post": _op(
        operation_id, summary, "wanted",
        {"200": _ok("The wanted request as it is now.", "Wanted"),
         "400": _err("BadRequest"), "401": _err("Unauthorized"),
         "404": _err("NotFound", "No such wanted request of this user."),
         "409": _err("Conflict", "Closing: already closed (code invalid_state). "
                                 "Renewing a closed or lapsed request: no room under the "
                                 "person's limit (code limit_reached)."),
         "413": _err("TooLarge")},
        parameters=[WANTED_ID], requestBody=_json_body("Empty", required=False))}


def _check_paths() -> dict:
    return {
        "/reuse-checks": {"post": _op(
            "createReuseCheck", "Check what is available before buying new", "checks",
            {"201": _ok("The recorded check with its matches.", "ReuseCheck"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"), "413": _err("TooLarge"),
             "422": _err("Unprocessable", "Empty need, unknown category or bad quantity.")},
            requestBody=_json_body("ReuseCheckCreate"))},
        "/reuse-checks/{check_id}": {"get": _op(
            "getReuseCheck", "One reuse check (the receipt)", "checks",
            {"200": _ok("The check.", "ReuseCheck"), "401": _err("Unauthorized"),
             "404": _err("NotFound", "No such check, or not visible to this user.")},
            parameters=[CHECK_ID])},
        "/reuse-checks/{check_id}/outcome": {"post": _op(
            "setReuseCheckOutcome", "Record how a check ended", "checks",
            {"200": _ok("The check, claimed, reused, bought_new or dropped.", "ReuseCheck"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the buyer who made the check (or an admin), "
                                      "with a claim the buyer sent for their unit."),
             "404": _err("NotFound", "No such check, or not visible to this user."),
             "409": _err("Conflict", "The check is already closed, or the claim came to "
                                     "nothing (code: invalid_state); the claim already "
                                     "closes another check (code: claim_already_linked: one "
                                     "claim closes at most one check); or the claim was sent "
                                     f"more than {LINK_WINDOW_DAYS} days before the check "
                                     "(code: claim_too_old)."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "Unknown outcome, no claim_id, or no reason.")},
            parameters=[CHECK_ID], requestBody=_json_body("CheckOutcome"))},
        "/wanted": {
            "get": _op("listWanted", "This user's wanted requests", "wanted",
                       {"200": _ok("Open ones first.", "WantedList"),
                        "401": _err("Unauthorized")}),
            "post": _op("createWanted", "Be told when a matching item is posted", "wanted",
                        {"201": _ok("The wanted request.", "Wanted"),
                         "400": _err("BadRequest"), "401": _err("Unauthorized"),
                         "409": _err("Conflict", "The person already has the most active "
                                                 "wanted requests allowed "
                                                 "(WANTED_REQUESTS_PER_PERSON). Code: "
                                                 "limit_reached."),
                         "413": _err("TooLarge"),
                         "422": _err("Unprocessable", "Neither words nor a category below the "
                                                      "top level, unknown category, or until "
                                                      "out of range.")},
                        requestBody=_json_body("WantedCreate")),
        },
        "/wanted/{request_id}/close": _wanted_action("closeWanted", "Stop a wanted request"),
        "/wanted/{request_id}/renew": _wanted_action(
            "renewWanted",
            f"Reopen and extend a wanted request to {wanted.DEFAULT_DAYS} days from today"),
    }


GOAL_METRICS = ["avoided_cost_nok", "avoided_co2e_kg", "items_reused", "reuse_check_share",
                "purchase_coverage"]


def _report_schemas() -> dict:
    return {
        "ReportGoal": _obj({
            "metric": {"type": "string", "enum": GOAL_METRICS,
                       "description": "reuse_check_share: per cent of decided reuse checks "
                                      "(reused or bought new) that ended in reuse; "
                                      "purchase_coverage: per cent of purchase lines in "
                                      "reusable categories that had a reuse check."},
            "year": _int("The goal's calendar year."),
            "target": _num("The goal: NOK, kg CO2e, pieces, or per cent.", exclusiveMinimum=0),
            "achieved": _num("The same measure over the requested period and unit."),
            "share": _num("achieved / target, four decimals: 1 means reached."),
        }, description="A goal set by the sustainability lead for a year."),
        "PurchaseLineInput": _obj({
            "line_id": _str("The line's id in the purchasing system (at most "
                            f"{purchases.MAX_LINE_ID} characters); with `source` it names "
                            "the line, so sending it again updates it."),
            "order_number": _or_null(_str("The purchase order's number; a reuse check with "
                                          "it as purchase_reference covers the line.")),
            "ordered_on": _str("The order date: 2026-03-01 or 01.03.2026."),
            "unit_code": _str("The ordering unit's code."),
            "supplier": _or_null(_str()),
            "description": _or_null(_str("What was bought; keyword rules read it.")),
            "unspsc": _or_null({"type": ["string", "integer"],
                                "description": "UNSPSC code, up to 8 digits."}),
            "category": _or_null(_str("A category slug; given, it decides the category.")),
            "quantity": {"type": ["number", "string"], "description": (
                "Greater than 0, at most three decimals; a string may use a decimal comma.")},
            "amount_nok": {"type": ["number", "string"], "description": (
                "The line's amount in NOK, at most two decimals (negative for a credit).")},
        }, required=["line_id", "ordered_on", "unit_code", "quantity", "amount_nok"],
            closed=True,
            description="One purchase line, with the limits of the file format (API.md). A "
                        "bad line (a missing or unknown field, a value out of its limits, an "
                        "unknown unit or category) is refused in `refused` with its reason; "
                        "the others still go in."),
        "PurchaseLineBatch": _obj({
            "source": _str("The purchasing system.", maxLength=purchases.MAX_SOURCE),
            "lines": {"type": "array", "items": _ref("PurchaseLineInput"), "minItems": 1,
                      "maxItems": purchases.MAX_BATCH},
        }, required=["source", "lines"], closed=True),
        "PurchaseImportResult": _obj({
            "created": _int(minimum=0),
            "updated": _int("Lines already known whose facts changed (audited).", minimum=0),
            "unchanged": _int(minimum=0),
            "refused": {"type": "array", "items": _obj({
                "line_id": _or_null(_str()),
                "line": _int("The line's position in `lines`, from 1."),
                "message": _str("Why, naming the field."),
            })},
        }),
        "PurchaseReport": _obj({
            "from": {**DATE, "description": "First order day, inclusive."},
            "to": {**DATE, "description": "Last order day, inclusive."},
            "unit": _or_null(_int("The ordering unit (with its sub-units); null for the "
                                  "whole municipality.")),
            "lines": _int("Purchase lines ordered in the period.", minimum=0),
            "amount_nok": _num("Their amount, NOK."),
            "reusable_lines": _int("Lines in a reusable category.", minimum=0),
            "reusable_amount_nok": _num("Their amount, NOK."),
            "covered_lines": _int("Reusable lines with a reuse check.", minimum=0),
            "uncovered_lines": _int("Reusable lines without one.", minimum=0),
            "uncovered_amount_nok": _num("Their amount, NOK."),
            "coverage_share": _or_null(_num("covered_lines / reusable_lines, four decimals; "
                                            "null without reusable lines.")),
            "unmapped_lines": _int("Lines no rule gives a category yet.", minimum=0),
            "not_reusable_lines": _int("Lines a rule marks as not reusable.", minimum=0),
            "credit_lines": _int("Lines with a negative amount (returns, credit notes): "
                                 "counted in lines and amount_nok, never as covered or "
                                 "uncovered.", minimum=0),
            "credit_amount_nok": _num("Their amount, NOK (zero or negative)."),
            "uncovered_with_alternative": _int(
                "Uncovered lines for which enough pieces in the category were listed and "
                "free when the order day began.", minimum=0),
            "uncovered_with_alternative_amount_nok": _num("Their amount, NOK."),
        }, description="A reusable line is covered when a reuse check has its order number "
                       "as purchase_reference, or a check by the same unit or a unit above "
                       "it, for the same or a broader category, was made in the 30 days "
                       "before ordered_on (or on it)."),
        "ReportSummary": _obj({
            "from": {**DATE, "description": "First day, inclusive (Europe/Oslo)."},
            "to": {**DATE, "description": "Last day, inclusive (Europe/Oslo)."},
            "unit": {"anyOf": [_ref("UnitRef"), {"type": "null"}],
                     "description": "The receiving unit summed, with its sub-units; null for "
                                    "the whole municipality."},
            "items_reused": _int("Pieces handed over, net of reversals."),
            "avoided_cost_nok": _num("Sum of the records' avoided cost, NOK (two decimals)."),
            "avoided_co2e_kg": _num("Sum of the records' avoided emissions, kg CO2e."),
            "avoided_waste_kg": _num("Sum of the records' avoided waste, kg."),
            "records": _int("Reuse records summed, reversals included.", minimum=0),
            "reuse_checks": _obj({
                "total": _int("reused + bought_new + open + dropped.", minimum=0),
                "reused": _int("Checks whose claim was collected.", minimum=0),
                "bought_new": _int(minimum=0),
                "open": _int("Not decided yet: open checks and claimed ones.", minimum=0),
                "claimed": _int("Of open: a claim awaits an answer or collection.",
                                minimum=0),
                "dropped": _int("The need disappeared; not in the reuse share.", minimum=0),
            }, description="Reuse checks made in the period by the unit (and sub-units). "
                           "The reuse share is reused / (reused + bought_new)."),
            "goal": {"anyOf": [_ref("ReportGoal"), {"type": "null"}],
                     "description": "The first of `goals` (metrics in the order of the enum); "
                                    "null if none."},
            "goals": {"type": "array", "items": _ref("ReportGoal"),
                      "description": "Goals for exactly this unit (or the whole municipality) "
                                     "for the period's year; empty when the period spans "
                                     "years."},
            "outside_municipality": _obj({
                "items": _int("Pieces handed over to partner organisations, net."),
                "waste_kg": _num("Their kilograms, net."),
            }, description="Hand-overs to public bodies and non-profits through the "
                           "platform, by the giving unit (with its sub-units). Pieces and "
                           "kilograms only: never in avoided_cost_nok or avoided_co2e_kg."),
            "waste_hierarchy": _obj({
                "reused_internal_kg": _num("Reuse records' kilograms, counted by the GIVING "
                                           "unit here."),
                "reused_external_kg": _num("Partners' hand-overs and donations outside the "
                                           "platform."),
                "sold_kg": _num("Sold."),
                "recycled_kg": _num("Delivered for recycling."),
                "disposed_kg": _num("Disposed of."),
            }, description="What the unit's surplus became, in the waste hierarchy's order: "
                           "every row by the giving unit (with its sub-units), recorded in "
                           "the period, net of reversals."),
        }, description="Sums of the reuse records whose collection falls in the period."),
    }


def _report_paths() -> dict:
    return {"/reports/summary": {"get": _op(
        "getReportSummary", "What reuse avoided in a period, against the goal", "reports",
        {"200": _ok("The figures.", "ReportSummary"),
         "400": _err("BadRequest", "A date not as YYYY-MM-DD, a bad unit id or an "
                                   "unknown tree. Code: invalid_query."),
         "401": _err("Unauthorized"),
         "403": _err("Forbidden", "Members and unit admins may see only their own unit "
                                  "(with its sub-units)."),
         "422": _err("Unprocessable", "`to` before `from`, more than ten years, dates "
                                      "outside 2000–2100, or an unknown unit.")},
        parameters=[
            _query("from", DATE, "First day, inclusive. Default: 1 January of the year of "
                                 "`to`, or of this year."),
            _query("to", DATE, "Last day, inclusive. Default: 31 December of the year of "
                               "`from`, or of this year."),
            _query("unit", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                   "Receiving unit id; includes its sub-units. Default: the whole "
                   "municipality for the sustainability lead and admins, else one's own "
                   "unit."),
            _query("tree", {"type": "string", "enum": ["now", "then"], "default": "now"},
                   "Which unit tree `unit` includes its sub-units from: now, today's; then, "
                   "the tree as it was at the end of `to` (Europe/Oslo), before later "
                   "reorganisations. Every record counts once either way; the whole "
                   "municipality's figures are the same."),
        ])}}


def _purchase_paths() -> dict:
    return {
        "/purchase-lines": {"post": _op(
            "importPurchaseLines", "Create or update purchase lines from a purchasing system",
            "purchases",
            {"200": _ok("What was done; the refused lines with why.", "PurchaseImportResult"),
             "400": _err("BadRequest"), "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Only the sustainability lead and admins may import "
                                      "purchases."),
             "413": _err("TooLarge"),
             "422": _err("Unprocessable", "An empty or too long source, no lines, or more "
                                          f"than {purchases.MAX_BATCH} lines.")},
            requestBody=_json_body("PurchaseLineBatch"))},
        "/reports/purchases": {"get": _op(
            "getPurchaseReport", "Purchases reconciled against reuse checks", "reports",
            {"200": _ok("The figures.", "PurchaseReport"),
             "400": _err("BadRequest", "A date not as YYYY-MM-DD or a bad unit id. Code: "
                                       "invalid_query."),
             "401": _err("Unauthorized"),
             "403": _err("Forbidden", "Members and unit admins may see only their own unit "
                                      "(with its sub-units)."),
             "422": _err("Unprocessable", "`to` before `from`, more than ten years, dates "
                                          "outside 2000–2100, or an unknown unit.")},
            parameters=[
                _query("from", DATE, "First order day, inclusive. Default: 1 January of the "
                                     "year of `to`, or of this year."),
                _query("to", DATE, "Last order day, inclusive. Default: 31 December of the "
                                   "year of `from`, or of this year."),
                _query("unit", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                       "The ordering unit's id; includes its sub-units. Default: the whole "
                       "municipality for the sustainability lead and admins, else one's own "
                       "unit."),
            ])},
    }


def _id_parameter(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1}, "description": f"The {what}'s id."}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Gjenbruk API",
            "version": "1",
            "description": (
                "Bergen kommune's internal reuse marketplace. Money is NOK and weights and "
                "emissions kg, as JSON numbers; dates and timestamps are ISO 8601. Every "
                "error has the body {\"error\": {\"code\", \"message\"}}."),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "catalog", "description": "Categories and units."},
                 {"name": "items", "description": "Listed items and their photos."},
                 {"name": "claims", "description": "Claims on items and their outcome."},
                 {"name": "checks", "description": "Reuse checks before buying new."},
                 {"name": "wanted", "description": "Standing wanted requests."},
                 {"name": "reports", "description": "What reuse avoided, against the goals."},
                 {"name": "purchases", "description": "Purchase lines from purchasing "
                                                     "systems, reconciled against checks."},
                 {"name": "meta", "description": "This description."}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "An API token from `flask --app reuse create-token`; it acts "
                               "as its user."}},
            "parameters": {"ItemId": _id_parameter("item_id", "item"),
                           "ClaimId": _id_parameter("claim_id", "claim"),
                           "CheckId": _id_parameter("check_id", "reuse check"),
                           "WantedId": _id_parameter("request_id", "wanted request")},
            "responses": _responses(),
            "schemas": _schemas(),
        },
    }
