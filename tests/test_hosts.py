"""Links in e-mails come from BASE_URL, and only requests for the site's own hosts are served.

The attack: POST /password/forgot with `Host: evil.example` (or `X-Forwarded-Host`) mailed
the victim a valid reset token on the attacker's host.
"""

from __future__ import annotations

import re

import pytest

from reuse import create_app
from reuse.config import ConfigError, load_config, trusted_hosts
from reuse.extensions import db as _db

RESET_LINK = re.compile(r"https?://\S+/password/reset/\S+")


def mailed_links(mailbox, address: str) -> list[str]:
    return [link for mail in mailbox.to(address) for link in RESET_LINK.findall(mail.get_content())]


def test_the_reset_link_is_on_base_url_whatever_host_the_request_named(client, people,
                                                                       mailbox):
    response = client.submit("/password/forgot", {"email": people.member.email},
                             base_url="http://localhost")
    assert response.status_code == 302
    [link] = mailed_links(mailbox, people.member.email)
    assert link.startswith("https://gjenbruk.test/password/reset/")


def test_a_request_for_a_host_that_is_not_ours_is_refused(app, client, people, mailbox,
                                                          monkeypatch):
    # The attacker fetches the form (and its CSRF token) on their own host first; the test
    # client keeps cookies per host, so leave the token out rather than imitate that.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    response = client.post("/password/forgot", data={"email": people.member.email},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert mailbox.to(people.member.email) == []


def test_a_form_without_its_token_sent_to_another_host_is_a_plain_400(client, people):
    response = client.post("/password/forgot", data={"email": people.member.email},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)


def test_an_api_request_to_another_host_is_a_json_400(api, people):
    response = api(people.member).get("/api/v1/items", base_url="http://evil.example")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"


@pytest.mark.parametrize("host", ["gjenbruk.test", "localhost", "127.0.0.1:5000"])
def test_base_url_host_and_development_loopback_are_served(client, host):
    assert client.get("/login", headers={"Host": host}).status_code == 200


@pytest.fixture
def proxied_app(app):
    """The app as deployed behind one reverse proxy (TRUSTED_PROXIES=1)."""
    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})
    proxied.test_client_class = app.test_client_class
    yield proxied
    with proxied.app_context():
        _db.engine.dispose()


def test_x_forwarded_host_changes_neither_the_host_served_nor_the_link(proxied_app, people,
                                                                      mailbox):
    client = proxied_app.test_client()
    response = client.submit("/password/forgot", {"email": people.member.email},
                             headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 302
    [link] = mailed_links(mailbox, people.member.email)
    assert link.startswith("https://gjenbruk.test/password/reset/")


def test_the_proxy_still_tells_the_client_address_and_scheme(proxied_app):
    client = proxied_app.test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https",
                                              "X-Forwarded-For": "203.0.113.9"})
    # HSTS is only sent over TLS: the proxy's word that the client used https counts.
    assert "Strict-Transport-Security" in response.headers


# -- configuration --------------------------------------------------------------------------

def test_production_refuses_to_start_without_base_url(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("REUSE_ENV", raising=False)
    monkeypatch.delenv("BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config(tmp_path)


@pytest.mark.parametrize("url", ["gjenbruk.bergen.kommune.no", "ftp://gjenbruk.example",
                                 "https://", "https://gjenbruk.example/?next=x"])
def test_a_base_url_that_is_not_an_address_is_a_clear_error(tmp_path, monkeypatch, url):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("BASE_URL", url)
    with pytest.raises(ConfigError, match="BASE_URL must look like"):
        load_config(tmp_path)


def test_trusted_hosts_are_base_url_and_the_extra_ones_and_loopback_only_in_development(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("BASE_URL", "https://Gjenbruk.Bergen.Kommune.no/")
    monkeypatch.setenv("TRUSTED_HOSTS", "gjenbruk-intern.bergen.kommune.no, 10.0.0.5")
    monkeypatch.delenv("REUSE_ENV", raising=False)
    config = load_config(tmp_path)
    assert config["BASE_URL"] == "https://Gjenbruk.Bergen.Kommune.no"
    assert trusted_hosts(config) == ["gjenbruk.bergen.kommune.no",
                                     "gjenbruk-intern.bergen.kommune.no", "10.0.0.5"]
    monkeypatch.setenv("REUSE_ENV", "development")
    assert {"127.0.0.1", "localhost"} <= set(trusted_hosts(load_config(tmp_path)))
