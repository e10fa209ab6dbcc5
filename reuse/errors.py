"""One place that turns failures into answers: JSON errors for /api, HTML pages for people.

Either way a failed request's half-done work is rolled back, never committed later.
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
    SecurityError,
)

from reuse.api.auth import Unauthorized
from reuse.api.parsing import BadRequest
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.scim.resources import error as scim_error
from reuse.services.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied

MESSAGES = {
    400: (_l("Noe i forespørselen var feil"), _l("Gå tilbake og prøv igjen.")),
    403: (_l("Du har ikke tilgang"), _l("Siden eller handlingen er forbeholdt andre brukere.")),
    404: (_l("Fant ikke siden"), _l("Adressen kan være feil, eller innholdet er fjernet.")),
    405: (_l("Handlingen er ikke tillatt"), _l("Gå tilbake og bruk knappene på siden.")),
    409: (_l("Det har skjedd noe i mellomtiden"),
          _l("Last siden på nytt og se hvordan det står nå.")),
    413: (_l("Filene er for store"), _l("Velg færre eller mindre bilder og prøv igjen.")),
    429: (_l("For mange forsøk"),
          _l("Av sikkerhetshensyn må du vente litt før du prøver igjen.")),
    500: (_l("Noe gikk galt hos oss"), _l("Feilen er logget. Prøv igjen om litt.")),
}

DOMAIN_STATUS = ((NotFound, 404), (PermissionDenied, 403), (Conflict, 409), (InvalidInput, 422))

HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large",
              429: "too_many_requests",
              415: "unsupported_media_type", 422: "invalid_input", 500: "server_error"}


def _is_api() -> bool:
    return request.path.startswith("/api/")


def _is_scim() -> bool:
    return request.path == "/scim/v2" or request.path.startswith("/scim/")


def _json(status: int, code: str, message: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="reuse"'
    return response


def _page(status: int, detail: str | None = None):
    title, hint = MESSAGES.get(status, MESSAGES[400])
    if isinstance(request.routing_exception, SecurityError):
        # A host not in TRUSTED_HOSTS: Flask built no URL adapter for it, so no page with
        # links can be rendered (and none should name that host). Plain text says enough.
        return Response(f"{title}\n", status=status, mimetype="text/plain"), status
    return render_template("errors/error.html", status=status, title=str(title),
                           hint=detail or str(hint)), status


def domain_status(error: DomainError) -> int:
    return next((status for kind, status in DOMAIN_STATUS if isinstance(error, kind)), 400)


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        db.session.rollback()
        status = domain_status(error)
        if _is_api():
            return _json(status, error.code, error.message)
        return _page(status if status != 422 else 400, error.message)

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest):
        db.session.rollback()
        return _json(400, error.code, error.message)

    @app.errorhandler(Unauthorized)
    def unauthorized(error: Unauthorized):
        return _json(401, error.code, error.message)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return _page(400, _("Skjemaet var utløpt eller ufullstendig. Last siden på nytt og "
                            "send igjen."))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        if _is_scim():
            return scim_error(413, f"The request is larger than {limit_mb} MB.")
        if _is_api():
            return _json(413, "too_large", f"The request is larger than {limit_mb} MB.")
        return _page(413, _("Alt du sender på én gang kan være høyst %(limit)s MB. Velg færre "
                            "eller mindre bilder og prøv igjen.", limit=limit_mb))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if _is_scim():
            return scim_error(status, error.description or "")
        if _is_api():
            return _json(status, HTTP_CODES.get(status, "error"), error.description or "")
        return _page(status)

    @app.errorhandler(InternalServerError)
    def unexpected(error: InternalServerError):
        # Flask has logged the original exception.
        db.session.rollback()
        if _is_scim():
            return scim_error(500, "Something went wrong on our side; it is logged.")
        if _is_api():
            return _json(500, "server_error", "Something went wrong on our side; it is logged.")
        return _page(500)
