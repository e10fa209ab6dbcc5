"""Signing in with the municipal account: OpenID Connect's authorization-code flow.

Authlib's Flask client does the protocol: PKCE (S256), `state` and `nonce` kept in the
session, discovery from the issuer's /.well-known/openid-configuration, the code exchanged
at the token endpoint, and the ID token's signature checked against the provider's JWKS
(fetched again once when a token names a key id it has not seen: key rotation). Here we add
what it leaves to us: the claims it must check (`iss` the configured issuer, `aud` our client
id, `exp`/`iat` with a small leeway), and a clear page and an audit event for every refusal.
Which account the person gets is decided in reuse.services.sso.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from joserfc.errors import ClaimError, JoseError
from sqlalchemy.exc import IntegrityError

from reuse import auth_session
from reuse.extensions import db
from reuse.i18n import lazy_gettext as _l
from reuse.links import site_url
from reuse.models import User
from reuse.services import sso
from reuse.web import Refusal
from reuse.web.auth import bp
from reuse.web.auth.forms import ChooseUnitForm

CLIENT_NAME = "municipal"
# Clock skew allowed between the provider and us when checking exp and iat.
LEEWAY_SECONDS = 60
# How long to wait for the provider (discovery, token endpoint, JWKS).
PROVIDER_TIMEOUT_SECONDS = 10
# The verified identity waits this long in the session while the person chooses a unit.
PENDING_SECONDS = 30 * 60
PENDING = "sso_pending"
# Kept for logout at the provider (id_token_hint).
ID_TOKEN = "sso_id_token"

SSO_BUTTON = _l("Logg inn med kommunekontoen")
TRY_AGAIN = _l("Prøv å logge inn på nytt. Hvis det ikke går, ta kontakt med brukerstøtte.")
MISSING_CLAIMS = _l("Svaret fra kommunekontoen manglet opplysninger vi trenger.")
# What the person is told, per reason; the audit event keeps the reason's code.
REFUSALS = {
    "state": _l("Innloggingen kunne ikke fullføres fordi den ikke ble startet her, eller "
                "allerede er brukt. Start innloggingen på nytt."),
    "denied": _l("Innloggingen ble avbrutt hos kommunekontoen."),
    "token_endpoint": _l("Kommunekontoen godtok ikke innloggingen (koden er allerede brukt "
                         "eller utløpt)."),
    "provider_unreachable": _l("Vi får ikke kontakt med kommunekontoen akkurat nå."),
    "signature": _l("Svaret fra kommunekontoen hadde ikke en gyldig signatur."),
    "iss": _l("Svaret kom fra en annen utsteder enn kommunekontoen."),
    "aud": _l("Svaret fra kommunekontoen var ment for en annen tjeneste."),
    "exp": _l("Svaret fra kommunekontoen var utløpt."),
    "iat": _l("Svaret fra kommunekontoen hadde et ugyldig tidspunkt."),
    "nonce": _l("Svaret fra kommunekontoen hørte ikke til denne innloggingen."),
    "claims": MISSING_CLAIMS,
    "no_id_token": MISSING_CLAIMS,
    "pending_expired": _l("Det tok for lang tid å velge enhet. Start innloggingen på nytt."),
}


def sso_configured() -> bool:
    return bool(current_app.config.get("OIDC_ISSUER") and current_app.config.get(
        "OIDC_CLIENT_ID"))


def _client():
    """Authlib's client for the configured provider, made once per configuration."""
    config = current_app.config
    key = (config["OIDC_ISSUER"], config["OIDC_CLIENT_ID"], config["OIDC_CLIENT_SECRET"],
           config["OIDC_SCOPES"])
    cached = current_app.extensions.get("reuse.oidc")
    if cached and cached[0] == key:
        return cached[1]
    issuer, client_id, secret, scopes = key
    oauth = OAuth()
    oauth.app = current_app._get_current_object()
    client_kwargs = {"scope": scopes, "code_challenge_method": "S256",
                     "default_timeout": PROVIDER_TIMEOUT_SECONDS}
    if not secret:
        client_kwargs["token_endpoint_auth_method"] = "none"  # a public client
    client = oauth.register(
        CLIENT_NAME, client_id=client_id, client_secret=secret or None,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs)
    current_app.extensions["reuse.oidc"] = (key, client)
    return client


def _metadata(client) -> dict:
    """The provider's discovery document; its issuer must be the one configured."""
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != \
            current_app.config["OIDC_ISSUER"].rstrip("/"):
        raise _Refused("iss", discovered_issuer=str(metadata.get("issuer", ""))[:200])
    return metadata


def _redirect_uri() -> str:
    return site_url(url_for("auth.oidc_callback"))


class _Refused(Exception):
    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _refusal_page(reason: str, *, user: User | None = None, status: int = 400, **details):
    """Audit the refusal, commit it alone, and show the person what happened."""
    db.session.rollback()
    session.pop(PENDING, None)
    error = sso.refuse(reason, str(REFUSALS.get(reason, REFUSALS["claims"])), user=user,
                       **details)
    db.session.commit()
    return _refused_page(error.message, status)


def _refused_page(message: str, status: int):
    return render_template("auth/sso_refused.html", message=message, hint=TRY_AGAIN,
                           show_retry=True), status


@bp.get("/login/oidc")
def oidc_start():
    """Send the person to the provider, with a fresh state, nonce and PKCE verifier."""
    if not sso_configured():
        abort(404)
    client = _client()
    try:
        _metadata(client)
        return client.authorize_redirect(_redirect_uri())
    except _Refused as refused:
        return _refusal_page(refused.reason, status=502, **refused.details)
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OIDC discovery failed: %s", error)
        return _refusal_page("provider_unreachable", status=503, error=type(error).__name__)


def _verified_claims():
    """The ID token's claims once everything about it has been checked; else _Refused."""
    client = _client()
    metadata = _metadata(client)
    config = current_app.config
    claims_options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": config["OIDC_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    try:
        token = client.authorize_access_token(claims_options=claims_options,
                                              leeway=LEEWAY_SECONDS)
    except MismatchingStateError as error:
        raise _Refused("state") from error
    except OAuthError as error:
        reason = "denied" if error.error == "access_denied" else "token_endpoint"
        raise _Refused(reason, error=str(error.error)[:100]) from error
    except ClaimError as error:
        reason = error.claim if error.claim in {"iss", "aud", "exp", "iat", "nonce"} \
            else "claims"
        if error.claim == "azp":
            reason = "aud"  # a single other audience: the token was not issued to us
        raise _Refused(reason, claim=error.claim, error=type(error).__name__) from error
    except JoseError as error:
        raise _Refused("signature", error=type(error).__name__) from error
    except requests.RequestException as error:
        raise _Refused("provider_unreachable", error=type(error).__name__) from error
    except ValueError as error:  # a token endpoint answer that is not JSON, a malformed JWT
        raise _Refused("signature", error=type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:
        raise _Refused("no_id_token")
    return claims, token["id_token"]


@bp.get("/login/oidc/callback")
def oidc_callback():
    """The provider sends the person back here with a code (or an error)."""
    if not sso_configured():
        abort(404)
    try:
        claims, id_token = _verified_claims()
    except _Refused as refused:
        status = 503 if refused.reason == "provider_unreachable" else 400
        return _refusal_page(refused.reason, status=status, **refused.details)
    identity = sso.Identity.from_claims(
        claims, unit_claim=current_app.config["OIDC_UNIT_CLAIM"],
        provisioning_id_claim=current_app.config["OIDC_PROVISIONING_ID_CLAIM"])
    try:
        user = sso.account_for(identity, trust_email=current_app.config["OIDC_TRUST_EMAIL"])
    except sso.SignInRefused as refused:
        db.session.commit()  # the refusal's audit event
        return _refused_page(refused.message, 403)
    if user is None:
        if not sso.can_make_account(identity):
            return _refusal_page("claims", issuer=identity.issuer, subject=identity.subject,
                                 error="no usable email or name")
        unit = sso.unit_from_claims(identity)
        if unit is None:
            session[PENDING] = {**identity.as_dict(), "id_token": id_token,
                                "until": int(time.time()) + PENDING_SECONDS}
            return redirect(url_for("auth.oidc_unit"))
        return _create_and_sign_in(identity, unit, id_token, chosen=False)
    db.session.commit()  # a binding by provisioning id or e-mail, if that is what happened
    return _sign_in(user, id_token)


def _sign_in(user: User, id_token: str):
    session.clear()  # a new session at sign-in: nothing carried over from before
    auth_session.sign_in(user)
    session[ID_TOKEN] = id_token
    flash(auth_session.signed_in_message(user), "success")
    return redirect(url_for("catalog.browse"))


def _create_and_sign_in(identity: sso.Identity, unit, id_token: str, *, chosen: bool):
    try:
        with Refusal() as refused:
            user = sso.create_account(identity, unit, chosen=chosen)
        if refused:
            return _refusal_page("claims", status=400, issuer=identity.issuer,
                                 subject=identity.subject, error=refused.error.message[:200])
        db.session.commit()
    except IntegrityError:
        # The same person finishing in two tabs at once: the other one made the account.
        db.session.rollback()
        user = sso.account_for(identity, trust_email=False)
        if user is None:
            raise
    return _sign_in(user, id_token)


def _pending() -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int):
        return None
    return pending


@bp.route("/login/oidc/unit", methods=["GET", "POST"])
def oidc_unit():
    """A first sign-in without a known unit: the person chooses theirs."""
    pending = _pending()
    if pending is None:
        return redirect(url_for("auth.login"))
    if pending["until"] < time.time():
        return _refusal_page("pending_expired", issuer=pending.get("issuer"),
                             subject=pending.get("subject"))
    search = request.args.get("q", "")[:100]
    units, total = sso.choosable_units(search)
    form = ChooseUnitForm()
    form.unit.choices = [(unit.id, unit.name) for unit in units]
    if form.validate_on_submit():
        with Refusal(form) as refused:
            unit = sso.open_unit(form.unit.data)
        if not refused:
            # A field missing from a sign-in begun before an upgrade keeps its default.
            fields = {name: pending[name] for name in sso.Identity.__dataclass_fields__
                      if name in pending}
            identity = sso.Identity(**fields)
            return _create_and_sign_in(identity, unit, pending["id_token"], chosen=True)
    return render_template("auth/sso_unit.html", form=form, units=units, total=total,
                           search=search, shown=len(units), name=pending.get("name"))


def logout_target(id_token: str | None) -> str | None:
    """Where logout sends someone who signed in with SSO: the provider's end_session_endpoint
    with id_token_hint and a way back to /login; None when there is nowhere to send them."""
    if not id_token or not sso_configured():
        return None
    try:
        endpoint = _metadata(_client()).get("end_session_endpoint")
    except (_Refused, requests.RequestException, ValueError) as error:
        current_app.logger.warning("No logout at the provider: %s", error)
        return None
    if not endpoint:
        return None
    separator = "&" if "?" in endpoint else "?"
    return endpoint + separator + urlencode({
        "id_token_hint": id_token,
        "post_logout_redirect_uri": site_url(url_for("auth.login")),
    })
