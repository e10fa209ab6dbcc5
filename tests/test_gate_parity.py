"""One gate per object: every role, asked through the page and through the API, gets the same
answer for every object in every state (issue 13, "One gate per object").

The expected answers are written out in TABLE below, not derived from
reuse.services.permissions: a change of rule must be a deliberate edit of this table, and
the page and the API must both follow it. The verdicts are:

  Y  allowed (a page or its redirect without an error; API 200/201)
  N  refused (page 403, 404, a redirect to the login or with an error; API 401/403/404)
  C  refused because of the object's state (page 409, or the form shown again with the
     refusal; API 409/422)

A few actions exist in one channel only (editing and withdrawing have no API endpoint, the
list of reuse checks has no API list); those are asked where they exist.
"""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from reuse.clock import oslo_today
from reuse.models import Role
from reuse.services import checks, claims, items, photos, tokens, users, wanted
from tests.conftest import jpeg_bytes, login

ROLES = (
    "lister",            # a member of the owning unit who listed the item, made the check
                         # and owns the wanted request
    "member",            # a member of the owning unit, not the lister
    "unit_admin",        # a unit admin of the owning unit
    "claimant",          # a member of another unit, who made the claims
    "other_member",      # the claimant's colleague in that other unit
    "other_unit_admin",  # a unit admin of that other unit
    "sustainability",    # the sustainability lead, in a third unit
    "admin",             # an admin, in a fourth unit
    "deactivated",       # a member of the owning unit whose account was closed
)

# (object, state, action): one verdict per role, in the order of ROLES.
TABLE = {
    # Items: anyone sees what is not withdrawn; a withdrawn item only those who manage it.
    ("item", "listed", "view"):       "YYYYYYYYN",
    ("item", "withdrawn", "view"):    "YNYNNNNYN",
    ("item", "taken", "view"):        "YYYYYYYYN",
    ("item", "listed", "list"):       "YYYYYYYYN",
    ("item", "withdrawn", "list"):    "YNYNNNNYN",
    ("item", "taken", "list"):        "YYYYYYYYN",
    ("item", "listed", "edit"):       "YNYNNNNYN",
    ("item", "withdrawn", "edit"):    "CNCNNNNCN",
    ("item", "taken", "edit"):        "YNYNNNNYN",
    ("item", "listed", "withdraw"):   "YNYNNNNYN",
    ("item", "withdrawn", "withdraw"): "CNCNNNNCN",
    ("item", "taken", "withdraw"):    "YNYNNNNYN",
    ("item", "listed", "claim"):      "NNNYYYYYN",
    ("item", "withdrawn", "claim"):   "NNNNNNNCN",
    ("item", "taken", "claim"):       "NNNCCCCCN",
    # Photos: exactly as their item.
    ("photo", "listed", "view"):      "YYYYYYYYN",
    ("photo", "withdrawn", "view"):   "YNYNNNNYN",
    # Claims: both units' people and admins see them; the lead does not.
    ("claim", "pending", "view"):     "YYYYYYNYN",
    ("claim", "approved", "view"):    "YYYYYYNYN",
    ("claim", "collected", "view"):   "YYYYYYNYN",
    ("claim", "declined", "view"):    "YYYYYYNYN",
    ("claim", "pending", "list"):     "YYYYNNNNN",
    ("claim", "collected", "list"):   "YYYYNNNNN",
    ("claim", "pending", "approve"):  "YNYNNNNYN",
    ("claim", "approved", "approve"): "CNCNNNNCN",
    ("claim", "collected", "approve"): "CNCNNNNCN",
    ("claim", "declined", "approve"): "CNCNNNNCN",
    ("claim", "pending", "decline"):  "YNYNNNNYN",
    ("claim", "approved", "decline"): "CNCNNNNCN",
    ("claim", "declined", "decline"): "CNCNNNNCN",
    ("claim", "pending", "cancel"):   "NNNYNNNNN",
    ("claim", "approved", "cancel"):  "NNNYNNNNN",
    ("claim", "collected", "cancel"): "NNNCNNNNN",
    ("claim", "declined", "cancel"):  "NNNCNNNNN",
    ("claim", "pending", "collect"):  "CCCCNNNCN",
    ("claim", "approved", "collect"): "YYYYNNNYN",
    ("claim", "collected", "collect"): "CCCCNNNCN",
    ("claim", "declined", "collect"): "CCCCNNNCN",
    # Reuse checks: the author, the unit's admins, the lead and admins see; the author closes.
    ("check", "open", "view"):        "YNYNNNYYN",
    ("check", "closed", "view"):      "YNYNNNYYN",
    ("check", "open", "list"):        "YNYNNNYYN",
    ("check", "closed", "list"):      "YNYNNNYYN",
    ("check", "open", "close"):       "YNNNNNNNN",
    ("check", "closed", "close"):     "CNNNNNNNN",
    # Wanted requests: their owner's alone.
    ("wanted", "active", "list"):     "YNNNNNNNN",
    ("wanted", "closed", "list"):     "YNNNNNNNN",
    ("wanted", "active", "close"):    "YNNNNNNNN",
    ("wanted", "closed", "close"):    "CNNNNNNNN",
    ("wanted", "active", "renew"):    "YNNNNNNNN",
    ("wanted", "closed", "renew"):    "YNNNNNNNN",
}

OBJECTS = {
    "item": ("listed", "withdrawn", "taken"),
    "photo": ("listed", "withdrawn"),
    "claim": ("pending", "approved", "collected", "declined"),
    "check": ("open", "closed"),
    "wanted": ("active", "closed"),
}


def test_the_table_covers_every_object_state_and_role():
    for (kind, state, _action), verdicts in TABLE.items():
        assert state in OBJECTS[kind]
        assert len(verdicts) == len(ROLES) and set(verdicts) <= set("YNC")
    for kind, states in OBJECTS.items():
        for state in states:
            assert any(key[:2] == (kind, state) for key in TABLE), (kind, state)


# -- the people and their two ways in -----------------------------------------------------------

class Person:
    """One role's browser session and API token."""

    def __init__(self, app, user):
        self.user = user
        self.page = app.test_client()
        assert login(self.page, user).status_code == 302
        _, self.token = tokens.create_token(user, "parity")
        self.api = app.test_client()

    def ask_page(self, method: str, path: str, data: dict | None = None):
        with self.page.session_transaction() as session:
            session.pop("_flashes", None)
        if method == "GET":
            return self.page.get(path)
        return self.page.submit(path, data or {})

    def ask_api(self, method: str, path: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {self.token}"}
        if method == "GET":
            return self.api.get(path, headers=headers)
        return self.api.post(path, json=body if body is not None else {}, headers=headers)

    def page_verdict(self, method: str, response) -> str:
        status = response.status_code
        if status == 302:
            if urlsplit(response.headers["Location"]).path == "/login":
                return "N"
            with self.page.session_transaction() as session:
                flashed = [category for category, _ in session.get("_flashes", [])]
            return "C" if "danger" in flashed else "Y"
        if status in (403, 404):
            return "N"
        if status in (409, 422) or (status == 200 and method == "POST"):
            return "C"  # a successful form redirects; one shown again carries the refusal
        assert status == 200, (status, response.get_data(as_text=True)[:300])
        return "Y"


def api_verdict(response) -> str:
    status = response.status_code
    if status in (200, 201):
        return "Y"
    if status in (401, 403, 404):
        return "N"
    assert status in (409, 422), (status, response.get_data(as_text=True)[:300])
    return "C"


@pytest.fixture
def cast(app, people, make_user, make_unit, catalog, db) -> dict[str, Person]:
    users_by_role = {
        "lister": people.member, "member": people.colleague, "unit_admin": people.unit_admin,
        "claimant": people.outsider, "other_member": make_user(people.kindergarten),
        "other_unit_admin": make_user(people.kindergarten, Role.UNIT_ADMIN),
        "sustainability": make_user(make_unit("Klimaetaten"), Role.SUSTAINABILITY),
        "admin": people.admin, "deactivated": make_user(people.school),
    }
    cast = {role: Person(app, user) for role, user in users_by_role.items()}
    db.session.commit()
    users.deactivate(users_by_role["deactivated"])  # after its session and token began
    db.session.commit()
    return cast


# -- making each object in each state -----------------------------------------------------------

def make_object(kind: str, state: str, cast: dict[str, Person], make_item, db) -> dict:
    """A fresh object of that kind in that state; the ids and names the requests need."""
    lister, claimant = cast["lister"].user, cast["claimant"].user
    # Objects asked about before are done with: their open claims and wishes would only
    # count against the per-person limits.
    for claim in claims.claims_made_by(claimant):
        if claim.is_open:
            claims.cancel(claimant, claim)
    for request in wanted.requests_of(lister):
        if request.closed_at is None:
            wanted.close_request(lister, request)
    if kind in ("item", "photo"):
        item = make_item(lister, title="Kontorstol", quantity=2)
        [photo] = photos.add_photos(lister, item, [photos.Upload(
            io.BytesIO(jpeg_bytes(size=(64, 48))), "stol.jpg")])
        if state == "withdrawn":
            items.withdraw_item(lister, item)
        elif state == "taken":
            claims.claim_item(claimant, item, 2)
        db.session.commit()
        return {"item": item.id, "category": item.category_id, "thumbnail":
                photo.thumbnail_filename}
    if kind == "claim":
        item = make_item(lister, title="Kontorstol", quantity=5)
        claim = claims.claim_item(claimant, item, 1)
        if state in ("approved", "collected"):
            claims.approve(lister, claim)
        if state == "collected":
            claims.collect(claimant, claim, replaces_purchase=True)
        if state == "declined":
            claims.decline(lister, claim)
        db.session.commit()
        return {"claim": claim.id}
    if kind == "check":
        check = checks.create_check(lister, "stoler")
        if state == "closed":
            checks.record_bought_new(lister, check, "nothing_suitable")
        db.session.commit()
        return {"check": check.id}
    request = wanted.create_request(lister, words="sofa")
    if state == "closed":
        wanted.close_request(lister, request)
    db.session.commit()
    return {"wanted": request.id}


# -- asking: each action through the page and through the API -----------------------------------

def _listed(html_or_ids, needle) -> str:
    return "Y" if needle in html_or_ids else "N"


def ask(person: Person, role: str, kind: str, action: str, ids: dict,
        channel: str) -> list[str]:
    """The verdicts of one channel ("page" or "api") for one person: none where the channel
    has no such action, two where two pages list the same objects."""
    if action == "list":
        return ask_list(person, role, kind, ids, channel)
    if kind == "photo":
        path = f"/photos/{ids['thumbnail']}"
        if channel == "page":
            return [person.page_verdict("GET", person.ask_page("GET", path))]
        return [api_verdict(person.ask_api("GET", path))]
    page_call, api_call = ROUTES[(kind, action)]
    if channel == "page":
        if page_call is None:
            return []
        method, path, data = page_call(ids)
        return [person.page_verdict(method, person.ask_page(method, path, data))]
    if api_call is None:
        return []
    method, path, body = api_call(ids)
    return [api_verdict(person.ask_api(method, path, body))]


def ask_list(person, role, kind, ids, channel) -> list[str]:
    def page_html(path):
        response = person.ask_page("GET", path)
        return response.get_data(as_text=True) if response.status_code == 200 else ""

    def api_json(path):
        response = person.ask_api("GET", path)
        return response.get_json() if response.status_code == 200 else {}

    if kind == "item":
        if channel == "api":
            return [_listed([i["id"] for i in api_json("/api/v1/items?status=all&per_page=100")
                             .get("items", [])], ids["item"])]
        # The page that lists items in every state is the unit's own list.
        if role not in ("lister", "member", "unit_admin", "deactivated"):
            return []
        return [_listed(page_html("/my-unit/items"), f'href="/items/{ids["item"]}"')]
    if kind == "claim":
        if channel == "api":
            return [_listed([c["id"] for scope in ("mine", "incoming")
                             for c in api_json(f"/api/v1/claims?scope={scope}")
                             .get("claims", [])], ids["claim"])]
        # The unit's incoming claims are in two tabs: waiting for an answer, and answered.
        return [_listed(page_html("/claims") + page_html("/claims/incoming")
                        + page_html("/claims/incoming?tab=answered"),
                        f'href="/claims/{ids["claim"]}"')]
    if kind == "check":
        if channel == "api":
            return []  # the API has no list of checks
        today = oslo_today()
        period = f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"
        needle = f'href="/checks/{ids["check"]}"'
        return [_listed(page_html("/checks"), needle),
                _listed(page_html(f"/reports/checks?{period}&unit={ids['unit']}"), needle)]
    if channel == "api":
        return [_listed([w["id"] for w in api_json("/api/v1/wanted").get("wanted", [])],
                        ids["wanted"])]
    return [_listed(page_html("/wanted"), f'/wanted/{ids["wanted"]}/renew"')]


def _item_form(ids) -> dict:
    return {"title": "Kontorstol, grå", "category_id": str(ids["category"]),
            "condition": "good", "quantity": "2", "location_address": "Rådhusgaten 10",
            "internal_until": ""}


ROUTES = {
    ("item", "view"): (lambda ids: ("GET", f"/items/{ids['item']}", None),
                       lambda ids: ("GET", f"/api/v1/items/{ids['item']}", None)),
    ("item", "edit"): (lambda ids: ("POST", f"/items/{ids['item']}/edit", _item_form(ids)),
                       None),
    ("item", "withdraw"): (lambda ids: ("POST", f"/items/{ids['item']}/withdraw",
                                        {"confirm": "yes"}), None),
    ("item", "claim"): (lambda ids: ("POST", f"/items/{ids['item']}/claim", {"quantity": "1"}),
                        lambda ids: ("POST", f"/api/v1/items/{ids['item']}/claims",
                                     {"quantity": 1})),
    ("claim", "view"): (lambda ids: ("GET", f"/claims/{ids['claim']}", None),
                        lambda ids: ("GET", f"/api/v1/claims/{ids['claim']}", None)),
    # The page asks why before declining and for a confirmation before cancelling.
    **{("claim", verb): (
        lambda ids, verb=verb, form=form: ("POST", f"/claims/{ids['claim']}/{verb}", form),
        lambda ids, verb=verb: ("POST", f"/api/v1/claims/{ids['claim']}/{verb}", {}))
       for verb, form in (("approve", {}), ("decline", {"reason": "already_given"}),
                          ("cancel", {"confirm": "yes"}))},
    ("claim", "collect"): (
        lambda ids: ("POST", f"/claims/{ids['claim']}/collect", {"replaces_purchase": "yes"}),
        lambda ids: ("POST", f"/api/v1/claims/{ids['claim']}/collect",
                     {"replaces_purchase": True})),
    ("check", "view"): (lambda ids: ("GET", f"/checks/{ids['check']}", None),
                        lambda ids: ("GET", f"/api/v1/reuse-checks/{ids['check']}", None)),
    ("check", "close"): (
        lambda ids: ("POST", f"/checks/{ids['check']}/bought-new",
                     {"reason": "nothing_suitable"}),
        lambda ids: ("POST", f"/api/v1/reuse-checks/{ids['check']}/outcome",
                     {"outcome": "bought_new", "reason": "nothing_suitable"})),
    **{("wanted", verb): (
        lambda ids, verb=verb: ("POST", f"/wanted/{ids['wanted']}/{verb}", {}),
        lambda ids, verb=verb: ("POST", f"/api/v1/wanted/{ids['wanted']}/{verb}", {}))
       for verb in ("close", "renew")},
}


@pytest.mark.parametrize("kind", sorted(OBJECTS))
def test_page_and_api_give_every_role_the_answer_in_the_table(kind, cast, people, make_item,
                                                              db):
    wrong = []

    def fresh(state):
        return dict(make_object(kind, state, cast, make_item, db), unit=people.school.id)

    for (row_kind, state, action), verdicts in TABLE.items():
        if row_kind != kind:
            continue
        ids = fresh(state)
        for role, expected in zip(ROLES, verdicts, strict=True):
            answers = {}
            for channel in ("page", "api"):
                answers[channel] = ask(cast[role], role, kind, action, ids, channel)
                if "Y" in answers[channel] and action not in ("view", "list"):
                    ids = fresh(state)  # the action changed the object: ask on a new one
            if any(answer != expected for found in answers.values() for answer in found):
                wrong.append(f"{kind} {state} {action}: {role} expected {expected}, "
                             f"answered {answers}")
    assert not wrong, "\n".join(wrong)
