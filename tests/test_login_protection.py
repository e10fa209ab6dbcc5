"""Failed logins slow the guesser, not the owner; counts are shared; logout ends every session."""

from __future__ import annotations

import ipaddress
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, login, page_text

ATTACKER = "10.6.6.6"
OWNER = "10.0.0.1"


def wrong(client, email: str, address: str = ATTACKER):
    return client.submit("/login", {"email": email, "password": "feil-passord-123"},
                         environ_base={"REMOTE_ADDR": address})


def right(client, user, address: str = OWNER):
    return client.submit("/login", {"email": user.email, "password": PASSWORD},
                         environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand: waits are tested without sleeping."""
    from reuse.services import login_throttle

    class Clock:
        now = time.time()

        def advance(self, seconds: float) -> None:
            self.now += seconds

    fake = Clock()
    monkeypatch.setattr(login_throttle, "_now", lambda: fake.now)
    return fake


def test_the_owner_signs_in_after_an_attackers_ten_wrong_passwords_elsewhere(
        client, people, clock):
    for _ in range(10):
        assert wrong(client, people.member.email).status_code == 200
        clock.advance(900)  # the attacker sits out every wait
    assert right(client, people.member).status_code == 302


def test_the_attackers_address_waits_longer_after_each_failure(client, people, clock):
    for _ in range(5):
        assert wrong(client, people.member.email).status_code == 200
    # Even the right password is not tried while the address waits.
    refused = right(client, people.member, ATTACKER)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Vent 1 sekund før du prøver igjen" in page_text(refused)
    for expected in (2, 4, 8):
        clock.advance(expected / 2)
        assert wrong(client, people.member.email).status_code == 200
        refused = wrong(client, people.member.email)
        assert refused.status_code == 429
        assert f"Vent {expected} sekunder" in page_text(refused)
    # Meanwhile the owner, elsewhere, is not slowed at all.
    assert right(client, people.member).status_code == 302


def test_the_wait_is_capped(app, client, people, clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_MAX_DELAY_SECONDS", 60)
    for _ in range(10):
        wrong(client, people.member.email)
        clock.advance(60)
    wrong(client, people.member.email)  # the 11th: 2 ** 6 = 64 s, capped at 60
    refused = wrong(client, people.member.email)
    assert refused.headers["Retry-After"] == "60"
    assert "Vent 60 sekunder" in page_text(refused)


def test_a_successful_login_clears_the_addresses_failures(client, people, clock):
    for _ in range(5):
        wrong(client, people.member.email, OWNER)
    clock.advance(1)
    assert right(client, people.member).status_code == 302
    client.submit("/logout")
    assert wrong(client, people.member.email, OWNER).status_code == 200


def test_unknown_and_known_accounts_are_refused_alike(client, people):
    answers = []
    for email in (people.member.email, "finnes.ikke@bergen.example"):
        for _ in range(5):
            wrong(client, email)
        refused = wrong(client, email)
        answers.append((refused.status_code, refused.headers["Retry-After"],
                        page_text(refused).replace(email, "E")))
    assert answers[0] == answers[1]


def test_an_address_trying_many_accounts_is_limited(client, people):
    for number in range(20):
        wrong(client, f"person{number}@bergen.example", "10.9.9.9")
    refused = wrong(client, "noen.andre@bergen.example", "10.9.9.9")
    assert refused.status_code == 429 and "minutter før du prøver igjen" in page_text(refused)
    assert wrong(client, "noen.andre@bergen.example", "10.9.9.8").status_code == 200


def test_guessing_from_many_addresses_stops_but_the_owners_usual_address_still_works(
        client, people):
    assert right(client, people.member).status_code == 302
    client.submit("/logout")
    for number in range(15):
        wrong(client, people.member.email, f"10.7.0.{number}")
    # The ceiling is reached: a new address is refused even with the right password …
    assert right(client, people.member, "10.7.1.1").status_code == 429
    # … while the owner at the address they signed in from before gets in.
    assert right(client, people.member).status_code == 302


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


ROOT = Path(__file__).resolve().parent.parent


def _redis():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return redis


def test_two_app_instances_sharing_redis_share_the_count(tmp_path):
    """Two processes, as two gunicorn workers: the second sees the first one's failures."""
    redis = _redis()
    script = tmp_path / "worker.py"
    script.write_text(
        "import sys\n"
        "from reuse import create_app\n"
        "app = create_app()\n"
        "app.config['WTF_CSRF_ENABLED'] = False\n"
        "client = app.test_client()\n"
        "codes = [client.post('/login', data={'email': sys.argv[1], 'password': 'p' * 12},"
        " environ_base={'REMOTE_ADDR': sys.argv[2]}).status_code"
        " for _ in range(int(sys.argv[3]))]\n"
        "print(codes)\n")
    # Database 14 and an address of this run's own: other test runs on the machine share Redis.
    address = str(ipaddress.IPv4Address(random.getrandbits(32)))
    env = {**os.environ, "REUSE_ENV": "development", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.db'}",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
           "LOGIN_LIMIT_PER_ADDRESS": "3 per hour"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "reuse", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)

    def worker(attempts: int) -> str:
        return subprocess.run([sys.executable, str(script), "x@bergen.example", address,
                               str(attempts)], cwd=ROOT,
                              env=env, check=True, capture_output=True, text=True).stdout.strip()

    assert worker(3) == "[200, 200, 200]"
    assert worker(1) == "[429]"
    assert any(redis.Redis(host="127.0.0.1", port=6379, db=14).scan_iter("LIMITS:login/*"))


def _start_up(tmp_path, storage: str) -> str:
    env = {**os.environ, "REUSE_ENV": "production", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
           "BASE_URL": "https://gjenbruk.test", "RATELIMIT_STORAGE_URI": storage,
           "LOG_LEVEL": "WARNING"}
    return subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True).stderr


def test_production_says_loudly_when_login_counts_are_per_worker(tmp_path):
    assert "WARNING reuse.security RATELIMIT_STORAGE_URI is memory://" in _start_up(
        tmp_path, "memory://")


def test_production_with_redis_starts_quietly(tmp_path):
    _redis()
    assert "WARNING" not in _start_up(tmp_path, "redis://127.0.0.1:6379/14")


def test_sign_in_is_refused_clearly_when_the_counts_cannot_be_reached(tmp_path):
    """Redis down (nothing listens on port 1): a clear 503 on the login form, not a 500."""
    script = tmp_path / "worker.py"
    script.write_text(
        "from reuse import create_app\n"
        "app = create_app()\n"
        "app.config['WTF_CSRF_ENABLED'] = False\n"
        "answer = app.test_client().post('/login', data={'email': 'x@bergen.example',"
        " 'password': 'p' * 12})\n"
        "print(answer.status_code, 'midlertidig utilgjengelig' in answer.get_data(as_text=True))\n")
    env = {**os.environ, "REUSE_ENV": "development", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'down.db'}",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "reuse", "db", "upgrade"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    answer = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    assert answer.stdout.split() == ["503", "True"]
    assert "Failed-login counts are unavailable" in answer.stderr
