"""Purchases (API.md, "Purchases"): an integration's batches of purchase lines, and the
reconciliation of a period's purchases against reuse checks."""

from __future__ import annotations

from flask import jsonify, request

from reuse.api import bp
from reuse.api import parsing as p
from reuse.api.auth import require_user
from reuse.api.openapi import MAX_ID
from reuse.api.reports import _query_date
from reuse.extensions import db
from reuse.services import purchases
from reuse.services.reports import purchases as purchase_report
from reuse.services.reports.scope import Scope, authorize, make_period


@bp.post("/purchase-lines")
def import_purchase_lines():
    user = require_user()
    body = p.json_body({"source", "lines"}, required={"source", "lines"})
    source = p.string(body, "source", max_length=purchases.MAX_SOURCE)
    if not isinstance(body["lines"], list):
        raise p.BadRequest("'lines' must be an array of line objects.", "invalid_type")
    result = purchases.import_batch(user, source, body["lines"])
    db.session.commit()
    counts = result.counts()
    return jsonify({"created": counts["created"], "updated": counts["updated"],
                    "unchanged": counts["unchanged"],
                    "refused": [{"line_id": refusal.line_id or None, "line": refusal.line,
                                 "message": refusal.message} for refusal in result.refused]})


def purchase_report_json(scope: Scope, totals: purchase_report.Totals) -> dict:
    return {
        "from": scope.period.start,
        "to": scope.period.end,
        "unit": scope.unit_id,
        "lines": totals.lines,
        "amount_nok": totals.amount_nok,
        "reusable_lines": totals.reusable_lines,
        "reusable_amount_nok": totals.reusable_amount_nok,
        "covered_lines": totals.covered_lines,
        "uncovered_lines": totals.uncovered_lines,
        "uncovered_amount_nok": totals.uncovered_amount_nok,
        "coverage_share": totals.coverage_share,
        "unmapped_lines": totals.unmapped_lines,
        "not_reusable_lines": totals.not_reusable_lines,
        "credit_lines": totals.credit_lines,
        "credit_amount_nok": totals.credit_amount_nok,
        "uncovered_with_alternative": totals.uncovered_with_alternative,
        "uncovered_with_alternative_amount_nok": totals.uncovered_with_alternative_amount_nok,
    }


@bp.get("/reports/purchases")
def purchases_report():
    user = require_user()
    start, end = _query_date("from"), _query_date("to")
    unit_id = p.query_int("unit", 0, minimum=1, maximum=MAX_ID) \
        if request.args.get("unit") else None
    scope = authorize(user, Scope(make_period(start, end), unit_id=unit_id))
    return jsonify(purchase_report_json(scope, purchase_report.summary(scope)))
