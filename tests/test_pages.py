"""Properties every page must have, checked across the whole site."""

from __future__ import annotations

import re

import pytest

from reuse.services import checks, claims, wanted


@pytest.fixture
def site(people, make_item, db):
    """One of everything, so every page has something to show."""
    item = make_item(people.outsider, title="Kontorstoler", quantity=4)
    claim = claims.claim_item(people.member, item, 1)
    check = checks.create_check(people.member, "stoler")
    wanted.create_request(people.member, words="sofa")
    db.session.commit()
    return {"item": item, "claim": claim, "check": check}


def pages(site) -> list[str]:
    item, claim, check = site["item"].id, site["claim"].id, site["check"].id
    return ["/", "/?q=stol", f"/items/{item}", "/items/new", "/my-unit/items", "/claims",
            "/claims/incoming", f"/claims/{claim}", "/notifications", "/checks/new",
            f"/checks/{check}", "/checks", "/wanted"]


def test_every_post_form_carries_a_csrf_token(client, people, site, log_in):
    """The test client adds tokens itself; a browser only sends what the page holds."""
    log_in(people.member)
    for path in pages(site):
        html = client.get(path).get_data(as_text=True)
        for form in re.findall(r"<form\b[^>]*method=\"post\".*?</form>", html, flags=re.S):
            assert 'name="csrf_token"' in form, f"{path}: {form[:200]}"


def test_every_page_has_one_main_heading_and_a_skip_link(client, people, site, log_in):
    log_in(people.member)
    for path in pages(site):
        html = client.get(path).get_data(as_text=True)
        assert len(re.findall(r"<h1\b", html)) == 1, path
        assert 'href="#main"' in html and 'id="main"' in html, path
        assert '<html lang="nb"' in html, path
