"""Provisioning over SCIM 2.0, as Entra ID does it: create, find, change, deactivate, delete."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from reuse.models import AuditEvent, Role, User, utcnow
from reuse.services import provisioning, scim_tokens, units, users

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim(app, db):
    """A client of /scim/v2 holding a provisioning token."""
    _, plain = scim_tokens.create_token(None, "Entra ID")
    db.session.commit()

    class Scim:
        token = plain
        client = app.test_client()

        def call(self, method, path, body=None, token=None, raw=None):
            headers = {"Authorization": f"Bearer {token or self.token}",
                       "Content-Type": "application/scim+json"}
            data = raw if raw is not None else (json.dumps(body) if body is not None else None)
            return self.client.open(f"/scim/v2{path}", method=method, data=data,
                                    headers=headers)

        def get(self, path, **kw):
            return self.call("GET", path, **kw)

        def post(self, path, body, **kw):
            return self.call("POST", path, body, **kw)

        def put(self, path, body):
            return self.call("PUT", path, body)

        def patch(self, path, *operations):
            return self.call("PATCH", path, {"schemas": [PATCH], "Operations": list(operations)})

        def delete(self, path):
            return self.call("DELETE", path)

    return Scim()


@pytest.fixture
def school(db):
    unit = units.create_unit(name="Nordnes skole", code="42001")
    db.session.commit()
    return unit


def entra_user(email="Ola.Nordmann@Bergen.example", department="42001", **extra):
    """What Entra ID sends to create a person (its default attribute mapping)."""
    body = {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "f3b1c2d4-0000-4000-8000-000000000001",
        "userName": email,
        "active": True,
        "displayName": "Ola Nordmann",
        "emails": [{"primary": True, "type": "work", "value": email}],
        "name": {"formatted": "Ola Nordmann", "familyName": "Nordmann", "givenName": "Ola"},
        ENTERPRISE: {"department": department},
    }
    body.update(extra)
    return body


def assert_scim_error(response, status, scim_type=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/scim+json"
    body = response.get_json(force=True)
    assert body["schemas"] == [ERROR] and body["status"] == str(status)
    if scim_type:
        assert body["scimType"] == scim_type, body
    return body


def create(scim, **kw):
    response = scim.post("/Users", entra_user(**kw))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json(force=True)


def scim_events(db, action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- create, get, find ------------------------------------------------------------------------

def test_entra_creates_a_passwordless_member_in_the_department_unit(scim, school, db):
    # Their first single sign-on binds this account: tests/test_oidc.py, "provisioned over SCIM".
    response = scim.post("/Users", entra_user())
    assert response.status_code == 201
    assert response.mimetype == "application/scim+json"
    body = response.get_json(force=True)
    assert body["userName"] == "ola.nordmann@bergen.example"
    assert body["displayName"] == "Ola Nordmann" and body["active"] is True
    assert body[ENTERPRISE]["department"] == "42001"
    assert response.headers["Location"] == f"https://gjenbruk.test/scim/v2/Users/{body['id']}"
    user = db.session.get(User, int(body["id"]))
    assert user.email == "ola.nordmann@bergen.example" and user.unit == school
    assert user.role == Role.MEMBER.value and user.password_hash == ""
    assert user.scim_external_id == "f3b1c2d4-0000-4000-8000-000000000001"
    event = scim_events(db, "user.provisioned")[0]
    assert event.actor_id is None and '"via": "scim"' in event.details

    fetched = scim.get(f"/Users/{body['id']}")
    assert fetched.status_code == 200 and fetched.get_json(force=True)["id"] == body["id"]


def test_name_comes_from_given_and_family_name_without_display_name(scim, school, db):
    body = entra_user()
    del body["displayName"]
    body["name"] = {"givenName": "Kari", "familyName": "Hansen"}
    created = scim.post("/Users", body).get_json(force=True)
    assert created["displayName"] == "Kari Hansen"


def test_the_same_address_or_external_id_twice_is_a_uniqueness_conflict(scim, school):
    create(scim)
    assert_scim_error(scim.post("/Users", entra_user(email="OLA.NORDMANN@bergen.example")),
                      409, "uniqueness")
    assert_scim_error(scim.post("/Users", entra_user(email="other@bergen.example")),
                      409, "uniqueness")


def test_filter_by_user_name_and_external_id(scim, school, people):
    created = create(scim)
    found = scim.get('/Users?filter=userName eq "Ola.Nordmann@bergen.example"')
    body = found.get_json(force=True)
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["totalResults"] == 1 and body["Resources"][0]["id"] == created["id"]
    by_external = scim.get('/Users?filter=externalId eq "f3b1c2d4-0000-4000-8000-000000000001"')
    assert by_external.get_json(force=True)["Resources"][0]["id"] == created["id"]
    nobody = scim.get('/Users?filter=userName eq "nobody@bergen.example"').get_json(force=True)
    assert nobody["totalResults"] == 0 and nobody.get("Resources", []) == []


def test_paging_with_start_index_and_a_capped_count(scim, school, people, monkeypatch):
    everyone = scim.get("/Users").get_json(force=True)
    assert everyone["totalResults"] == 5  # the people fixture's accounts
    page = scim.get("/Users?startIndex=3&count=2").get_json(force=True)
    assert page["startIndex"] == 3 and page["itemsPerPage"] == 2
    assert [r["id"] for r in page["Resources"]] == [r["id"] for r in everyone["Resources"][2:4]]
    assert scim.get("/Users?count=0").get_json(force=True)["totalResults"] == 5
    monkeypatch.setattr(provisioning, "MAX_PAGE", 3)
    capped = scim.get("/Users?count=100000").get_json(force=True)
    assert capped["itemsPerPage"] == 3 and capped["totalResults"] == 5


# -- replace and the PATCH forms Entra sends ------------------------------------------------

def test_put_replaces_name_address_and_unit(scim, school, db):
    kindergarten = units.create_unit(name="Landås barnehage", code="43001")
    db.session.commit()
    created = create(scim)
    body = entra_user(email="ola.n@bergen.example", department="Landås barnehage",
                      displayName="Ola N. Nordmann")
    body["id"] = created["id"]
    response = scim.put(f"/Users/{created['id']}", body)
    assert response.status_code == 200, response.get_data(as_text=True)
    user = db.session.get(User, int(created["id"]))
    assert (user.email, user.name, user.unit) == ("ola.n@bergen.example", "Ola N. Nordmann",
                                                  kindergarten)


@pytest.mark.parametrize("value", ["False", False, "false"])
def test_patch_replace_active_false_deactivates(scim, school, db, value):
    created = create(scim)
    response = scim.patch(f"/Users/{created['id']}",
                          {"op": "Replace", "path": "active", "value": value})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json(force=True)["active"] is False
    assert db.session.get(User, int(created["id"])).active is False


def test_patch_without_path_with_enterprise_and_name_keys(scim, school, db):
    other = units.create_unit(name="Bergen rådhus", code="10001")
    db.session.commit()
    created = create(scim)
    response = scim.patch(f"/Users/{created['id']}", {"op": "Replace", "value": {
        "displayName": "Ola Fjell",
        "name.givenName": "Ola",
        "name.familyName": "Fjell",
        "externalId": "new-object-id",
        f"{ENTERPRISE}:department": "10001",
    }})
    assert response.status_code == 200, response.get_data(as_text=True)
    user = db.session.get(User, int(created["id"]))
    assert (user.name, user.unit, user.scim_external_id) == ("Ola Fjell", other,
                                                             "new-object-id")


def test_patch_add_work_email_and_names_with_paths(scim, school, db):
    created = create(scim)
    response = scim.patch(
        f"/Users/{created['id']}",
        {"op": "Add", "path": 'emails[type eq "work"].value', "value": "ola@bergen.example"},
        {"op": "Add", "path": "name.givenName", "value": "Ola"},
        {"op": "Replace", "path": "name.familyName", "value": "Berg"},
        {"op": "Replace", "path": "displayName", "value": "Ola Berg"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "42001"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    user = db.session.get(User, int(created["id"]))
    # userName is the address; a lone familyName change does not rename, displayName does.
    assert (user.email, user.name) == ("ola.nordmann@bergen.example", "Ola Berg")


def test_a_lone_family_name_change_keeps_the_whole_name(scim, school, db):
    created = create(scim)
    scim.patch(f"/Users/{created['id']}",
               {"op": "Replace", "path": "name.familyName", "value": "Fjell"})
    assert db.session.get(User, int(created["id"])).name == "Ola Nordmann"


def test_deactivation_ends_the_session_and_the_api_token_at_once(scim, school, db, client,
                                                                 log_in, api, people):
    member = people.member
    person_api = api(member)
    log_in(member)
    assert client.get("/").status_code == 200
    assert person_api.get("/api/v1/categories").status_code == 200
    response = scim.patch(f"/Users/{member.id}",
                          {"op": "Replace", "path": "active", "value": "False"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302
    assert person_api.get("/api/v1/categories").status_code == 401
    assert scim_events(db, "user.deactivated")[0].details == '{"via": "scim"}'

    reactivated = scim.patch(f"/Users/{member.id}",
                             {"op": "Replace", "path": "active", "value": True})
    assert reactivated.get_json(force=True)["active"] is True
    db.session.expire_all()
    assert db.session.get(User, member.id).active is True
    assert scim_events(db, "user.reactivated")[0].actor_id is None
    # Nothing issued before the deactivation comes back to life.
    assert person_api.get("/api/v1/categories").status_code == 401


def test_delete_deactivates_detaches_and_keeps_the_name(scim, school, db):
    created = create(scim)
    assert scim.delete(f"/Users/{created['id']}").status_code == 204
    user = db.session.get(User, int(created["id"]))
    assert user.active is False and user.name == "Ola Nordmann"
    assert_scim_error(scim.get(f"/Users/{created['id']}"), 404)
    assert_scim_error(scim.delete(f"/Users/{created['id']}"), 404)
    assert scim.get('/Users?filter=userName eq "ola.nordmann@bergen.example"') \
        .get_json(force=True)["totalResults"] == 0
    # Provisioned again: the same account (and its history) comes back, active.
    again = create(scim)
    assert again["id"] == created["id"] and again["active"] is True


# -- units ----------------------------------------------------------------------------------

def test_department_matches_unit_code_before_name_and_skips_closed_units(scim, db):
    by_code = units.create_unit(name="Årstad skole", code="Sandsli")
    by_name = units.create_unit(name="Sandsli")
    closed = units.create_unit(name="Gamle Fana", code="99999")
    closed.closed_at = utcnow()
    db.session.commit()
    created = create(scim, department="Sandsli")
    assert db.session.get(User, int(created["id"])).unit == by_code
    named = create(scim, email="b@bergen.example", department="Sandsli ",
                   externalId="b")
    assert db.session.get(User, int(named["id"])).unit == by_code
    by_code.code = "50000"
    db.session.commit()
    third = create(scim, email="c@bergen.example", department="Sandsli", externalId="c")
    assert db.session.get(User, int(third["id"])).unit == by_name
    body = assert_scim_error(scim.post("/Users", entra_user(email="d@bergen.example",
                                                            department="99999",
                                                            externalId="d")),
                             400, "invalidValue")
    assert "99999" in body["detail"]


def test_an_unknown_department_uses_the_default_unit_when_one_is_set(scim, school, app, db):
    assert_scim_error(scim.post("/Users", entra_user(department="Ukjent etat")), 400,
                      "invalidValue")
    app.config["SCIM_DEFAULT_UNIT"] = "42001"
    try:
        created = create(scim, department="Ukjent etat")
    finally:
        app.config["SCIM_DEFAULT_UNIT"] = ""
    assert db.session.get(User, int(created["id"])).unit == school


def test_an_unknown_department_on_a_change_keeps_the_unit_and_says_so(scim, school, db):
    created = create(scim)
    response = scim.patch(
        f"/Users/{created['id']}",
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Ny etat"},
        {"op": "Replace", "path": "active", "value": "False"})
    assert response.status_code == 200
    user = db.session.get(User, int(created["id"]))
    assert user.unit == school and user.active is False  # the deactivation still happened
    assert "Ny etat" in scim_events(db, "user.provisioning_unit_unknown")[0].details


def test_a_unit_admin_moved_to_another_unit_becomes_a_member(scim, people, db):
    people.school.code = "42001"
    units.create_unit(name="Bergen rådhus", code="10001")
    db.session.commit()
    response = scim.patch(f"/Users/{people.unit_admin.id}",
                          {"op": "Replace", "path": f"{ENTERPRISE}:department",
                           "value": "10001"})
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(User, people.unit_admin.id).role == Role.MEMBER.value


def test_a_move_ends_the_sessions_and_is_written_to_the_audit_trail(scim, people, db, client,
                                                                    log_in):
    people.school.code = "42001"
    town_hall = units.create_unit(name="Bergen rådhus", code="10001")
    db.session.commit()
    log_in(people.member)
    assert client.get("/").status_code == 200
    response = scim.patch(f"/Users/{people.member.id}",
                          {"op": "Replace", "path": f"{ENTERPRISE}:department",
                           "value": "10001"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302  # what they may see followed the old unit
    [event] = scim_events(db, "user.unit_changed")
    assert event.actor_id is None and json.loads(event.details)["after"] == town_hall.id


# -- refusals: SCIM errors, never a page or a 500 ---------------------------------------------

def test_bad_json_unknown_attributes_and_bad_filters_are_scim_400s(scim, school):
    assert_scim_error(scim.call("POST", "/Users", raw="{not json"), 400, "invalidSyntax")
    assert_scim_error(scim.call("POST", "/Users", raw="[1]"), 400, "invalidSyntax")
    assert_scim_error(scim.post("/Users", entra_user(shoeSize=44)), 400)
    assert_scim_error(scim.post("/Users", entra_user(email="not an address")), 400,
                      "invalidValue")
    assert_scim_error(scim.get('/Users?filter=displayName co "Ola"'), 400, "invalidFilter")
    assert_scim_error(scim.get("/Users?filter=userName eq"), 400, "invalidFilter")
    assert_scim_error(scim.get("/Users?startIndex=x"), 400, "invalidValue")
    created = create(scim)
    assert_scim_error(scim.patch(f"/Users/{created['id']}",
                                 {"op": "Frobnicate", "path": "active", "value": True}), 400)
    assert_scim_error(scim.patch(f"/Users/{created['id']}",
                                 {"op": "Replace", "path": "shoeSize", "value": 44}), 400)
    assert_scim_error(scim.call("PATCH", f"/Users/{created['id']}", {"Operations": "x"}), 400)


def test_unknown_ids_routes_and_methods_are_scim_errors(scim):
    assert_scim_error(scim.get("/Users/99999"), 404)
    assert_scim_error(scim.get("/Users/abc"), 404)
    assert_scim_error(scim.get("/Users/99999999999999999999"), 404)
    assert_scim_error(scim.get("/Groups"), 404)
    assert_scim_error(scim.call("POST", "/ServiceProviderConfig", {}), 405)


def test_only_a_provisioning_token_opens_scim(scim, app, db, api, people, client, log_in):
    assert_scim_error(scim.client.get("/scim/v2/Users"), 401)
    assert_scim_error(scim.get("/Users", token="reuse_scim_wrong"), 401)
    assert_scim_error(scim.get("/Users", token=api(people.admin).token), 401)
    log_in(people.admin)
    assert_scim_error(client.get("/scim/v2/Users"), 401)
    # ... and a provisioning token opens nothing in the API.
    response = app.test_client().get("/api/v1/categories",
                                     headers={"Authorization": f"Bearer {scim.token}"})
    assert response.status_code == 401
    token = scim_tokens.all_tokens()[0]
    scim_tokens.revoke_token(token.id)
    db.session.commit()
    assert_scim_error(scim.get("/Users"), 401)


def test_discovery_endpoints(scim):
    config = scim.get("/ServiceProviderConfig").get_json(force=True)
    assert config["patch"]["supported"] is True and config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 100}
    types = scim.get("/ResourceTypes").get_json(force=True)
    assert [t["name"] for t in types["Resources"]] == ["User"]
    assert types["Resources"][0]["schemaExtensions"][0]["schema"] == ENTERPRISE
    schemas = scim.get("/Schemas").get_json(force=True)
    assert {s["id"] for s in schemas["Resources"]} == {CORE, ENTERPRISE}
    assert scim.get(f"/Schemas/{CORE}").status_code == 200


def test_create_scim_token_prints_the_token_last(runner, db):
    result = runner.invoke(args=["create-scim-token", "--label", "Entra ID"])
    assert result.exit_code == 0, result.output
    plain = result.output.split()[-1]
    assert scim_tokens.authenticate(plain).label == "Entra ID"


# -- accounts managed in the application, reactivation, anonymised accounts -----------------

def _managed(people, make_user, role):
    return people.admin if role == Role.ADMIN else make_user(people.school, role,
                                                             name="Siri Bærekraft")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUSTAINABILITY])
def test_an_admin_or_sustainability_account_cannot_be_readdressed_or_changed(
        scim, people, db, make_user, role):
    person = _managed(people, make_user, role)
    email, name, unit_id = person.email, person.name, person.unit_id
    units.create_unit(name="Bergen rådhus", code="10001")
    db.session.commit()
    body = assert_scim_error(scim.put(f"/Users/{person.id}", {
        "schemas": [CORE], "userName": "attacker@evil.example", "active": True}), 403)
    assert "administrator" in body["detail"]
    for operation in [{"op": "Replace", "path": "userName", "value": "attacker@evil.example"},
                      {"op": "Replace", "path": "displayName", "value": "Noen andre"},
                      {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "10001"}]:
        assert_scim_error(scim.patch(f"/Users/{person.id}", operation), 403)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert (person.email, person.name, person.unit_id) == (email, name, unit_id)
    # A forgotten password still goes to the person's own address.
    assert users.find_by_email("attacker@evil.example") is None
    # Sending what the account already holds changes nothing and is no refusal.
    same = scim.put(f"/Users/{person.id}", {"schemas": [CORE], "userName": email,
                                             "displayName": name, "active": True})
    assert same.status_code == 200, same.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUSTAINABILITY])
def test_provisioning_deactivates_an_admin_but_never_reactivates_one(
        scim, people, db, make_user, role):
    person = _managed(people, make_user, role)
    # A leaver loses access, even when the request also carries another change.
    response = scim.patch(f"/Users/{person.id}",
                          {"op": "Replace", "path": "displayName", "value": "Noen andre"},
                          {"op": "Replace", "path": "active", "value": False})
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    person = db.session.get(User, person.id)
    assert person.active is False and person.name != "Noen andre"
    assert_scim_error(scim.patch(f"/Users/{person.id}",
                                 {"op": "Replace", "path": "active", "value": True}), 403)
    db.session.expire_all()
    assert db.session.get(User, person.id).active is False


def test_provisioning_reactivates_only_what_provisioning_deactivated(scim, people, db):
    member = people.member
    users.deactivate(member, by=people.unit_admin)  # closed on purpose by an administrator
    db.session.commit()
    body = assert_scim_error(scim.patch(f"/Users/{member.id}",
                                        {"op": "Replace", "path": "active", "value": True}), 403)
    assert "administrator" in body["detail"]
    db.session.expire_all()
    assert db.session.get(User, member.id).active is False
    # Closed from the command line (no administrator named): the same.
    users.reactivate(member, by=people.unit_admin)
    users.deactivate(member)
    db.session.commit()
    assert_scim_error(scim.patch(f"/Users/{member.id}",
                                 {"op": "Replace", "path": "active", "value": True}), 403)
    # Closed by provisioning: provisioning opens it again.
    users.reactivate(member, by=people.unit_admin)
    db.session.commit()
    assert scim.patch(f"/Users/{member.id}",
                      {"op": "Replace", "path": "active", "value": False}).status_code == 200
    assert scim.patch(f"/Users/{member.id}",
                      {"op": "Replace", "path": "active", "value": True}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, member.id).active is True


def test_a_new_address_ends_sessions_and_earlier_reset_links(scim, people, db, client, log_in):
    member = people.member
    log_in(member)
    assert client.get("/").status_code == 200
    link = users.password_reset_token(member)
    response = scim.patch(f"/Users/{member.id}",
                          {"op": "Replace", "path": "userName", "value": "kari.ny@bergen.example"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).email == "kari.ny@bergen.example"
    assert users.user_for_reset_token(link) is None


def test_an_anonymised_account_is_gone_for_provisioning(scim, school, db):
    created = create(scim)
    user = db.session.get(User, int(created["id"]))
    users.anonymise(user)
    db.session.commit()
    path = f"/Users/{created['id']}"
    assert_scim_error(scim.get(path), 404)
    assert_scim_error(scim.put(path, entra_user()), 404)
    assert_scim_error(scim.patch(path, {"op": "Replace", "path": "active", "value": True}), 404)
    assert_scim_error(scim.delete(path), 404)
    listed = scim.get("/Users").get_json(force=True)
    assert listed["totalResults"] == 0 and listed.get("Resources", []) == []
    db.session.expire_all()
    user = db.session.get(User, int(created["id"]))
    assert users.is_anonymised(user) and user.active is False and user.scim_deleted_at is None


# -- bad input is a SCIM 400 (or 404), never a 500, on SQLite and PostgreSQL ------------------

@pytest.mark.parametrize("path, status, scim_type", [
    ('/Users?filter=userName eq "\\x"', 400, "invalidFilter"),
    ('/Users?filter=userName eq "a\\u0000b"', 400, "invalidFilter"),
    ('/Users?filter=externalId eq "a\\u0000b"', 400, "invalidFilter"),
    ("/Users?startIndex=99999999999999999999999", 200, None),
    ("/Users?startIndex=9223372036854775807", 200, None),
    ("/Users?count=99999999999999999999999", 200, None),
    ("/Users?startIndex=" + "9" * 5000, 400, "invalidValue"),
    ("/Users/%C2%B2", 404, None),
    ("/Users/" + "9" * 5000, 404, None),
])
def test_bad_queries_and_ids_are_scim_answers(scim, school, path, status, scim_type):
    response = scim.get(path)
    if status == 200:
        assert response.status_code == 200, response.get_data(as_text=True)
        if "startIndex" in path:
            assert response.get_json(force=True).get("Resources", []) == []
    else:
        assert_scim_error(response, status, scim_type)


def test_a_deeply_nested_body_is_invalid_syntax(scim, school):
    created = create(scim)
    for method, path in [("POST", "/Users"), ("PUT", f"/Users/{created['id']}"),
                         ("PATCH", f"/Users/{created['id']}")]:
        assert_scim_error(scim.call(method, path, raw='{"a":' * 5000), 400, "invalidSyntax")


def test_a_control_character_in_the_department_is_invalid(scim, school):
    assert_scim_error(scim.post("/Users", entra_user(department="4200\u00001")), 400,
                      "invalidValue")
    created = create(scim)
    assert_scim_error(scim.patch(f"/Users/{created['id']}",
                                 {"op": "Replace", "path": f"{ENTERPRISE}:department",
                                  "value": "4200\u00001"}), 400, "invalidValue")


def test_a_name_longer_than_an_account_holds_is_invalid(scim, school):
    assert_scim_error(scim.post("/Users", entra_user(displayName="a" * 1000)), 400,
                      "invalidValue")
    created = create(scim)
    assert_scim_error(scim.put(f"/Users/{created['id']}", entra_user(displayName="a" * 1000)),
                      400, "invalidValue")
    assert_scim_error(scim.patch(f"/Users/{created['id']}",
                                 {"op": "Replace", "path": "displayName", "value": "a" * 1000}),
                      400, "invalidValue")
