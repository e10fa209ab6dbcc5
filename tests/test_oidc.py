"""Single sign-on over real HTTP against a real OpenID provider (oidc-provider-mock).

The provider runs in a thread on localhost. The app is driven by Flask's test client; the
browser's trips to the provider (the authorization form, logout) go over HTTP with requests,
and so do the app's own calls to it (discovery, token endpoint, JWKS). Bad tokens the real
provider would never issue (a tampered signature, another audience or issuer, an expired
token, a rotated key) come from a small WSGI wrapper in front of it that rewrites the token
endpoint's answer and the JWKS it serves.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from werkzeug.wrappers import Request, Response

from reuse.models import AuditEvent, Notification, Role, User, utcnow
from reuse.services import provisioning, scim_tokens, sso, units
from reuse.web.auth.oidc import PENDING
from tests.conftest import PASSWORD, login, page_text

CLIENT_ID = "gjenbruk-test"
UNIT_CLAIM = "enhetskode"


class Wrapper:
    """WSGI middleware in front of the provider that can rewrite what it answers.

    `rewrite_id_token(claims) -> (claims, key)` re-signs the ID token with `key` (None: keep
    the provider's signature over the changed claims: a tampered token). `extra_keys` are
    served in the JWKS beside the provider's own once `serve_extra_keys` is set.
    """

    def __init__(self, app):
        self.app = app
        self.rewrite_id_token = None
        self.extra_keys: list[RSAKey] = []
        self.serve_extra_keys = False
        self.jwks_requests = 0

    def reset(self):
        self.rewrite_id_token = None
        self.extra_keys = []
        self.serve_extra_keys = False
        self.jwks_requests = 0

    def __call__(self, environ, start_response):
        path = Request(environ).path
        if path == "/jwks":
            self.jwks_requests += 1
        if path == "/jwks" and self.serve_extra_keys:
            response = Response.from_app(self.app, environ, buffered=True)
            keys = json.loads(response.get_data())
            keys["keys"] += [key.as_dict(private=False) for key in self.extra_keys]
            return Response(json.dumps(keys), mimetype="application/json")(environ,
                                                                          start_response)
        if path == "/oauth2/token" and self.rewrite_id_token is not None:
            response = Response.from_app(self.app, environ, buffered=True)
            body = json.loads(response.get_data())
            if "id_token" in body:
                body["id_token"] = self._rewritten(body["id_token"])
            return Response(json.dumps(body), status=response.status_code,
                            mimetype="application/json")(environ, start_response)
        return self.app(environ, start_response)

    def _rewritten(self, token: str) -> str:
        header_part, payload_part, signature = token.split(".")
        claims = json.loads(_b64decode(payload_part))
        claims, key = self.rewrite_id_token(dict(claims))
        if key is None:  # the provider's signature over other claims
            return ".".join([header_part, _b64encode(json.dumps(claims).encode()), signature])
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import app as provider_app

    wrapper = Wrapper(provider_app())
    server = werkzeug.serving.make_server("localhost", 0, wrapper, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    wrapper.issuer = f"http://localhost:{server.server_port}"
    yield wrapper
    server.shutdown()
    thread.join(5)
    server.server_close()


@pytest.fixture
def sso_app(app, provider):
    """The app configured for the provider; each test starts with fresh discovery."""
    saved = {name: app.config[name] for name in (
        "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_UNIT_CLAIM",
        "OIDC_TRUST_EMAIL", "OIDC_PROVISIONING_ID_CLAIM", "PASSWORD_LOGIN")}
    app.config.update(OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=CLIENT_ID,
                      OIDC_CLIENT_SECRET="hemmelig", OIDC_UNIT_CLAIM=UNIT_CLAIM)
    app.extensions.pop("reuse.oidc", None)
    provider.reset()
    yield app
    app.config.update(saved)
    app.extensions.pop("reuse.oidc", None)
    provider.reset()


@pytest.fixture
def school(db, people):
    people.school.code = "MOH"
    db.session.commit()
    return people.school


def set_claims(provider, sub: str, **claims):
    response = requests.put(f"{provider.issuer}/users/{sub}", json=claims, timeout=10)
    assert response.status_code == 204


def authorize(client, sub: str) -> str:
    """Start SSO in the app, sign in at the provider as `sub`; the callback path to visit."""
    start = client.get("/login/oidc")
    assert start.status_code == 302, start.get_data(as_text=True)
    authorization_url = start.headers["Location"]
    query = parse_qs(urlsplit(authorization_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    assert query["redirect_uri"] == ["https://gjenbruk.test/login/oidc/callback"]
    answer = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False,
                           timeout=10)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["Location"])
    assert callback.netloc == "gjenbruk.test"
    return f"{callback.path}?{callback.query}"


def sign_in(client, provider, sub: str):
    return client.get(authorize(client, sub))


def signed_in_user(client, db) -> User | None:
    with client.session_transaction() as session:
        user_id = session.get("_user_id")
    if not user_id:
        return None
    db.session.expire_all()
    return db.session.get(User, int(user_id.split(":")[0]))


def refusals(db, reason: str) -> list[AuditEvent]:
    db.session.expire_all()
    return [event for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "sso.refused"))
        if json.loads(event.details).get("reason") == reason]


def kari_claims(**overrides) -> dict:
    return {"email": "kari.sso@bergen.example", "email_verified": True,
            "name": "Kari Sso", UNIT_CLAIM: "MOH", **overrides}


# -- the happy path -----------------------------------------------------------------------

def test_first_sign_in_creates_the_account_from_the_claims_and_the_second_reuses_it(
        sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    response = sign_in(client, provider, "kari-sub")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = signed_in_user(client, db)
    assert (user.name, user.email, user.unit_id, user.role) == (
        "Kari Sso", "kari.sso@bergen.example", school.id, Role.MEMBER.value)
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, "kari-sub")
    assert user.password_hash == ""
    assert "Du er logget inn som Kari Sso" in page_text(client.get("/"))

    client.post("/logout", data={"csrf_token": client.csrf_token()})
    again = sign_in(client, provider, "kari-sub")
    assert again.status_code == 302
    assert signed_in_user(client, db).id == user.id
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.oidc_subject == "kari-sub")) == 1


def test_login_page_offers_the_municipal_account_and_keeps_the_password_form(
        sso_app, client):
    page = client.get("/login")
    text = page_text(page)
    assert "Logg inn med kommunekontoen" in text
    assert 'href="/login/oidc"' in page.get_data(as_text=True)
    assert 'name="password"' in page.get_data(as_text=True)


def test_without_configuration_there_is_no_sso(app, client):
    assert "kommunekontoen" not in page_text(client.get("/login"))
    assert client.get("/login/oidc").status_code == 404


# -- the unit --------------------------------------------------------------------------------

def test_without_a_known_unit_the_person_chooses_one_and_its_admins_are_told(
        sso_app, provider, client, db, people, make_unit):
    closed = make_unit("Nedlagt skole")
    closed.code = "GONE"
    closed.closed_at = utcnow()
    db.session.commit()
    set_claims(provider, "nils-sub", email="nils@bergen.example", email_verified=True,
               name="Nils Ny", **{UNIT_CLAIM: "GONE"})
    response = sign_in(client, provider, "nils-sub")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/oidc/unit"
    assert signed_in_user(client, db) is None

    page = client.get("/login/oidc/unit?q=m%C3%B8hlen")
    text = page_text(page)
    assert "Velg enheten din" in text and "Møhlenpris skole" in text
    assert "Landås barnehage" not in text and "Nedlagt skole" not in text
    # Nothing about the person travels in the form: it is kept in the session.
    assert "nils@bergen.example" not in page.get_data(as_text=True)

    refused = client.submit("/login/oidc/unit", {"unit": str(closed.id)})
    assert "Velg en enhet fra listen." in page_text(refused)

    done = client.submit("/login/oidc/unit?q=m%C3%B8hlen", {"unit": str(people.school.id)})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    user = signed_in_user(client, db)
    assert (user.name, user.unit_id, user.oidc_subject) == ("Nils Ny", people.school.id,
                                                           "nils-sub")
    told = db.session.scalars(select(Notification).where(
        Notification.kind == sso.NEW_MEMBER)).all()
    assert [n.user_id for n in told] == [people.unit_admin.id]
    assert "Nils Ny" in told[0].subject and "Møhlenpris skole" in told[0].subject
    with client.session_transaction() as session:
        assert PENDING not in session


def test_claims_without_an_email_are_refused_before_the_person_chooses_a_unit(
        sso_app, provider, client, db, people):
    # A subject typed at oidc-provider-mock's form with no claims set: its e-mail claim is the
    # subject itself, not an address.
    response = sign_in(client, provider, "typed-sub")
    assert response.status_code == 400
    assert "Svaret fra kommunekontoen manglet opplysninger vi trenger." in page_text(response)
    assert [json.loads(event.details)["subject"] for event in refusals(db, "claims")] == [
        "typed-sub"]
    assert client.get("/login/oidc/unit").headers["Location"] == "/login"
    assert signed_in_user(client, db) is None


def test_a_unit_without_unit_admins_tells_the_admins(db, people, make_unit):
    lonely = make_unit("Ensom etat")
    identity = sso.Identity(issuer="https://idp.example", subject="s1", email="e@bergen.example",
                            email_verified=True, name="Eva Enslig")
    sso.create_account(identity, lonely, chosen=True)
    db.session.commit()
    told = db.session.scalars(select(Notification.user_id).where(
        Notification.kind == sso.NEW_MEMBER)).all()
    assert told == [people.admin.id]


def test_the_unit_page_without_a_pending_sign_in_goes_to_login(sso_app, client):
    response = client.get("/login/oidc/unit")
    assert response.status_code == 302 and response.headers["Location"] == "/login"


# -- refusals --------------------------------------------------------------------------------

def _refused(response, reason: str, db, status: int = 400) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert refusals(db, reason), f"no audit event for {reason}"
    return page_text(response)


def test_a_tampered_id_token_is_refused(sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    provider.rewrite_id_token = lambda claims: ({**claims, "sub": "someone-else"}, None)
    text = _refused(sign_in(client, provider, "kari-sub"), "signature", db)
    assert "ikke en gyldig signatur" in text
    assert signed_in_user(client, db) is None
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.oidc_subject.is_not(None))) == 0


def test_a_token_signed_by_a_key_the_provider_does_not_publish_is_refused(
        sso_app, provider, client, db, school):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "stranger"}, private=True)
    set_claims(provider, "kari-sub", **kari_claims())
    provider.rewrite_id_token = lambda claims: (claims, stranger)
    _refused(sign_in(client, provider, "kari-sub"), "signature", db)
    assert signed_in_user(client, db) is None


def _resigned(provider, change):
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
    provider.extra_keys = [key]
    provider.serve_extra_keys = True
    provider.rewrite_id_token = lambda claims: ({**claims, **change(claims)}, key)


@pytest.mark.parametrize(("change", "reason", "words"), [
    (lambda claims: {"aud": "another-service"}, "aud", "ment for en annen tjeneste"),
    (lambda claims: {"iss": "http://evil.example"}, "iss", "annen utsteder"),
    (lambda claims: {"exp": int(time.time()) - 600, "iat": int(time.time()) - 4200}, "exp",
     "var utløpt"),
    (lambda claims: {"nonce": "not-ours"}, "nonce", "hørte ikke til denne innloggingen"),
])
def test_a_validly_signed_token_with_a_wrong_claim_is_refused(
        sso_app, provider, client, db, school, change, reason, words):
    set_claims(provider, "kari-sub", **kari_claims())
    _resigned(provider, change)
    text = _refused(sign_in(client, provider, "kari-sub"), reason, db)
    assert words in text
    assert signed_in_user(client, db) is None


def test_the_same_token_re_signed_with_a_published_key_is_accepted(
        sso_app, provider, client, db, school):
    """The control for the tests above: only the changed claim made them fail."""
    set_claims(provider, "kari-sub", **kari_claims())
    _resigned(provider, lambda claims: {})
    assert sign_in(client, provider, "kari-sub").status_code == 302
    assert signed_in_user(client, db).oidc_subject == "kari-sub"


def test_a_rotated_signing_key_is_fetched_and_accepted(sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    assert sign_in(client, provider, "kari-sub").status_code == 302
    assert provider.jwks_requests == 1
    client.post("/logout", data={"csrf_token": client.csrf_token()})

    rotated = RSAKey.generate_key(2048, parameters={"kid": "rotated-2026"}, private=True)
    provider.extra_keys = [rotated]
    provider.serve_extra_keys = True
    provider.rewrite_id_token = lambda claims: (claims, rotated)
    response = sign_in(client, provider, "kari-sub")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert provider.jwks_requests == 2  # the unknown kid made the app fetch the JWKS again
    assert signed_in_user(client, db).oidc_subject == "kari-sub"


def test_a_second_use_of_the_callback_is_refused(sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    callback = authorize(client, "kari-sub")
    assert client.get(callback).status_code == 302
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    text = _refused(client.get(callback), "state", db)
    assert "allerede er brukt" in text
    assert signed_in_user(client, db) is None


def test_a_callback_without_state_is_refused(sso_app, client, db):
    _refused(client.get("/login/oidc/callback?code=abc"), "state", db)


def test_a_replayed_code_is_refused_by_the_provider(sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    first = urlsplit(authorize(client, "kari-sub"))
    assert client.get(f"{first.path}?{first.query}").status_code == 302
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    # A new sign-in started here (a valid state), answered with the old, used code.
    old_code = parse_qs(first.query)["code"][0]
    state = parse_qs(urlsplit(client.get("/login/oidc").headers["Location"]).query)["state"][0]
    text = _refused(client.get(f"/login/oidc/callback?code={old_code}&state={state}"),
                    "token_endpoint", db)
    assert "allerede brukt eller utløpt" in text
    assert signed_in_user(client, db) is None


def test_a_person_who_cancels_at_the_provider_gets_a_page(sso_app, provider, client, db):
    start = client.get("/login/oidc").headers["Location"]
    answer = requests.post(start, data={"action": "deny"}, allow_redirects=False, timeout=10)
    callback = urlsplit(answer.headers["Location"])
    _refused(client.get(f"{callback.path}?{callback.query}"), "denied", db)


def test_a_deactivated_account_is_refused(sso_app, provider, client, db, school, make_user):
    user = make_user(school, email="kari.sso@bergen.example")
    user.oidc_issuer, user.oidc_subject, user.active = provider.issuer, "kari-sub", False
    db.session.commit()
    set_claims(provider, "kari-sub", **kari_claims())
    response = sign_in(client, provider, "kari-sub")
    assert response.status_code == 403
    assert "deaktivert" in page_text(response)
    assert signed_in_user(client, db) is None
    event = refusals(db, "deactivated")[0]
    assert event.object_id == user.id


def test_an_unreachable_provider_is_a_page_not_a_crash(sso_app, client, db):
    sso_app.config["OIDC_ISSUER"] = "http://127.0.0.1:9"  # nothing listens on discard
    response = client.get("/login/oidc")
    assert response.status_code == 503
    assert "får ikke kontakt" in page_text(response)


# -- e-mail binding --------------------------------------------------------------------------

def test_an_existing_account_is_bound_when_the_provider_verified_the_address(
        sso_app, provider, client, db, people):
    set_claims(provider, "kari-sub", email="kari@bergen.example", email_verified=True,
               name="Kari Nordmann")
    assert sign_in(client, provider, "kari-sub").status_code == 302
    user = signed_in_user(client, db)
    assert user.id == people.member.id
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, "kari-sub")


def _identity(email="kari@bergen.example", verified=True, subject="kari-sub"):
    return sso.Identity(issuer="https://idp.example", subject=subject, email=email,
                        email_verified=verified, name="Kari")


def test_an_unverified_address_binds_nothing(db, people):
    with pytest.raises(sso.SignInRefused) as refused:
        sso.account_for(_identity(verified=False), trust_email=True)
    assert refused.value.code == "email_not_verified"
    assert people.member.oidc_subject is None


def test_with_trust_in_e_mail_off_nothing_is_bound_by_address(db, people):
    with pytest.raises(sso.SignInRefused):
        sso.account_for(_identity(), trust_email=False)
    assert people.member.oidc_subject is None


def test_an_account_bound_to_another_subject_is_never_re_bound(db, people):
    people.member.oidc_issuer, people.member.oidc_subject = "https://idp.example", "original"
    db.session.commit()
    with pytest.raises(sso.SignInRefused) as refused:
        sso.account_for(_identity(subject="intruder"), trust_email=True)
    assert refused.value.code == "email_bound_elsewhere"
    db.session.expire_all()
    assert people.member.oidc_subject == "original"


def test_a_refused_binding_over_http_is_a_page_and_an_audit_event(
        sso_app, provider, client, db, people):
    set_claims(provider, "kari-sub", email="kari@bergen.example", email_verified=False,
               name="Kari Nordmann")
    response = sign_in(client, provider, "kari-sub")
    assert response.status_code == 403
    assert "Det finnes allerede en konto" in page_text(response)
    assert refusals(db, "email_not_verified")[0].actor_id is None
    db.session.expire_all()
    assert people.member.oidc_subject is None


# -- accounts provisioned over SCIM: bound by the provider's object id ------------------------

ENTRA_OID = "0f8fad5b-d9cb-469f-a165-70867728950e"
SCIM_CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
SCIM_ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def provision(app, db, *, email="Ola.Nordmann@bergen.example", external_id=ENTRA_OID,
              department="MOH") -> User:
    """Create the person as Entra ID does, over /scim/v2 with a provisioning token."""
    _, token = scim_tokens.create_token(None, "Entra ID")
    db.session.commit()
    body = {"schemas": [SCIM_CORE, SCIM_ENTERPRISE], "externalId": external_id,
            "userName": email, "active": True, "displayName": "Ola Nordmann",
            SCIM_ENTERPRISE: {"department": department}}
    response = app.test_client().post(
        "/scim/v2/Users", data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
    assert response.status_code == 201, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(User, int(response.get_json(force=True)["id"]))


def entra_claims(**overrides) -> dict:
    """What Entra ID's ID token says about Ola: an object id, and no `email_verified`."""
    return {"email": "ola.nordmann@bergen.example", "name": "Ola Nordmann", "oid": ENTRA_OID,
            **overrides}


def accounts_with(db, email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_person_provisioned_over_scim_signs_in_bound_by_the_object_id(
        sso_app, provider, client, db, school):
    provisioned = provision(sso_app, db)
    assert (provisioned.oidc_subject, provisioned.unit_id) == (None, school.id)
    # Entra's `sub` is per application and unknown to provisioning; `oid` is what SCIM sent.
    set_claims(provider, "entra-pairwise-sub", **entra_claims())
    response = sign_in(client, provider, "entra-pairwise-sub")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    user = signed_in_user(client, db)
    assert user.id == provisioned.id
    assert (user.oidc_issuer, user.oidc_subject) == (provider.issuer, "entra-pairwise-sub")
    assert (user.unit_id, user.role, user.name) == (school.id, Role.MEMBER.value, "Ola Nordmann")
    assert accounts_with(db, "ola.nordmann@bergen.example") == 1
    bound = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.sso_bound")).one()
    assert bound.object_id == user.id
    assert json.loads(bound.details)["by"] == "provisioning_id"

    client.post("/logout", data={"csrf_token": client.csrf_token()})
    assert sign_in(client, provider, "entra-pairwise-sub").status_code == 302
    assert signed_in_user(client, db).id == provisioned.id


def test_the_object_id_binds_whatever_address_the_token_carries(
        sso_app, provider, client, db, school):
    provisioned = provision(sso_app, db)
    set_claims(provider, "entra-pairwise-sub",
               **entra_claims(email="ola.nordmann@alias.bergen.example"))
    assert sign_in(client, provider, "entra-pairwise-sub").status_code == 302
    user = signed_in_user(client, db)
    assert user.id == provisioned.id and user.email == "ola.nordmann@bergen.example"
    assert accounts_with(db, "ola.nordmann@alias.bergen.example") == 0


def test_an_object_id_whose_account_is_bound_to_another_subject_is_refused(
        sso_app, provider, client, db, school):
    provisioned = provision(sso_app, db)
    provisioned.oidc_issuer, provisioned.oidc_subject = provider.issuer, "ola-original"
    db.session.commit()
    set_claims(provider, "intruder-sub", **entra_claims(email_verified=True))
    response = sign_in(client, provider, "intruder-sub")
    assert response.status_code == 403
    assert "allerede koblet til en annen kommunekonto" in page_text(response)
    assert signed_in_user(client, db) is None
    event = refusals(db, "provisioning_id_bound_elsewhere")[0]
    assert event.actor_id is None and json.loads(event.details)["account"] == provisioned.id
    db.session.expire_all()
    assert db.session.get(User, provisioned.id).oidc_subject == "ola-original"
    assert accounts_with(db, "ola.nordmann@bergen.example") == 1


def test_a_deactivated_provisioned_account_is_refused_by_its_object_id(
        sso_app, provider, client, db, school):
    provisioned = provision(sso_app, db)
    provisioned.active = False
    db.session.commit()
    set_claims(provider, "entra-pairwise-sub", **entra_claims())
    response = sign_in(client, provider, "entra-pairwise-sub")
    assert response.status_code == 403 and "deaktivert" in page_text(response)
    assert refusals(db, "deactivated")[0].object_id == provisioned.id
    db.session.expire_all()
    assert db.session.get(User, provisioned.id).oidc_subject is None


@pytest.mark.parametrize("setting, claims", [
    ("oid", entra_claims(oid=None)),  # the token has no object id
    ("", entra_claims()),  # binding by object id is turned off
], ids=["no-claim", "setting-off"])
def test_without_the_object_id_a_provisioned_account_still_needs_a_verified_address(
        sso_app, provider, client, db, school, setting, claims):
    sso_app.config["OIDC_PROVISIONING_ID_CLAIM"] = setting
    provisioned = provision(sso_app, db)
    set_claims(provider, "entra-pairwise-sub",
               **{name: value for name, value in claims.items() if value is not None})
    response = sign_in(client, provider, "entra-pairwise-sub")
    assert response.status_code == 403
    assert "Det finnes allerede en konto" in page_text(response)
    assert refusals(db, "email_not_verified")
    db.session.expire_all()
    assert db.session.get(User, provisioned.id).oidc_subject is None
    assert accounts_with(db, "ola.nordmann@bergen.example") == 1


def test_an_object_id_naming_another_account_never_binds_by_address(db, people):
    people.member.scim_external_id = ENTRA_OID
    db.session.commit()
    identity = sso.Identity(issuer="https://idp.example", subject="kari-sub",
                            email=people.member.email, email_verified=True, name="Kari",
                            provisioning_id="another-object-id")
    with pytest.raises(sso.SignInRefused) as refused:
        sso.account_for(identity, trust_email=True)
    assert refused.value.code == "provisioning_id_mismatch"
    assert people.member.oidc_subject is None


def test_an_account_deleted_by_provisioning_is_not_found_by_its_old_object_id(
        sso_app, provider, client, db, school):
    provisioned = provision(sso_app, db)
    provisioning.remove(provisioned)
    db.session.commit()
    identity = sso.Identity(issuer=provider.issuer, subject="entra-pairwise-sub",
                            email="someone.else@bergen.example", email_verified=False,
                            name="Someone", provisioning_id=ENTRA_OID)
    assert sso.account_for(identity, trust_email=True) is None
    assert db.session.get(User, provisioned.id).oidc_subject is None


# -- passwords and logout -------------------------------------------------------------------

def test_with_password_login_off_only_admins_may_use_a_password(sso_app, client, db, people):
    sso_app.config["PASSWORD_LOGIN"] = False
    page = client.get("/login")
    html = page.get_data(as_text=True)
    assert 'name="password"' not in html
    assert "Logg inn med kommunekontoen" in page_text(page)
    assert "Nødinnlogging for administratorer" in page_text(page)
    assert 'name="password"' in client.get("/login?admin=1").get_data(as_text=True)

    member = login(client, people.member)
    assert "Feil e-post eller passord." in page_text(member)
    assert signed_in_user(client, db) is None
    admin = login(client, people.admin)
    assert admin.status_code == 302
    assert signed_in_user(client, db).id == people.admin.id


def test_logout_after_sso_ends_the_session_at_the_provider(
        sso_app, provider, client, db, school):
    set_claims(provider, "kari-sub", **kari_claims())
    sign_in(client, provider, "kari-sub")
    response = client.post("/logout", data={"csrf_token": client.csrf_token()})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == \
        f"{provider.issuer}/oauth2/end_session"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["https://gjenbruk.test/login"]
    assert query["id_token_hint"][0].count(".") == 2
    assert signed_in_user(client, db) is None
    assert requests.get(response.headers["Location"], timeout=10).status_code == 200
    # Pages allow the logout form's answer to lead to the provider.
    assert f"form-action 'self' {provider.issuer}" in client.get("/login").headers[
        "Content-Security-Policy"]


def test_logout_after_a_password_sign_in_stays_here(sso_app, client, people):
    login(client, people.member)
    response = client.post("/logout", data={"csrf_token": client.csrf_token()})
    assert response.headers["Location"] == "/login"


def test_a_password_is_still_set_from_the_command_line(runner, db, people):
    units.create_unit(name="Kommandolinjen")
    db.session.commit()
    result = runner.invoke(args=["create-user", "--email", "ny.admin@bergen.example",
                                 "--name", "Ny Admin", "--unit", "Kommandolinjen",
                                 "--role", "admin"], env={"REUSE_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
