"""Who may reach what: a rule for every route in the route map.

Each endpoint lists what an anonymous visitor, a user of an unrelated unit ("stranger"), a
member of the owning unit who is neither the lister nor its unit admin ("colleague") and,
for the API, a revoked token get. A new route without a line here fails the suite.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from reuse.models import ApiToken, Goal, Notification, PurchaseCategoryRule, Role
from reuse.services import (
    checks,
    claims,
    dispositions,
    partners,
    photos,
    scim_tokens,
    tokens,
    wanted,
)
from tests.conftest import jpeg_bytes

PUBLIC = {"api.openapi", "auth.login", "auth.choose_language", "static", "healthz",
          "auth.forgot_password", "auth.reset_password",
          # A partner's person asks for and follows a sign-in link before there is a session
          # (tests/test_partner_signin.py).
          "auth.partner_link_request", "auth.login_link",
          # Single sign-on happens before there is a session (tests/test_oidc.py).
          "auth.oidc_start", "auth.oidc_callback", "auth.oidc_unit"}

# endpoint: (method, url, body, stranger gets, colleague gets)
RULES = {
    "catalog.browse": ("GET", "/", None, 200, 200),
    "catalog.item_detail": ("GET", "/items/{item}", None, 200, 200),
    "catalog.photo_file": ("GET", "/photos/{thumbnail}", None, 200, 200),
    "listings.new_item": ("GET", "/items/new", None, 200, 200),
    "listings.unit_items": ("GET", "/my-unit/items", None, 200, 200),
    "listings.edit_item": ("POST", "/items/{item}/edit", {"title": "Kapret"}, 403, 403),
    "listings.withdraw_item": ("POST", "/items/{item}/withdraw", {}, 403, 403),
    "listings.relist_item": ("POST", "/items/{item}/relist", {}, 403, 403),
    "listings.move_stage": ("POST", "/items/{item}/stage", {"stage": "final"}, 403, 403),
    "listings.safety_check": ("POST", "/items/{item}/safety-check", {}, 403, 403),
    "listings.manage_photos": ("GET", "/items/{item}/photos", None, 403, 403),
    "listings.update_alt_text": ("POST", "/items/{item}/photos/{photo}/alt",
                                 {"alt_text": "x"}, 403, 403),
    "listings.delete_photo": ("POST", "/items/{item}/photos/{photo}/delete", {}, 403, 403),
    "listings.arrange_photo": ("POST", "/items/{item}/photos/{photo}/arrange",
                               {"action": "cover"}, 403, 403),
    "claims.claim_item": ("POST", "/items/{item}/claim", {"quantity": "1"}, 302, 403),
    "claims.my_claims": ("GET", "/claims", None, 200, 200),
    "claims.incoming_claims": ("GET", "/claims/incoming", None, 200, 200),
    "claims.claim_detail": ("GET", "/claims/{claim}", None, 404, 200),
    "claims.approve": ("POST", "/claims/{claim}/approve", {}, 404, 403),
    "claims.decline": ("POST", "/claims/{claim}/decline", {}, 404, 403),
    "claims.cancel": ("POST", "/claims/{claim}/cancel", {}, 404, 403),
    "claims.collect": ("POST", "/claims/{collectable}/collect", {"replaces_purchase": "yes"},
                       404, 302),
    "claims.reverse_record": ("POST", "/records/{record}/reverse", {"reason": "x"}, 403, 403),
    # Ends at the final stage: those who manage the item; corrections: admins only.
    "catalog.record_disposition": ("POST", "/items/{ended_item}/dispositions",
                                   {"kind": "disposed", "quantity": "1"}, 403, 403),
    "catalog.reverse_disposition": ("GET", "/dispositions/{disposition}/reverse", None, 403,
                                    403),
    "notifications.notification_list": ("GET", "/notifications", None, 200, 200),
    "notifications.mark_read": ("POST", "/notifications/read", {}, 302, 302),
    # The lister's own notification: anyone else is told it does not exist.
    "notifications.open_notification": ("GET", "/notifications/{notification}", None, 404, 404),
    "notifications.mark_one_read": ("POST", "/notifications/{notification}/read", {}, 404, 404),
    "checks.new_check": ("GET", "/checks/new", None, 200, 200),
    "checks.check_list": ("GET", "/checks", None, 200, 200),
    "checks.check_detail": ("GET", "/checks/{check}", None, 404, 404),
    "checks.claim_match": ("POST", "/checks/{check}/claim/{other_item}", {"quantity": "1"},
                           404, 404),
    "checks.bought_new": ("POST", "/checks/{check}/bought-new",
                          {"reason": "nothing_suitable"}, 404, 404),
    "checks.refine": ("POST", "/checks/{check}/refine", {"need": "stoler"}, 404, 404),
    "checks.drop": ("POST", "/checks/{check}/drop", {}, 404, 404),
    # Recording a check of one's own: anyone signed in.
    "checks.save_check": ("POST", "/checks/new", {"need": "stoler"}, 302, 302),
    "checks.claim_new": ("POST", "/checks/new/claim/{other_item}",
                         {"need": "skap", "claim-quantity": "1"}, 302, 302),
    "checks.bought_new_new": ("POST", "/checks/new/bought-new",
                              {"need": "flygel", "reason": "nothing_suitable"}, 302, 302),
    "wanted.wanted_list": ("GET", "/wanted", None, 200, 200),
    "admin.index": ("GET", "/admin/", None, 403, 403),
    "wanted.close_wanted": ("POST", "/wanted/{wanted}/close", {}, 404, 404),
    "wanted.renew_wanted": ("POST", "/wanted/{wanted}/renew", {}, 404, 404),
    "reports.overview": ("GET", "/reports?unit={school}", None, 403, 200),
    "reports.record_list": ("GET", "/reports/records?unit={school}", None, 403, 200),
    "reports.check_list": ("GET", "/reports/checks?unit={school}", None, 403, 200),
    "reports.waste_list": ("GET", "/reports/waste?unit={school}&level=sold", None, 403, 200),
    "reports.export_records": ("GET", "/reports/records.csv?unit={school}", None, 403, 200),
    "reports.export_summary": ("GET", "/reports/summary.xlsx?unit={school}", None, 403, 200),
    "reports.purchase_overview": ("GET", "/reports/purchases?unit={school}", None, 403, 200),
    "reports.purchase_lines": ("GET", "/reports/purchases/lines?unit={school}&group=uncovered",
                               None, 403, 200),
    "reports.export_purchases": ("GET", "/reports/purchases.xlsx?unit={school}", None, 403,
                                 200),
    "reports.export_purchase_lines": ("GET", "/reports/purchases/lines.csv?unit={school}",
                                      None, 403, 200),
    "reports.method": ("GET", "/reports/method", None, 200, 200),
    "reports.factor_list": ("GET", "/reports/factors", None, 403, 403),
    "reports.factor_edit": ("GET", "/reports/factors/kontorstol", None, 403, 403),
    "reports.goal_list": ("GET", "/reports/goals", None, 403, 403),
    "reports.goal_delete": ("POST", "/reports/goals/{goal}/delete", {}, 403, 403),
    # Administration: admins and unit admins only; members are refused on every page.
    "admin.units_tree": ("GET", "/admin/units", None, 403, 403),
    "admin.unit_new": ("POST", "/admin/units/new", {"name": "Ny enhet"}, 403, 403),
    "admin.unit_detail": ("GET", "/admin/units/{school}", None, 403, 403),
    "admin.unit_rename": ("POST", "/admin/units/{school}/rename", {"name": "Kapret"}, 403, 403),
    "admin.unit_move": ("POST", "/admin/units/{school}/move", {"parent": ""}, 403, 403),
    "admin.unit_close": ("POST", "/admin/units/{school}/close", {}, 403, 403),
    "admin.unit_reopen": ("POST", "/admin/units/{school}/reopen", {}, 403, 403),
    "admin.unit_move_items": ("POST", "/admin/units/{school}/move-items", {}, 403, 403),
    "admin.units_import": ("GET", "/admin/units/import", None, 403, 403),
    "admin.units_import_preview": ("GET", "/admin/units/import/preview", None, 403, 403),
    "admin.people": ("GET", "/admin/people", None, 403, 403),
    "admin.person": ("GET", "/admin/people/{person}", None, 403, 403),
    "admin.change_role": ("POST", "/admin/people/{person}/role", {"role": "admin"}, 403, 403),
    "admin.move": ("POST", "/admin/people/{person}/unit", {"unit": "1"}, 403, 403),
    "admin.deactivate": ("POST", "/admin/people/{person}/deactivate", {}, 403, 403),
    "admin.reactivate": ("POST", "/admin/people/{person}/reactivate", {}, 403, 403),
    "admin.anonymise": ("POST", "/admin/people/{person}/anonymise", {}, 403, 403),
    "admin.new_token": ("POST", "/admin/people/{person}/tokens/new", {"label": "x"}, 403, 403),
    "admin.tokens": ("GET", "/admin/tokens", None, 403, 403),
    "admin.revoke_token": ("POST", "/admin/tokens/{api_token}/revoke", {}, 403, 403),
    "admin.new_scim_token": ("POST", "/admin/scim-tokens/new", {"label": "x"}, 403, 403),
    "admin.revoke_scim_token": ("POST", "/admin/scim-tokens/{scim_token}/revoke", {}, 403, 403),
    "admin.audit": ("GET", "/admin/audit", None, 403, 403),
    "admin.category_list": ("GET", "/admin/categories", None, 403, 403),
    "admin.category_edit": ("GET", "/admin/categories/kontorstol", None, 403, 403),
    "admin.category_rename": ("POST", "/admin/categories/kontorstol/rename",
                              {"name_nb": "X", "name_en": "X"}, 403, 403),
    "admin.category_move": ("POST", "/admin/categories/kontorstol/move", {"parent": ""},
                            403, 403),
    "admin.category_electrical": ("POST", "/admin/categories/kontorstol/electrical",
                                  {"electrical": "yes"}, 403, 403),
    "admin.category_retire": ("POST", "/admin/categories/kontorstol/retire", {}, 403, 403),
    "admin.category_restore": ("POST", "/admin/categories/kontorstol/restore", {}, 403, 403),
    # A partner organisation's pages: to the municipality's people they do not exist
    # (partners themselves: tests/test_partner_catalogue.py).
    "partner.home": ("GET", "/partner/", None, 404, 404),
    "partner.item": ("GET", "/partner/items/{item}", None, 404, 404),
    "partner.claim_item": ("POST", "/partner/items/{item}/claim", {"quantity": "1"}, 404, 404),
    "partner.claim_list": ("GET", "/partner/claims", None, 404, 404),
    "partner.claim": ("GET", "/partner/claims/{claim}", None, 404, 404),
    "partner.cancel_claim": ("POST", "/partner/claims/{claim}/cancel", {}, 404, 404),
    "partner.collect_claim": ("POST", "/partner/claims/{collectable}/collect", {}, 404, 404),
    "partner.subscriptions": ("GET", "/partner/varsler", None, 404, 404),
    # Partner organisations: admins only (tests/test_partners.py).
    "admin.partner_list": ("GET", "/admin/partners", None, 403, 403),
    "admin.partner_new": ("POST", "/admin/partners",
                          {"name": "X", "org_number": "971515600", "kind": "nonprofit"},
                          403, 403),
    "admin.partner_detail": ("GET", "/admin/partners/{partner}", None, 403, 403),
    "admin.partner_suspend": ("POST", "/admin/partners/{partner}/suspend", {"confirm": "yes"},
                              403, 403),
    "admin.partner_resume": ("POST", "/admin/partners/{partner}/resume", {}, 403, 403),
    "admin.partner_person_deactivate": (
        "POST", "/admin/partners/{partner}/people/{partner_person}/deactivate", {}, 403, 403),
    "admin.partner_person_reactivate": (
        "POST", "/admin/partners/{partner}/people/{partner_person}/reactivate", {}, 403, 403),
    "admin.partner_invite": ("POST", "/admin/partners/{partner}/invite",
                             {"email": "x@partner.example"}, 403, 403),
    "auth.logout": ("POST", "/logout", {}, 302, 302),
    # A partner's own password: the municipality's people have their municipal account.
    "auth.partner_password": ("GET", "/account/password", None, 403, 403),
    # The API: bearer tokens; a revoked token is refused like none at all.
    "api.list_categories": ("GET", "/api/v1/categories", None, 200, 200),
    "api.list_units": ("GET", "/api/v1/units", None, 200, 200),
    "api.list_items": ("GET", "/api/v1/items", None, 200, 200),
    "api.get_item": ("GET", "/api/v1/items/{item}", None, 200, 200),
    "api.create_item": ("POST", "/api/v1/items", {
        "title": "Stol", "category": "kontorstol", "condition": "good", "quantity": 1,
        "location": "Rådhusgaten 10"}, 201, 201),
    "api.add_photo": ("POST", "/api/v1/items/{item}/photos", "photo", 403, 403),
    "api.move_stage": ("POST", "/api/v1/items/{item}/stage", {"stage": "final"}, 403, 403),
    "api.safety_check": ("POST", "/api/v1/items/{item}/safety-check", {}, 403, 403),
    "api.create_claim": ("POST", "/api/v1/items/{item}/claims", {"quantity": 1}, 201, 403),
    "api.create_disposition": ("POST", "/api/v1/items/{ended_item}/dispositions",
                               {"kind": "disposed", "quantity": 1}, 403, 403),
    "api.list_claims": ("GET", "/api/v1/claims?scope=incoming", None, 200, 200),
    "api.get_claim": ("GET", "/api/v1/claims/{claim}", None, 404, 200),
    "api.approve_claim": ("POST", "/api/v1/claims/{claim}/approve", {}, 404, 403),
    "api.decline_claim": ("POST", "/api/v1/claims/{claim}/decline", {}, 404, 403),
    "api.cancel_claim": ("POST", "/api/v1/claims/{claim}/cancel", {}, 404, 403),
    "api.collect_claim": ("POST", "/api/v1/claims/{collectable}/collect",
                          {"replaces_purchase": True}, 404, 200),
    "api.create_check": ("POST", "/api/v1/reuse-checks", {"need": "stoler"}, 201, 201),
    "api.get_check": ("GET", "/api/v1/reuse-checks/{check}", None, 404, 404),
    "api.check_outcome": ("POST", "/api/v1/reuse-checks/{check}/outcome",
                          {"outcome": "bought_new", "reason": "nothing_suitable"}, 404, 404),
    "api.list_wanted": ("GET", "/api/v1/wanted", None, 200, 200),
    "api.create_wanted": ("POST", "/api/v1/wanted", {"words": "sofa"}, 201, 201),
    "api.close_wanted": ("POST", "/api/v1/wanted/{wanted}/close", {}, 404, 404),
    "api.renew_wanted": ("POST", "/api/v1/wanted/{wanted}/renew", {}, 404, 404),
    "api.report_summary": ("GET", "/api/v1/reports/summary?unit={school}", None, 403, 200),
    # Purchases: the lead and admins import; reports follow the unit reports.
    "api.import_purchase_lines": ("POST", "/api/v1/purchase-lines",
                                  {"source": "Visma", "lines": [{"line_id": "L1"}]}, 403, 403),
    "api.purchases_report": ("GET", "/api/v1/reports/purchases?unit={school}", None, 403, 200),
    # The purchase tools: the sustainability lead and admins (tests/test_purchase_pages.py).
    "reports.purchase_import": ("GET", "/reports/purchases/import", None, 403, 403),
    "reports.purchase_import_preview": ("GET", "/reports/purchases/import/preview", None,
                                        403, 403),
    "reports.purchase_import_cancel": ("POST", "/reports/purchases/import/cancel", {}, 403,
                                       403),
    "reports.purchase_rules_list": ("POST", "/reports/purchases/rules",
                                    {"kind": "keyword", "pattern": "benk", "category": "none"},
                                    403, 403),
    "reports.purchase_rule_change": ("POST", "/reports/purchases/rules/{purchase_rule}",
                                     {}, 403, 403),
    "reports.purchase_rule_remove": ("POST", "/reports/purchases/rules/{purchase_rule}/remove",
                                     {}, 403, 403),
    "reports.purchase_unmapped": ("GET", "/reports/purchases/unmapped", None, 403, 403),
}


# Provisioning has its own door: a SCIM token, never a session (tests/test_scim.py); every
# SCIM route refuses a signed-in admin below.
SCIM = {"scim.create_user", "scim.delete_user", "scim.get_user", "scim.list_users",
        "scim.patch_user", "scim.replace_user", "scim.resource_type", "scim.resource_types",
        "scim.schema", "scim.schemas", "scim.search", "scim.service_provider_config"}


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC - SCIM - set(RULES) == set(), "new routes need a line in RULES"
    assert set(RULES) - endpoints == set(), "RULES names routes that no longer exist"


@pytest.fixture
def world(people, make_item, make_user, make_unit, db):
    """The school's listing with a photo, a pending and an approved claim on it from the
    kindergarten, a collected one with its record, the lister's check, wish and a goal."""
    item = make_item(people.member, title="Kontorstoler", quantity=10)
    [photo] = photos.add_photos(people.member, item, [photos.Upload(
        io.BytesIO(jpeg_bytes()), "stol.jpg")])
    other_item = make_item(people.outsider, title="Skap", category="skap")
    pending = claims.claim_item(people.outsider, item, 1)
    collectable = claims.claim_item(people.outsider, item, 1)
    claims.approve(people.member, collectable)
    collected = claims.claim_item(people.outsider, item, 1)
    claims.approve(people.member, collected)
    claims.collect(people.outsider, collected, costs_nok=Decimal("0"), replaces_purchase=True)
    check = checks.create_check(people.member, "skap")
    wish = wanted.create_request(people.member, words="sofa")
    ended_item = make_item(people.member, title="Gamle pulter", quantity=3)
    ended_item.stage = "final"
    ended = dispositions.record_end(people.member, ended_item, "disposed", 1)
    goal = Goal(year=2026, metric="items_reused", target=Decimal("10"), unit_id=None,
                created_by_id=people.admin.id)
    db.session.add(goal)
    purchase_rule = PurchaseCategoryRule(kind="keyword", pattern="benk", category_id=None)
    db.session.add(purchase_rule)
    db.session.commit()
    notification = db.session.scalars(select(Notification.id).where(
        Notification.user_id == people.member.id)).first()
    stranger = make_user(make_unit("Klimaetaten"))
    api_token, _ = tokens.create_token(people.outsider, "integration")
    scim_token, _ = scim_tokens.create_token(people.admin, "Entra ID")
    partner = partners.create_partner(None, "Brønnøysundregistrene", "974760673", "public_body")
    partners.invite_partner_person(None, partner, "kari@brreg.example", "Kari Register")
    partner_person = partners.users.find_by_email("kari@brreg.example")
    db.session.commit()
    return {
        "ids": {"item": item.id, "thumbnail": photo.thumbnail_filename, "photo": photo.id,
                "other_item": other_item.id, "claim": pending.id,
                "collectable": collectable.id, "record": collected.reuse_record.id,
                "check": check.id, "wanted": wish.id, "school": people.school.id,
                "goal": goal.id, "notification": notification, "person": people.outsider.id,
                "api_token": api_token.id, "scim_token": scim_token.id,
                "partner": partner.id, "partner_person": partner_person.id,
                "ended_item": ended_item.id, "purchase_rule": purchase_rule.id,
                "disposition": ended.id},
        "stranger": stranger, "colleague": people.colleague,
    }


def _request(client, method, url, body, token=None):
    if url.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if body == "photo":
            return client.post(url, headers=headers, content_type="multipart/form-data",
                               data={"photo": (io.BytesIO(jpeg_bytes()), "x.jpg")})
        if method == "POST":
            return client.post(url, json=body, headers=headers)
        return client.get(url, headers=headers)
    if method == "POST":
        return client.submit(url, dict(body or {}))
    return client.get(url)


@pytest.mark.parametrize("endpoint", sorted(RULES))
def test_route_refuses_whoever_it_should(app, world, endpoint, db):
    method, template, body, stranger_gets, colleague_gets = RULES[endpoint]
    url = template.format(**world["ids"])
    api = url.startswith("/api/")

    anonymous = _request(app.test_client(), method, url, body)
    if api:
        assert anonymous.status_code == 401, "anonymous"
    else:
        assert anonymous.status_code == 302, "anonymous"
        assert anonymous.headers["Location"].startswith("/login"), "anonymous"

    for who, expected in (("stranger", stranger_gets), ("colleague", colleague_gets)):
        user = world[who]
        client = app.test_client()
        token = None
        if api:
            _, token = tokens.create_token(user, "authz")
            db.session.commit()
        else:
            client.submit("/login", {"email": user.email,
                                     "password": "riktig-hest-batteri-stift"})
        response = _request(client, method, url, body, token)
        assert response.status_code == expected, (who, response.get_data(as_text=True)[:300])

    if api:
        user = world["colleague"]
        token_row, plain = tokens.create_token(user, "to be revoked")
        tokens.revoke_token(token_row.id)
        db.session.commit()
        revoked = _request(app.test_client(), method, url, body, plain)
        assert revoked.status_code == 401, "revoked token"


def test_member_instead_of_unit_admin_is_refused_where_it_matters(app, world, people, db):
    """The lister's colleague is a plain member: approving needs the lister or a unit admin."""
    admin_client = app.test_client()
    admin_client.submit("/login", {"email": people.unit_admin.email,
                                   "password": "riktig-hest-batteri-stift"})
    assert admin_client.submit(f"/claims/{world['ids']['claim']}/approve").status_code == 302
    assert people.unit_admin.role == Role.UNIT_ADMIN
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == people.unit_admin.id)) \
        is None


@pytest.mark.parametrize("path", ["/scim/v2/Users", "/scim/v2/ServiceProviderConfig",
                                  "/scim/v2/Schemas", "/scim/v2/ResourceTypes"])
def test_a_signed_in_admin_cannot_provision(app, people, log_in, client, path):
    log_in(people.admin)
    response = client.get(path)
    assert response.status_code == 401
    assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
