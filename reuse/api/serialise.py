"""The JSON shapes of API.md: item, claim, category, unit."""

from __future__ import annotations

from flask import url_for

from reuse.models import (
    Category,
    Claim,
    Disposition,
    Item,
    Photo,
    ReuseCheck,
    ReuseRecord,
    Unit,
    User,
    WantedRequest,
)
from reuse.services import factors, stages
from reuse.services.permissions import can_see_item


def photo_json(photo: Photo) -> dict:
    return {
        "id": photo.id,
        "url": url_for("catalog.photo_file", filename=photo.filename, _external=True),
        "thumbnail_url": url_for("catalog.photo_file", filename=photo.thumbnail_filename,
                                 _external=True),
        "width": photo.width,
        "height": photo.height,
        "alt_text": photo.alt_text,
    }


def unit_ref(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name}


# What a partner's person is shown for the figures: nothing (the municipality's own).
NO_FIGURES = factors.PieceFigures(new_price_nok=None, weight_kg=None, co2e_kg=None,
                                  new_price_from_category=False, weight_from_category=False)


def items_json(items: list[Item], viewer: User | None = None) -> list[dict]:
    """Items as JSON, their figures read for all of them in one query."""
    if viewer is not None and viewer.is_partner:
        return [item_json(item, viewer=viewer) for item in items]
    figures = factors.piece_figures_for(items)
    return [item_json(item, figures[item.id]) for item in items]


def item_json(item: Item, figures: factors.PieceFigures | None = None, *,
              viewer: User | None = None) -> dict:
    """The item, each piece valued as a collection today would record it.

    For a partner's person (viewer) without the municipality's internal details: no
    collection notes (they read them on their approved claim), no figures, and not whether
    the lister approves automatically."""
    if viewer is not None and viewer.is_partner:
        return {**_item_fields(item, NO_FIGURES),
                "collection_notes": "", "auto_approve": False}
    return _item_fields(item, figures or factors.piece_figures(item))


def _item_fields(item: Item, figures: factors.PieceFigures) -> dict:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "category": item.category.slug,
        "condition": item.condition,
        "quantity": item.quantity,
        "quantity_available": item.quantity_available,
        "location": {"address": item.location_address, "building": item.location_building,
                     "room": item.location_room},
        "collection_notes": item.collection_notes,
        "unit": unit_ref(item.unit),
        "new_price_nok": figures.new_price_nok,
        "weight_kg": figures.weight_kg,
        "co2e_kg": figures.co2e_kg,
        "auto_approve": item.auto_approve,
        "status": item.status.value,
        "photos": [photo_json(photo) for photo in item.photos],
        "created_at": item.created_at,
        "internal_until": item.internal_until,
        "stage": item.stage,
        "stage_ends_on": item.stage_ends_on,
        "electrical": stages.is_electrical(item.category),
        "safety_checked_at": item.safety_checked_at,
    }


def record_json(record: ReuseRecord | None) -> dict | None:
    if record is None:
        return None
    return {
        "id": record.id,
        "replaces_purchase": record.replaces_purchase,
        "costs_nok": record.costs_nok,
        "avoided_cost_nok": record.avoided_cost_nok,
        "avoided_co2e_kg": record.avoided_co2e_kg,
        "avoided_waste_kg": record.avoided_waste_kg,
        "new_price_nok_used": record.new_price_nok_used,
        "weight_kg_used": record.weight_kg_used,
        "co2e_kg_used": record.co2e_kg_used,
        "outside_municipality": False,
    }


def outside_record_json(disposition: Disposition | None, viewer: User | None = None) -> dict | None:
    """A partner's hand-over, in the reuse record's shape: waste avoided, and no kroner or
    CO2e avoided by the municipality. A partner reads no prices or emissions (as items)."""
    if disposition is None:
        return None
    internal = viewer is None or not viewer.is_partner
    return {
        "id": disposition.id,
        "outside_municipality": True,
        "replaces_purchase": False,
        "costs_nok": 0,
        "avoided_cost_nok": 0,
        "avoided_co2e_kg": 0,
        "avoided_waste_kg": disposition.waste_kg,
        "new_price_nok_used": disposition.new_price_nok_used if internal else None,
        "weight_kg_used": disposition.weight_kg_used,
        "co2e_kg_used": disposition.co2e_kg_used if internal else None,
    }


def claim_json(claim: Claim, viewer: User | None = None) -> dict:
    return {
        "id": claim.id,
        "item_id": claim.item_id,
        "quantity": claim.quantity,
        "status": claim.status,
        "message": claim.message,
        "claimant": {"id": claim.claimant.id, "name": claim.claimant.name},
        "unit": unit_ref(claim.unit) if claim.unit is not None else None,
        "organisation": ({"id": claim.partner.id, "name": claim.partner.name}
                         if claim.partner is not None else None),
        "collect_by": claim.collect_by,
        "created_at": claim.created_at,
        "decided_at": claim.decided_at,
        "decline_reason": claim.decline_reason,
        "decision_message": claim.decision_message,
        "collected_at": claim.collected_at,
        "reuse_record": (outside_record_json(claim.outside_record, viewer)
                         if claim.partner_id is not None else record_json(claim.reuse_record)),
    }


def category_json(category: Category, parent_slug: str | None,
                  in_effect: factors.Factors) -> dict:
    """The category with its factors in effect today (`in_effect`)."""
    return {
        "slug": category.slug,
        "name": category.name_nb,
        "name_en": category.name_en,
        "parent": parent_slug,
        "retired": category.retired_at is not None,
        "new_price_nok": in_effect.new_price_nok,
        "weight_kg": in_effect.weight_kg,
        "co2e_kg": in_effect.co2e_kg,
    }


def unit_json(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "parent_id": unit.parent_id, "code": unit.code}


def check_json(check: ReuseCheck, viewer: User) -> dict:
    """The check as its viewer may see it: matched items they may no longer see (withdrawn
    since) are left out."""
    return {
        "id": check.id,
        "reference": check.reference,
        "need": check.need,
        "category": check.category.slug if check.category else None,
        "quantity": check.quantity,
        "created_at": check.created_at,
        "unit": unit_ref(check.unit),
        "match_count": check.match_count,
        "matches": items_json([match.item for match in check.matches
                               if can_see_item(viewer, match.item)]),
        "outcome": check.outcome,
        "outcome_at": check.outcome_at,
        "claim_id": check.claim_id,
        "reason": check.reason_code,
        "reason_text": check.reason_text,
        "purchase_reference": check.purchase_reference,
        "receipt_url": url_for("checks.check_detail", check_id=check.id, _external=True),
    }


def wanted_json(request: WantedRequest, is_open: bool) -> dict:
    return {
        "id": request.id,
        "words": request.words,
        "category": request.category.slug if request.category else None,
        "quantity": request.quantity,
        "until": request.until,
        "open": is_open,
        "created_at": request.created_at,
    }
