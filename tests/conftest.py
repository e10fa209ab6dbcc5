"""Fixtures: the app on a migrated database (SQLite, or PostgreSQL with REUSE_TEST_DB=postgres),
a browser-like client that fills in CSRF tokens, each test starting from empty tables, and
factories for units, people and items."""

from __future__ import annotations

import io
import os
import re
import socket
import tempfile
from dataclasses import dataclass
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from PIL import Image
from sqlalchemy import create_engine, text, update

from reuse import create_app
from reuse.extensions import db as _db
from reuse.extensions import limiter
from reuse.models import Base, Item, Partner, PartnerKind, ReuseCheck, Role, Unit, User
from reuse.services import categories, items, units, users

PASSWORD = "riktig-hest-batteri-stift"


def _database_url(tmp_dir: Path) -> str:
    if os.environ.get("REUSE_TEST_DB") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("REUSE_TEST_DB=postgres needs TEST_DATABASE_URL", returncode=2)
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


def _reset_postgres(url: str) -> None:
    """Start from an empty schema; fail loudly (never skip) if PostgreSQL is not there."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    except Exception as exc:  # any failure to reach it must stop the run, not skip tests
        pytest.exit(f"PostgreSQL at {url} is not usable: {exc}", returncode=2)
    finally:
        engine.dispose()


def settings_for_tests(database_url: str, upload_dir: Path, smtp_server) -> dict:
    """What the tests change in the defaults (reuse/config.py); everything else is as deployed."""
    return {
        "TESTING": True,
        "REUSE_ENV": "development",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "https://gjenbruk.test",
        "UPLOAD_DIR": str(upload_dir),
        # Limits low enough for a test to reach.
        "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
        "PHOTOS_PER_ITEM": 4,
        "LOGIN_LIMIT_PER_ACCOUNT": "15 per hour",
        "LOGIN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
        "MAIL_SERVER": smtp_server.hostname,
        "MAIL_PORT": smtp_server.port,
        "MAIL_SENDER": "Gjenbruk <gjenbruk@bergen.example>",
    }


class BrowserClient(FlaskClient):
    """A test client that behaves like a browser posting our forms: it sends the CSRF token.

    Each request runs in an application context of its own, as in production: otherwise the
    test's context (and its `g`, where Flask-Login keeps the current user) would be shared by
    every request, and a second client would act as the first one's user.
    """

    def open(self, *args, **kwargs):
        # Buffered: the answer is read whole and closed, as a server does once it has written
        # it, so what runs on close (e-mail) has run. buffered=False keeps it open.
        kwargs.setdefault("buffered", True)
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def submit(self, url: str, data: dict | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.post(url, data=data, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return serializer.dumps(raw)


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received (aiosmtpd), as parsed messages."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.recipients: list[str] = []  # the envelope's (RCPT TO), whatever the headers say

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=email_policy.default))
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    smtp_server.handler.messages.clear()
    smtp_server.handler.recipients.clear()
    return smtp_server.handler


@pytest.fixture(scope="session")
def app(smtp_server):
    tmp_dir = Path(tempfile.mkdtemp(prefix="reuse-tests-"))
    url = _database_url(tmp_dir)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    app = create_app(settings_for_tests(url, tmp_dir / "uploads", smtp_server))
    app.test_client_class = BrowserClient
    # Cheap hashing in tests; production keeps argon2id's default cost.
    users.configure_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def db(app):
    """Each test gets empty tables, an empty upload folder, fresh rate limits and a context."""
    limiter.reset()
    with app.app_context():
        yield _db
        _db.session.rollback()
        # A check points at its claim and a claim at its check: break that cycle first.
        _db.session.execute(update(ReuseCheck).values(claim_id=None))
        for table in reversed(Base.metadata.sorted_tables):
            _db.session.execute(table.delete())
        _db.session.commit()
        _db.session.remove()
    for path in Path(app.config["UPLOAD_DIR"]).glob("*"):
        path.unlink()


@pytest.fixture
def client(app) -> BrowserClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def api(app, db):
    """A JSON client acting through a bearer token of the given user."""
    from reuse.services import tokens

    class Api:
        def __init__(self, user: User):
            _, self.token = tokens.create_token(user, "tests")
            db.session.commit()
            self.client = app.test_client()

        def _headers(self, extra=None):
            return {"Authorization": f"Bearer {self.token}", **(extra or {})}

        def get(self, path: str, **kwargs):
            return self.client.get(path, headers=self._headers(), **kwargs)

        def post(self, path: str, json=None, **kwargs):
            return self.client.post(path, json=json, headers=self._headers(), **kwargs)

    return Api


@pytest.fixture
def catalog(db):
    categories.load_defaults()
    db.session.commit()


# -- factories ---------------------------------------------------------------------------

_counter = iter(range(1, 1_000_000))


@pytest.fixture
def make_unit(db):
    def make(name: str | None = None, parent: Unit | None = None) -> Unit:
        unit = units.create_unit(name=name or f"Enhet {next(_counter)}", parent=parent)
        db.session.commit()
        return unit
    return make


@pytest.fixture
def make_user(db, make_unit):
    def make(unit: Unit | None = None, role: Role = Role.MEMBER, name: str | None = None,
             email: str | None = None) -> User:
        number = next(_counter)
        user = users.create_user(email=email or f"person{number}@bergen.example",
                                 name=name or f"Person {number}", unit=unit or make_unit(),
                                 role=role.value, password=PASSWORD)
        db.session.commit()
        return user
    return make


@pytest.fixture
def make_item(db, catalog):
    def make(user: User, **overrides) -> Item:
        details = {
            "title": "Kontorstol",
            "category_id": categories.get_by_slug(overrides.pop("category", "kontorstol")).id,
            "condition": "good",
            "quantity": 1,
            "location_address": "Rådhusgaten 10",
        }
        details.update(overrides)
        item = items.create_item(user, items.ItemDetails(**details))
        db.session.commit()
        return item
    return make


@dataclass
class People:
    """A small organisation: a school and a kindergarten under their etater."""

    school: Unit
    kindergarten: Unit
    member: User  # lists items at the school
    colleague: User  # same school, not the lister
    unit_admin: User  # the school's unit admin
    outsider: User  # a member at the kindergarten
    admin: User


@pytest.fixture
def people(make_unit, make_user) -> People:
    sector = make_unit("Byrådsavdeling for barnehage og skole")
    school_etat = make_unit("Etat for skole", parent=sector)
    kindergarten_etat = make_unit("Etat for barnehage", parent=sector)
    school = make_unit("Møhlenpris skole", parent=school_etat)
    kindergarten = make_unit("Landås barnehage", parent=kindergarten_etat)
    return People(
        school=school,
        kindergarten=kindergarten,
        member=make_user(school, name="Kari Nordmann", email="kari@bergen.example"),
        colleague=make_user(school, name="Knut Kollega"),
        unit_admin=make_user(school, Role.UNIT_ADMIN, name="Ingrid Berg"),
        outsider=make_user(kindergarten, name="Lars Vik", email="lars@bergen.example"),
        admin=make_user(make_unit("Byrådsleders avdeling"), Role.ADMIN, name="Per Admin"),
    )


@dataclass
class Partners:
    """Organisations outside the municipality and their people (each with a password)."""

    county: Partner  # a public body
    trust: Partner  # another public body
    charity: Partner  # a non-profit
    county_person: User
    county_colleague: User  # the same organisation, another person
    trust_person: User
    charity_person: User


@pytest.fixture
def partners(db) -> Partners:
    county = Partner(name="Vestland fylkeskommune", org_number="821311632",
                     kind=PartnerKind.PUBLIC_BODY.value)
    trust = Partner(name="Helse Bergen HF", org_number="983974724",
                    kind=PartnerKind.PUBLIC_BODY.value)
    charity = Partner(name="Kirkens Bymisjon Bergen", org_number="971526327",
                      kind=PartnerKind.NONPROFIT.value)
    db.session.add_all([county, trust, charity])
    db.session.flush()

    def person(partner: Partner, name: str, email: str) -> User:
        user = User(role=Role.PARTNER.value, partner_id=partner.id, unit_id=None, email=email,
                    name=name, password_hash=users.hash_password(PASSWORD))
        db.session.add(user)
        return user

    found = Partners(
        county=county, trust=trust, charity=charity,
        county_person=person(county, "Fylkes Frida", "frida@vlfk.example"),
        county_colleague=person(county, "Fylkes Finn", "finn@vlfk.example"),
        trust_person=person(trust, "Helse Hanne", "hanne@helse-bergen.example"),
        charity_person=person(charity, "Bymisjon Bjørn", "bjorn@bymisjon.example"),
    )
    db.session.commit()
    return found


def login(client: BrowserClient, user: User, password: str = PASSWORD):
    return client.submit("/login", {"email": user.email, "password": password})


@pytest.fixture
def log_in(client):
    def do(user: User) -> BrowserClient:
        response = login(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return do


# -- images ------------------------------------------------------------------------------

def jpeg_bytes(size=(800, 600), colour=(200, 60, 40), exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    if exif is not None:
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def page_text(response) -> str:
    """The visible text of a page, tags stripped and whitespace squeezed, for assertions."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# -- reports: hand-overs on the ledger at a chosen moment ----------------------------------

@pytest.fixture
def hand_over(db, make_item):
    """Collect `quantity` pieces of a new item from `giver` to `receiver` and return the
    reuse record, moved to `when` (a UTC datetime) if given."""
    from decimal import Decimal

    from reuse.services import claims as claim_service

    def do(giver: User, receiver: User, *, quantity: int = 1, category: str = "kontorstol",
           when=None, replaces_purchase: bool = True, costs_nok=None, **item_fields):
        item = make_item(giver, quantity=quantity, category=category, **item_fields)
        claim = claim_service.claim_item(receiver, item, quantity)
        claim_service.approve(giver, claim)
        claim_service.collect(receiver, claim, replaces_purchase=replaces_purchase,
                              costs_nok=Decimal(costs_nok or 0))
        record = claim.reuse_record
        if when is not None:
            record.recorded_at = when
        db.session.commit()
        return record
    return do


def pytest_terminal_summary(terminalreporter):
    """Print the search-quality figures (tests/test_search_quality.py), with or without -s and
    from xdist workers too: they travel as the tests' user properties."""
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
            "failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "search quality" and report.when == "call":
                terminalreporter.write_line(value)
