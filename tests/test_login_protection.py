"""Login is rate-limited per account and per address; logout ends every session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, login, page_text


def wrong(client, email: str, address: str = "10.0.0.1"):
    return client.submit("/login", {"email": email, "password": "feil-passord-123"},
                         environ_base={"REMOTE_ADDR": address})


def test_an_account_is_locked_after_five_failures_from_anywhere(client, people):
    for number in range(5):
        assert wrong(client, people.member.email, f"10.0.0.{number}").status_code == 200
    blocked = client.submit("/login", {"email": people.member.email, "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert blocked.status_code == 429
    assert "For mange forsøk" in page_text(blocked)
    # Other accounts are not affected.
    assert login(client, people.outsider).status_code == 302


def test_unknown_and_known_accounts_are_limited_alike(client, people):
    for _ in range(5):
        wrong(client, "finnes.ikke@bergen.example")
    assert wrong(client, "finnes.ikke@bergen.example").status_code == 429


def test_an_address_trying_many_accounts_is_limited(client, people):
    for number in range(20):
        wrong(client, f"person{number}@bergen.example", "10.9.9.9")
    assert wrong(client, "noen.andre@bergen.example", "10.9.9.9").status_code == 429
    assert wrong(client, "noen.andre@bergen.example", "10.9.9.8").status_code == 200


def test_successful_logins_do_not_count(client, people):
    for _ in range(8):
        assert login(client, people.member).status_code == 302
        client.submit("/logout")


def test_logout_ends_a_copied_session_cookie_too(app, client, people, log_in):
    log_in(people.member)
    stolen = client.get_cookie("session").value
    client.submit("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_limits_are_shared_through_redis_when_configured(tmp_path):
    """Several workers share one count: run the app in another process against Redis."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = tmp_path / "probe.py"
    script.write_text(
        "from reuse import create_app\n"
        "app = create_app()\n"
        "app.config['WTF_CSRF_ENABLED'] = False\n"
        "from reuse.extensions import limiter\n"
        "limiter.reset()\n"
        "client = app.test_client()\n"
        "codes = [client.post('/login', data={'email': 'x@bergen.example', 'password': 'p' * 12},"
        " environ_base={'REMOTE_ADDR': '10.1.1.1'}).status_code for _ in range(4)]\n"
        "print(codes)\n")
    env = {**os.environ, "REUSE_ENV": "development", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
           "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "flask", "--app", "reuse", "db", "upgrade"],
                   cwd=root, env=env, check=True, capture_output=True)
    result = subprocess.run([sys.executable, str(script)], cwd=root, env=env, check=True,
                            capture_output=True, text=True)
    assert result.stdout.strip() == "[200, 200, 200, 429]"
    assert any(redis.Redis(host="127.0.0.1", port=6379, db=15).scan_iter("LIMITS*"))
