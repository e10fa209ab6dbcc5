"""Absolute addresses of the site's pages, for e-mails: from BASE_URL, never from a request.

A request's Host (or X-Forwarded-Host) header is the client's to choose; a link built from it
and mailed to someone else would carry their reset token or their claim to whichever host the
sender named. Every link in every e-mail goes through site_url().
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def site_url(path: str) -> str:
    """The absolute address of a path on this site ("/items/5"), under BASE_URL."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"a site path starts with one slash: {path!r}")
    return current_app.config["BASE_URL"].rstrip("/") + path


def site_url_for(endpoint: str, **values) -> str:
    """site_url() of a route, built without a request so that jobs and CLI commands can too."""
    adapter = current_app.url_map.bind(urlsplit(current_app.config["BASE_URL"]).netloc)
    return site_url(adapter.build(endpoint, values))
