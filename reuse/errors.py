"""One place that turns failures into answers: an HTML page for people (JSON for /api later)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from reuse.extensions import db
from reuse.services.errors import DomainError, NotFound, PermissionDenied

MESSAGES = {
    400: ("Noe i forespørselen var feil", "Gå tilbake og prøv igjen."),
    403: ("Du har ikke tilgang", "Siden eller handlingen er forbeholdt andre brukere."),
    404: ("Fant ikke siden", "Adressen kan være feil, eller innholdet er fjernet."),
    405: ("Handlingen er ikke tillatt", "Gå tilbake og bruk knappene på siden."),
    413: ("Filene er for store", "Velg færre eller mindre bilder og prøv igjen."),
    500: ("Noe gikk galt hos oss", "Feilen er logget. Prøv igjen om litt."),
}


def _page(status: int, detail: str | None = None):
    title, hint = MESSAGES.get(status, MESSAGES[400])
    return render_template("errors/error.html", status=status, title=title,
                           hint=detail or hint), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        return _page(400, "Skjemaet var utløpt eller ufullstendig. Last siden på nytt og send igjen.")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit_mb = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _page(413, f"Alt du sender på én gang kan være høyst {limit_mb} MB. "
                          "Velg færre eller mindre bilder og prøv igjen.")

    @app.errorhandler(NotFound)
    def not_found(error: NotFound):
        return _page(404, error.message)

    @app.errorhandler(PermissionDenied)
    def forbidden(error: PermissionDenied):
        return _page(403, error.message)

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        db.session.rollback()
        return _page(400, error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _page(error.code or 500)

    @app.errorhandler(InternalServerError)
    def unexpected(error: InternalServerError):
        # Flask logs the original exception; what was half-done must not be committed later.
        db.session.rollback()
        return _page(500)
