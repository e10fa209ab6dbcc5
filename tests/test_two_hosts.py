"""Two app hosts and two workers, as production runs them: separate processes with separate
instance folders and ports, sharing only PostgreSQL, Redis and the photo folder.

Through both hosts, people sign in, list items, upload photos and claim; every e-mail those
claims cause is sent by the workers, one of which is killed in the middle of a message. What
must hold: a sign-in on one host is a sign-in on the other, a photo uploaded to one is
served by both, failed logins count against one limit wherever they land, no claim is lost,
and every e-mail reaches its recipient exactly once.

PostgreSQL only (REUSE_TEST_DB=postgres, as CI runs it): SQLite is one host's database.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import subprocess  # nosec B404 - the hosts and workers are this project's own commands
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import _free_port

pytestmark = pytest.mark.skipif(os.environ.get("REUSE_TEST_DB") != "postgres",
                                reason="several hosts share PostgreSQL; SQLite is one host's")

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "to verter, én sannhet"
CLAIMS = 24
REDIS_DB = 7  # a database of the local Redis no other test uses


class SlowMailServer:
    """An SMTP server that takes its time, and holds one chosen message until told to let
    go, refusing it then: its sender is killed while the message is in flight."""

    def __init__(self):
        self.received: list[tuple[str, str]] = []  # (recipient, subject), as accepted
        self.hold_subject = ""
        self.held_from_port: int | None = None
        self.holding = threading.Event()
        self.let_go = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        subject = message_from_bytes(envelope.content, policy=email_policy.default)["Subject"]
        if subject == self.hold_subject and not self.let_go.is_set():
            self.held_from_port = session.peer[1]
            self.holding.set()
            while not self.let_go.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Not accepted: the sender went away"
        await asyncio.sleep(0.05)  # a batch takes long enough to be interrupted
        self.received.extend((recipient, subject) for recipient in envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def mail_server():
    handler = SlowMailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    handler.let_go.set()
    controller.stop()


@pytest.fixture
def shared_database():
    """A database of its own on the test server, migrated by the hosts' own command."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{url.database}_hosts"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    shared = url.set(database=name)
    yield shared.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Cluster:
    """The processes of one test: hosts, workers, and the commands run against them."""

    def __init__(self, tmp_path: Path, database_url: str, mail: Controller):
        self.tmp_path = tmp_path
        self.photos = tmp_path / "shared-photos"
        self.environment = {
            **os.environ,
            "REUSE_ENV": "development",
            "SECRET_KEY": "one-key-for-every-host",
            "DATABASE_URL": database_url,
            "UPLOAD_DIR": str(self.photos),
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "LOGIN_LIMIT_PER_ADDRESS": "4 per 15 minutes",
            "MAIL_SERVER": mail.hostname,
            "MAIL_PORT": str(mail.port),
            "MAIL_FROM_REQUESTS": "off",
            "MAIL_LEASE_SECONDS": "3",
            "OPEN_CLAIMS_PER_PERSON": str(CLAIMS),
            "LOG_LEVEL": "WARNING",
        }
        self.processes: list[subprocess.Popen] = []

    def command(self, *args: str, password: str | None = None) -> str:
        environment = {**self.environment, "REUSE_INSTANCE_PATH": str(self.tmp_path / "cli")}
        if password is not None:
            environment["REUSE_PASSWORD"] = password
        done = subprocess.run(  # nosec B603 - fixed arguments, no shell
            [sys.executable, "-m", "flask", "--app", "reuse", *args], cwd=ROOT,
            env=environment, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen:
        folder = self.tmp_path / name
        folder.mkdir()
        log = open(folder / "output.log", "wb")  # noqa: SIM115 - open while the process runs
        process = subprocess.Popen(  # nosec B603 - fixed arguments, no shell
            [sys.executable, "-m", *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
            env={**self.environment, "REUSE_INSTANCE_PATH": str(folder)})
        self.processes.append(process)
        return process

    def host(self, name: str) -> str:
        port = _free_port()
        self.start(name, "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                   "wsgi:app")
        address = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{address}/healthz", timeout=10).status_code == 200:
                    return address
            except requests.RequestException:
                pass  # still starting
            time.sleep(0.2)
        raise AssertionError(f"{name} did not start: {self.output(name)}")

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(name, "flask", "--app", "reuse", "worker", "--interval", "1")

    def output(self, name: str) -> str:
        return (self.tmp_path / name / "output.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(tmp_path, shared_database, mail_server):
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    running = Cluster(tmp_path, shared_database, mail_server)
    running.command("db", "upgrade")
    running.command("load-categories")
    running.command("create-unit", "--name", "Nordnes skole", "--code", "NORDNES")
    running.command("create-unit", "--name", "Sandviken barnehage", "--code", "SANDVIKEN")
    for email, name, unit in (("lise@bergen.example", "Lise Lister", "Nordnes skole"),
                              ("kai@bergen.example", "Kai Krav", "Sandviken barnehage")):
        running.command("create-user", "--email", email, "--name", name, "--unit", unit,
                        "--role", "member", password=PASSWORD)
    yield running
    running.stop()


def api(cluster: Cluster, email: str) -> requests.Session:
    session = requests.Session()
    token = cluster.command("create-token", "--email", email).split()[0]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def sign_in(host: str, email: str, password: str) -> tuple[requests.Session, str]:
    """The browser, and the page a refused sign-in answers with ('' when signed in)."""
    browser = requests.Session()
    form = browser.get(f"{host}/login", timeout=10).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = browser.post(f"{host}/login", timeout=10, allow_redirects=False,
                          data={"csrf_token": csrf, "email": email, "password": password})
    return browser, "" if answer.status_code == 302 else answer.text


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 80)).save(out, "JPEG")
    return out.getvalue()


def owner_of_port(port: int, processes: list[subprocess.Popen]) -> subprocess.Popen:
    """The process whose TCP socket has this local port (Linux /proc, no extra library)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for process in processes:
        for fd in Path(f"/proc/{process.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return process
    raise AssertionError(f"no worker has local port {port}")


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.2)


def test_two_hosts_and_two_workers_share_one_truth(cluster, mail_server, shared_database):
    first, second = cluster.host("host-a"), cluster.host("host-b")
    hosts = (first, second)

    # Signed in on one host is signed in on the other: the session is the shared key's.
    browser, refused = sign_in(first, "kai@bergen.example", PASSWORD)
    assert refused == ""
    assert browser.get(f"{second}/notifications", timeout=10,
                       allow_redirects=False).status_code == 200

    # Items listed through both hosts; a photo uploaded to one is served by both.
    lister, claimant = api(cluster, "lise@bergen.example"), api(cluster, "kai@bergen.example")
    item_ids = []
    for number in range(CLAIMS):
        created = lister.post(f"{hosts[number % 2]}/api/v1/items", timeout=10, json={
            "title": f"Kontorstol {number:02}", "category": "kontorstol", "condition": "good",
            "quantity": 1, "location": {"address": "Rådhusgaten 10"}})
        assert created.status_code == 201, created.text
        item_ids.append(created.json()["id"])
    photo = lister.post(f"{first}/api/v1/items/{item_ids[0]}/photos", timeout=10,
                        files={"photo": ("stol.jpg", jpeg(), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    path = urlsplit(photo.json()["url"]).path  # the address is BASE_URL's; ask each host
    served = [lister.get(f"{host}{path}", timeout=10) for host in hosts]
    assert [answer.status_code for answer in served] == [200, 200]
    assert served[0].content == served[1].content and served[0].content[:2] == b"\xff\xd8"

    # Every item claimed, through both hosts: each claim tells the lister by e-mail.
    for number, item_id in enumerate(item_ids):
        claimed = claimant.post(f"{hosts[number % 2]}/api/v1/items/{item_id}/claims",
                                timeout=10, json={"quantity": 1})
        assert claimed.status_code == 201, claimed.text
    assert mail_server.handler.received == []  # requests only queue; the workers send

    # Two workers; the one sending the tenth message is killed while it is in flight.
    mail_server.handler.hold_subject = "Ny forespørsel: Kontorstol 09"
    workers = [cluster.worker("worker-1"), cluster.worker("worker-2")]
    assert mail_server.handler.holding.wait(60), cluster.output("worker-1")
    killed = owner_of_port(mail_server.handler.held_from_port, workers)
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    mail_server.handler.let_go.set()

    engine = create_engine(shared_database)
    with engine.connect() as connection:
        expected = Counter(connection.execute(text(
            "SELECT u.email, n.subject FROM notification n "
            "JOIN user_account u ON u.id = n.user_id")).tuples())
        claims = connection.execute(text("SELECT count(*) FROM claim")).scalar()
    engine.dispose()
    assert claims == CLAIMS
    assert expected[("lise@bergen.example", "Ny forespørsel: Kontorstol 09")] == 1
    wait_for(lambda: len(mail_server.handler.received) >= sum(expected.values()), 60,
             "every e-mail")
    time.sleep(4)  # longer than the lease: anything sent twice would have been by now
    assert Counter(mail_server.handler.received) == expected
    assert set(Counter(mail_server.handler.received).values()) == {1}

    # Failed logins count against one limit, whichever host they reach.
    for attempt in range(4):
        _browser, said = sign_in(hosts[attempt % 2], "lise@bergen.example", "feil passord")
        assert "For mange mislykkede forsøk" not in said
    _browser, said = sign_in(second, "lise@bergen.example", "feil passord")
    assert "For mange mislykkede forsøk" in said
