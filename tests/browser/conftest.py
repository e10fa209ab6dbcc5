"""A live server on the test database and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the browser tests are skipped with a message saying so, unless
REUSE_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
UNREAD = 12  # two digits: the widest badge a busy unit sees


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("REUSE_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REUSE_REQUIRE_BROWSER=1 but {CHROMIUM} is missing "
                                "(apt-get install -y chromium)")
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: browser tests skipped "
                                   "(apt-get install -y chromium to run them)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID provider (oidc-provider-mock) on localhost, as tests/test_oidc.py runs it;
    its address, the issuer."""
    from oidc_provider_mock import app as provider_app

    server = make_server("localhost", 0, provider_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    yield f"http://localhost:{server.server_port}"
    server.shutdown()
    thread.join(5)
    server.server_close()


SSO_SETTINGS = ("BASE_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET",
                "OIDC_UNIT_CLAIM", "PASSWORD_LOGIN")
SSO_UNIT_CLAIM = "enhetskode"


@pytest.fixture
def sso_live_server(app, live_server, oidc_provider):
    """The live server signing people in through oidc_provider, for one test: BASE_URL is the
    live server's own address (the provider sends the browser back to it). Every other browser
    test sees the settings as they were."""
    saved = {name: app.config[name] for name in SSO_SETTINGS}
    app.config.update(BASE_URL=live_server, OIDC_ISSUER=oidc_provider,
                      OIDC_CLIENT_ID="gjenbruk-browser", OIDC_CLIENT_SECRET="hemmelig",
                      OIDC_UNIT_CLAIM=SSO_UNIT_CLAIM)
    app.extensions.pop("reuse.oidc", None)  # discovery again, from this provider
    yield live_server
    app.config.update(saved)
    app.extensions.pop("reuse.oidc", None)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Open a page in a fresh browser context (its own cookies), phone-sized if asked."""
    contexts = []

    def open_page(*, phone: bool = False, locale: str = "nb-NO"):
        options = {"base_url": live_server, "locale": locale}
        if phone:
            options.update(viewport={"width": 375, "height": 812}, device_scale_factor=2,
                           is_mobile=True, has_touch=True)
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def unread(people, db):
    """Kari (people.member) has UNREAD notifications waiting, as a lister whose things other
    units ask for: the header must fit with the badge showing."""
    from reuse.services import notifications

    for number in range(UNREAD):
        notifications.notify(people.member, "claim_created", f"Ny forespørsel {number}",
                             "Noen vil ha tingen.", link="/claims/incoming")
    db.session.commit()
    notifications.deliver_committed()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
