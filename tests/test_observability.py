"""Health check and request logs."""

from __future__ import annotations

import json

from sqlalchemy.exc import OperationalError


def test_healthz_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_says_unavailable_when_the_database_is_not(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_request_log_lines_carry_no_secrets(client, people, api, caplog):
    token_client = api(people.member)
    with caplog.at_level("INFO", logger="reuse.requests"):
        client.submit("/login", {"email": people.member.email,
                                 "password": "riktig-hest-batteri-stift"})
        token_client.get("/api/v1/items?q=hemmelig")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "reuse.requests"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("POST", "/login", 302), ("GET", "/api/v1/items", 200)]
    assert all(line["ms"] is not None and line["request_id"] for line in lines)
    text = caplog.text
    assert "riktig-hest-batteri-stift" not in text
    assert token_client.token not in text and "hemmelig" not in text
    assert "csrf" not in text.lower()
