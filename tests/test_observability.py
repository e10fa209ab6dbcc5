"""Health check and request logs."""

from __future__ import annotations

import json
import threading
import urllib.request

from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from reuse.services import users


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


def _reset_token(app, user) -> str:
    with app.test_request_context():
        return users.password_reset_token(user)


def test_a_reset_token_in_the_path_is_not_logged(app, client, people, caplog):
    token = _reset_token(app, people.member)
    with caplog.at_level("INFO", logger="reuse.requests"):
        assert client.get(f"/password/reset/{token}").status_code == 200
        # A mistyped link is a 404, with the token still in its path.
        assert client.get(f"/password/resett/{token}").status_code == 404
    paths = [json.loads(r.getMessage())["path"] for r in caplog.records
             if r.name == "reuse.requests"]
    assert paths == ["/password/reset/[redacted]", "/password/resett/[redacted]"]
    assert token not in caplog.text


def test_exceptions_are_logged_without_the_token_in_their_path(app, client, people, caplog,
                                                               monkeypatch):
    token = _reset_token(app, people.member)

    def broken(token):
        raise RuntimeError("database went away")

    monkeypatch.setattr(users, "user_for_reset_token", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level("ERROR"):
        assert client.get(f"/password/reset/{token}").status_code == 500
    assert "Exception on /password/reset/[redacted] [GET]" in caplog.text
    assert token not in caplog.text


def test_the_servers_access_lines_carry_neither_tokens_nor_secret_parameters(app, people,
                                                                            caplog):
    """The development server (`make run`) logs each request line, query string included;
    gunicorn's access log, when switched on, goes through the same filter."""
    token = _reset_token(app, people.member)
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level("INFO", logger="werkzeug"):
            for path in (f"/password/reset/{token}",
                         "/login?next=/&token=s3cret-value&code=424242&api_key=k3y"):
                with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}"):
                    pass
    finally:
        server.shutdown()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /password/reset/[redacted] HTTP/1.1" in line for line in lines)
    assert any("next=/&token=[redacted]&code=[redacted]&api_key=[redacted]" in line
               for line in lines)
    for secret in (token, "s3cret-value", "424242", "k3y"):
        assert secret not in caplog.text
