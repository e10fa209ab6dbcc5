"""Every answer carries the security headers; HSTS only over TLS."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/login", "/static/css/app.css", "/api/v1/openapi.json",
                                  "/does-not-exist"])
def test_security_headers_on_every_answer(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers


def test_hsts_is_sent_over_tls(client):
    response = client.get("/login", base_url="https://gjenbruk.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_page_relies_on_inline_script_or_style(client, people, log_in, make_item):
    item = make_item(people.member)
    log_in(people.member)
    for path in ["/", f"/items/{item.id}", "/items/new", "/checks/new", "/wanted"]:
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "onclick" not in html


def test_text_the_database_cannot_store_is_a_clear_400_not_a_500(client, people, log_in,
                                                                 catalog):
    log_in(people.member)
    assert client.get("/", query_string={"q": "stol\x00"}).status_code == 400
    response = client.submit("/items/new", {"title": "stol\x00",
                                            "location_address": "Rådhusgaten 10"})
    assert response.status_code == 400
    assert "Noe i forespørselen var feil" in response.get_data(as_text=True)
    # Bytes that are not UTF-8 (an encoded lone surrogate) are read as replacement characters.
    assert client.get("/?q=%ED%A0%80").status_code == 200
