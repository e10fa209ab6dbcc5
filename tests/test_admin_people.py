"""Administration of people, API and SCIM tokens and the audit log in the browser (issue 16):
who may see and change whom, what changes, what the audit trail says, and that a changed
person's sessions end."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from reuse.extensions import db as _db
from reuse.models import ApiToken, AuditEvent, Role, ScimToken, utcnow
from reuse.services import audit, scim_tokens, tokens, users
from tests.conftest import page_text


def table_text(response, table_id: str) -> str:
    """The visible text of one table of the page (not the filters' choices above it)."""
    html = response.get_data(as_text=True)
    start = html.index(f'id="{table_id}"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:html.index("</table>", start)]))


def events(action: str) -> list[AuditEvent]:
    return list(_db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def sub_unit(people, make_unit):
    """A unit under the school, so the school's unit admin administers it too."""
    return make_unit("Møhlenpris skole SFO", parent=people.school)


# -- who may open what -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/people", "/admin/tokens", "/admin/audit",
                                  "/admin/scim-tokens/new"])
def test_a_member_is_refused_every_page(people, log_in, path):
    client = log_in(people.member)
    assert client.get(path).status_code == 403


def test_a_member_is_refused_a_persons_page_and_every_change(people, log_in):
    client = log_in(people.member)
    colleague = people.colleague.id
    assert client.get(f"/admin/people/{colleague}").status_code == 403
    assert client.submit(f"/admin/people/{colleague}/role",
                         {"role": "unit_admin"}).status_code == 403
    assert client.submit(f"/admin/people/{colleague}/deactivate",
                         {"confirm": "yes"}).status_code == 403
    _db.session.refresh(people.colleague)
    assert people.colleague.role == "member" and people.colleague.active


def test_a_unit_admin_finds_only_the_people_of_their_unit_and_below(people, log_in, make_user,
                                                                    sub_unit):
    below = make_user(sub_unit, name="Sigrid Under")
    client = log_in(people.unit_admin)
    text = page_text(client.get("/admin/people"))
    assert "Kari Nordmann" in text and "Sigrid Under" in text
    assert "Lars Vik" not in text and "Per Admin" not in text
    # Asking for another unit's people by its id finds nobody.
    text = page_text(client.get(f"/admin/people?unit={people.kindergarten.id}"))
    assert "Lars Vik" not in text and "0 personer" in text
    assert below.name in page_text(client.get(f"/admin/people?unit={sub_unit.id}"))


def test_a_unit_admin_cannot_see_or_change_a_person_outside_their_units(people, log_in):
    client = log_in(people.unit_admin)
    outsider = people.outsider.id
    assert client.get(f"/admin/people/{outsider}").status_code == 404
    assert client.get("/admin/people/999999").status_code == 404
    for action, data in [("role", {"role": "unit_admin"}),
                         ("unit", {"unit": str(people.school.id)}),
                         ("deactivate", {"confirm": "yes"}), ("anonymise", {"confirm": "yes"}),
                         ("reactivate", {}), ("tokens/new", {"label": "x"})]:
        assert client.submit(f"/admin/people/{outsider}/{action}", data).status_code == 404
    _db.session.refresh(people.outsider)
    assert people.outsider.role == "member" and people.outsider.active
    assert people.outsider.unit_id == people.kindergarten.id
    assert not _db.session.scalar(select(ApiToken).where(ApiToken.user_id == outsider))


def test_a_unit_admin_cannot_grant_admin_or_sustainability(people, log_in):
    client = log_in(people.unit_admin)
    for role in ("admin", "sustainability"):
        response = client.submit(f"/admin/people/{people.member.id}/role", {"role": role})
        assert response.status_code == 403
    _db.session.refresh(people.member)
    assert people.member.role == "member"
    # The chooser offers only what they may give.
    html = client.get(f"/admin/people/{people.member.id}").get_data(as_text=True)
    assert 'value="unit_admin"' in html and 'value="admin"' not in html


def test_a_unit_admin_cannot_change_their_own_role(people, log_in):
    client = log_in(people.unit_admin)
    response = client.submit(f"/admin/people/{people.unit_admin.id}/role", {"role": "member"})
    assert response.status_code == 403
    assert "Du kan ikke endre din egen rolle." in page_text(
        client.get(f"/admin/people/{people.unit_admin.id}"))
    _db.session.refresh(people.unit_admin)
    assert people.unit_admin.role == "unit_admin"


def test_an_admin_cannot_change_their_own_role(people, log_in):
    client = log_in(people.admin)
    assert client.submit(f"/admin/people/{people.admin.id}/role",
                         {"role": "member"}).status_code == 403
    _db.session.refresh(people.admin)
    assert people.admin.role == "admin"


def test_a_unit_admin_cannot_close_the_account_of_an_admin_in_their_unit(people, log_in,
                                                                        make_user):
    placed = make_user(people.school, Role.ADMIN, name="Admin på skolen")
    client = log_in(people.unit_admin)
    assert client.get(f"/admin/people/{placed.id}").status_code == 200
    assert client.submit(f"/admin/people/{placed.id}/deactivate",
                         {"confirm": "yes"}).status_code == 403
    assert client.submit(f"/admin/people/{placed.id}/tokens/new", {}).status_code == 403
    _db.session.refresh(placed)
    assert placed.active


def test_a_unit_admin_cannot_move_someone_out_of_their_units(people, log_in):
    client = log_in(people.unit_admin)
    response = client.submit(f"/admin/people/{people.member.id}/unit",
                             {"unit": str(people.kindergarten.id)})
    assert response.status_code == 403
    _db.session.refresh(people.member)
    assert people.member.unit_id == people.school.id


# -- changes, their audit events and the sessions they end -----------------------------------

def test_changing_a_role_is_audited_and_ends_the_persons_sessions(app, people, log_in):
    member_client = app.test_client()
    from tests.conftest import login
    assert login(member_client, people.member).status_code == 302
    assert member_client.get("/claims").status_code == 200

    client = log_in(people.unit_admin)
    response = client.submit(f"/admin/people/{people.member.id}/role", {"role": "unit_admin"})
    assert response.status_code == 302
    _db.session.refresh(people.member)
    assert people.member.role == "unit_admin"
    [event] = events("user.role_changed")
    assert event.actor_id == people.unit_admin.id and event.object_id == people.member.id
    assert json.loads(event.details) == {"before": "member", "after": "unit_admin"}
    # The member's own session is over: they must sign in again.
    assert member_client.get("/claims").status_code == 302


def test_moving_a_person_is_audited_and_ends_their_sessions(app, people, log_in, sub_unit):
    from tests.conftest import login

    member_client = app.test_client()
    login(member_client, people.member)
    client = log_in(people.unit_admin)
    response = client.submit(f"/admin/people/{people.member.id}/unit",
                             {"unit": str(sub_unit.id)})
    assert response.status_code == 302
    _db.session.refresh(people.member)
    assert people.member.unit_id == sub_unit.id
    [event] = events("user.unit_changed")
    assert event.actor_id == people.unit_admin.id
    assert json.loads(event.details)["after_name"] == "Møhlenpris skole SFO"
    assert member_client.get("/claims").status_code == 302


def test_a_unit_admin_moved_to_another_unit_becomes_a_member_there(app, people, log_in):
    # Their administration was of the old unit; the new one's admins decide about the new.
    client = log_in(people.admin)
    response = client.submit(f"/admin/people/{people.unit_admin.id}/unit",
                             {"unit": str(people.kindergarten.id)})
    assert response.status_code == 302
    _db.session.refresh(people.unit_admin)
    assert people.unit_admin.unit_id == people.kindergarten.id
    assert people.unit_admin.role == Role.MEMBER.value
    [event] = events("user.unit_changed")
    assert json.loads(event.details)["role_before"] == Role.UNIT_ADMIN.value


def test_a_closed_unit_is_not_offered_and_cannot_be_chosen(people, log_in, sub_unit):
    sub_unit.closed_at = utcnow()
    _db.session.commit()
    client = log_in(people.unit_admin)
    html = client.get(f"/admin/people/{people.member.id}").get_data(as_text=True)
    move_form = html[html.index('id="unit-heading"'):]
    assert f'value="{sub_unit.id}"' not in move_form
    response = client.submit(f"/admin/people/{people.member.id}/unit",
                             {"unit": str(sub_unit.id)})
    assert response.status_code == 422
    assert "er nedlagt" in page_text(response)
    _db.session.refresh(people.member)
    assert people.member.unit_id == people.school.id


def test_deactivating_asks_first_then_names_the_administrator(people, log_in):
    tokens.create_token(people.member, "skript")
    _db.session.commit()
    client = log_in(people.unit_admin)
    path = f"/admin/people/{people.member.id}/deactivate"
    assert "1 aktiv API-nøkkel trekkes tilbake." in page_text(client.get(path))
    # Posting without the confirmation changes nothing.
    assert client.submit(path, {}).status_code == 200
    _db.session.refresh(people.member)
    assert people.member.active
    assert client.submit(path, {"confirm": "yes"}).status_code == 302
    _db.session.refresh(people.member)
    assert not people.member.active
    [event] = events("user.deactivated")
    assert event.actor_id == people.unit_admin.id
    assert all(token.revoked_at for token in tokens.tokens_of(people.member))

    assert client.submit(f"/admin/people/{people.member.id}/reactivate").status_code == 302
    _db.session.refresh(people.member)
    assert people.member.active
    [event] = events("user.reactivated")
    assert event.actor_id == people.unit_admin.id


def test_anonymising_keeps_the_row_and_names_the_administrator(people, log_in):
    client = log_in(people.admin)
    path = f"/admin/people/{people.member.id}/anonymise"
    text = page_text(client.get(path))
    assert "Dette blir stående" in text and "Alle tall i rapportene" in text
    assert client.submit(path, {"confirm": "yes"}).status_code == 302
    _db.session.refresh(people.member)
    assert people.member.name.startswith("Anonymisert bruker")
    assert not people.member.active
    assert [e.actor_id for e in events("user.anonymised")] == [people.admin.id]
    assert [e.actor_id for e in events("user.deactivated")] == [people.admin.id]
    # There is nobody to give an anonymised account back to.
    assert client.submit(f"/admin/people/{people.member.id}/reactivate").status_code == 409


def test_nobody_deactivates_themselves_here(people, log_in):
    client = log_in(people.admin)
    assert client.submit(f"/admin/people/{people.admin.id}/deactivate",
                         {"confirm": "yes"}).status_code == 403


def test_search_is_case_insensitive_and_filters_by_status(people, log_in, db):
    users.deactivate(people.colleague)
    db.session.commit()
    client = log_in(people.admin)
    text = page_text(client.get("/admin/people?q=KARI"))
    assert "Kari Nordmann" in text and "Lars Vik" not in text
    text = page_text(client.get("/admin/people?q=LARS%40bergen"))
    assert "Lars Vik" in text
    text = page_text(client.get("/admin/people?status=deactivated"))
    assert "Knut Kollega" in text and "Kari Nordmann" not in text
    text = page_text(client.get("/admin/people?status=active"))
    assert "Knut Kollega" not in text and "Kari Nordmann" in text


def test_the_people_list_is_paged(people, log_in, make_user, db):
    for number in range(users.PEOPLE_PER_PAGE + 1):
        make_user(people.kindergarten, name=f"Ansatt {number:03d}")
    client = log_in(people.admin)
    html = client.get("/admin/people?q=Ansatt").get_data(as_text=True)
    assert "Ansatt 000" in html and 'rel="next"' in html
    assert "Ansatt 050" in page_text(client.get("/admin/people?q=Ansatt&page=2"))


# -- tokens ------------------------------------------------------------------------------------

def test_an_api_token_is_shown_once_and_works_until_revoked(app, people, log_in):
    client = log_in(people.unit_admin)
    response = client.submit(f"/admin/people/{people.member.id}/tokens/new",
                             {"label": "Innkjøp", "expires_in_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "Kopier den nå; den vises ikke igjen." in text
    plain = re.search(r'value="(reuse_[^"]+)"', response.get_data(as_text=True)).group(1)
    assert tokens.user_for_token(plain).id == people.member.id
    _db.session.commit()  # the use is recorded; SQLite lets one writer in at a time
    [event] = events("api_token.created")
    assert event.actor_id == people.unit_admin.id
    token = _db.session.scalar(select(ApiToken))
    assert token.expires_at is not None
    # The list shows it, never its text.
    listed = client.get("/admin/tokens").get_data(as_text=True)
    assert "Innkjøp" in listed and plain not in listed
    assert plain not in client.get(f"/admin/people/{people.member.id}").get_data(as_text=True)

    path = f"/admin/tokens/{token.id}/revoke"
    _db.session.commit()
    assert "slutter å virke" in page_text(client.get(path))
    assert client.submit(path, {"confirm": "yes"}).status_code == 302
    assert tokens.user_for_token(plain) is None
    [event] = events("api_token.revoked")
    assert event.actor_id == people.unit_admin.id


def test_a_unit_admin_sees_and_revokes_only_their_peoples_tokens(people, log_in):
    own, _ = tokens.create_token(people.member, "Kari sin")
    other, _ = tokens.create_token(people.outsider, "Lars sin")
    _db.session.commit()
    client = log_in(people.unit_admin)
    text = page_text(client.get("/admin/tokens"))
    assert "Kari sin" in text and "Lars sin" not in text
    assert "SCIM-nøkler" not in text
    assert client.get(f"/admin/tokens/{other.id}/revoke").status_code == 404
    assert client.submit(f"/admin/tokens/{other.id}/revoke",
                         {"confirm": "yes"}).status_code == 404
    _db.session.refresh(other)
    assert other.revoked_at is None


def test_scim_tokens_are_for_admins_only(people, log_in):
    token, _ = scim_tokens.create_token(people.admin, "Entra")
    _db.session.commit()
    client = log_in(people.unit_admin)
    assert client.get("/admin/scim-tokens/new").status_code == 403
    assert client.submit("/admin/scim-tokens/new", {"label": "x"}).status_code == 403
    assert client.submit(f"/admin/scim-tokens/{token.id}/revoke",
                         {"confirm": "yes"}).status_code == 403
    assert _db.session.scalar(select(ScimToken).where(ScimToken.label == "x")) is None


def test_an_admin_creates_and_revokes_a_scim_token(people, log_in):
    client = log_in(people.admin)
    response = client.submit("/admin/scim-tokens/new", {"label": "Entra ID"})
    assert response.status_code == 201
    plain = re.search(r'value="(reuse_scim_[^"]+)"', response.get_data(as_text=True)).group(1)
    assert scim_tokens.authenticate(plain) is not None
    token = _db.session.scalar(select(ScimToken))
    _db.session.commit()
    assert "Entra ID" in page_text(client.get("/admin/tokens"))
    assert client.submit(f"/admin/scim-tokens/{token.id}/revoke",
                         {"confirm": "yes"}).status_code == 302
    _db.session.rollback()  # read what the request committed
    assert scim_tokens.authenticate(plain) is None
    assert [e.actor_id for e in events("scim_token.revoked")] == [people.admin.id]


# -- the audit log -----------------------------------------------------------------------------

@pytest.fixture
def some_events(people, db):
    users.change_role(people.colleague, "unit_admin", by=people.admin)  # about their person
    users.change_role(people.outsider, "unit_admin", by=people.admin)   # about someone else
    tokens.create_token(people.member, "Kari sin")                      # by their person
    tokens.create_token(people.outsider, "Lars sin")                    # by someone else
    db.session.commit()


def test_a_unit_admin_reads_only_events_by_or_about_their_people(people, log_in, some_events):
    client = log_in(people.unit_admin)
    rows = table_text(client.get("/admin/audit"), "audit-table")
    assert "Knut Kollega" in rows and "Kari Nordmann" in rows
    assert "Lars Vik" not in rows


def test_an_admin_reads_every_event(people, log_in, some_events):
    client = log_in(people.admin)
    rows = table_text(client.get("/admin/audit"), "audit-table")
    assert "Lars Vik" in rows and "Knut Kollega" in rows


def test_the_log_filters_by_who_what_and_when(people, log_in, db):
    users.change_role(people.member, "unit_admin", by=people.admin)
    users.deactivate(people.colleague)  # by the system: no actor
    db.session.commit()
    client = log_in(people.admin)
    text = table_text(client.get("/admin/audit?who=system"), "audit-table")
    assert "Bruker deaktivert" in text and "Rolle endret" not in text
    text = table_text(client.get("/admin/audit?who=PER+ADMIN"), "audit-table")
    assert "Rolle endret" in text and "Bruker deaktivert" not in text
    text = page_text(client.get("/admin/audit?action=user.role_changed"))
    assert "1 hendelse" in text
    html = client.get("/admin/audit").get_data(as_text=True)
    assert f'href="/admin/people/{people.member.id}"' in html
    assert 'value="user.role_changed"' in html  # the actions that occur are offered
    text = page_text(client.get("/admin/audit?from=2000-01-01&to=2000-12-31"))
    assert "0 hendelser" in text
    assert client.get("/admin/audit?from=not-a-date").status_code == 422


def test_an_unknown_action_is_shown_as_stored(people, log_in, db):
    audit.record(people.admin, "unit.renamed_somehow", people.school)
    db.session.commit()
    client = log_in(people.admin)
    assert "unit.renamed_somehow" in page_text(client.get("/admin/audit"))


def test_every_administration_page_has_one_heading_and_csrf_tokens(people, log_in, db):
    token, _ = tokens.create_token(people.member, "skript")
    scim, _ = scim_tokens.create_token(people.admin, "Entra")
    db.session.commit()
    client = log_in(people.admin)
    member = people.member.id
    for path in ["/admin/", "/admin/people", f"/admin/people/{member}",
                 f"/admin/people/{member}/deactivate", f"/admin/people/{member}/anonymise",
                 f"/admin/people/{member}/tokens/new", "/admin/tokens",
                 f"/admin/tokens/{token.id}/revoke", "/admin/scim-tokens/new",
                 f"/admin/scim-tokens/{scim.id}/revoke", "/admin/audit"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert len(re.findall(r"<h1\b", html)) == 1, path
        for form in re.findall(r"<form\b[^>]*method=\"post\".*?</form>", html, flags=re.S):
            assert 'name="csrf_token"' in form, f"{path}: {form[:200]}"


def test_every_administration_page_leads_back_to_the_administration_first(people, log_in, db,
                                                                         catalog):
    token, _ = tokens.create_token(people.member, "skript")
    scim, _ = scim_tokens.create_token(people.admin, "Entra")
    db.session.commit()
    client = log_in(people.admin)
    member, school = people.member.id, people.school.id
    pages = {path: client.get(path) for path in [
        "/admin/units", "/admin/units/new", "/admin/units/import", f"/admin/units/{school}",
        f"/admin/units/{school}/close", "/admin/people", f"/admin/people/{member}",
        f"/admin/people/{member}/deactivate", f"/admin/people/{member}/anonymise",
        f"/admin/people/{member}/tokens/new", "/admin/tokens", f"/admin/tokens/{token.id}/revoke",
        "/admin/scim-tokens/new", f"/admin/scim-tokens/{scim.id}/revoke", "/admin/audit",
        "/admin/categories", "/admin/categories/kontorstol"]}
    # The page that shows a new token once, too.
    pages["token created"] = client.submit("/admin/scim-tokens/new", {"label": "Ny kobling"})
    first_crumbs = {}
    for name, response in pages.items():
        assert response.status_code in {200, 201}, name
        crumbs = re.search(r'<nav aria-label="Brødsmulesti"[^>]*>(.*?)</nav>',
                           response.get_data(as_text=True), flags=re.S)
        first_crumbs[name] = crumbs and re.search(r'href="([^"]+)"', crumbs.group(1)).group(1)
    assert {name: first for name, first in first_crumbs.items() if first != "/admin/"} == {}
