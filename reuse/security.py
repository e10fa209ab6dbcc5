"""Security headers on every answer: a strict Content-Security-Policy and its companions.

Pages use only our own scripts and styles (no inline code), so the policy needs no
'unsafe-inline'. Designsystemet's icons are data: URLs inside its CSS, hence img-src data:.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",  # blob: for the photo preview before upload
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])



def content_security_policy() -> str:
    """The policy; with single sign-on, forms may also lead to the provider: logout is a form
    whose answer redirects to the provider's end_session_endpoint, which form-action covers."""
    issuer = current_app.config.get("OIDC_ISSUER")
    if not issuer:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(issuer)
    return CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


HSTS = "max-age=31536000; includeSubDomains"

# Files a browser may keep: our CSS, scripts and icons, and photos (private to the browser,
# which catalog.photo_file says itself). Everything else shown to a signed-in person is not
# stored anywhere: not by a shared computer's browser cache, nor its back button after logout.
CACHEABLE_ENDPOINTS = frozenset({"static", "catalog.photo_file"})


def _unstorable(text: str) -> bool:
    """NUL cannot be stored in PostgreSQL text, nor lone surrogates in UTF-8."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_unstorable_text():
        # Pages only: the API checks its own input and answers in its error shape.
        if request.path.startswith("/api/"):
            return None
        values = list(request.args.values())
        if request.method == "POST" and request.mimetype in {
                "application/x-www-form-urlencoded", "multipart/form-data"}:
            values += list(request.form.values())
        if any(_unstorable(value) for value in values):
            abort(400)
        return None

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", content_security_policy())
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.endpoint not in CACHEABLE_ENDPOINTS and current_user.is_authenticated:
            headers["Cache-Control"] = "no-store"
        if request.is_secure:  # behind TLS only; TRUSTED_PROXIES makes X-Forwarded-Proto count
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
