"""Administration in the browser: who may open it, and what each administrator sees."""

from tests.conftest import page_text


def test_members_and_the_sustainability_lead_have_no_administration(people, log_in, client):
    log_in(people.member)
    assert client.get("/admin/").status_code == 403
    assert "Administrasjon" not in page_text(client.get("/"))


def test_a_unit_admin_administers_their_unit_and_below(people, log_in, client):
    log_in(people.unit_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "Du administrerer Møhlenpris skole og enhetene under." in page_text(response)
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_an_admin_administers_the_whole_municipality(people, log_in, client):
    log_in(people.admin)
    assert "Du administrerer hele kommunen." in page_text(client.get("/admin/"))


def test_a_unit_admin_does_not_read_what_an_admin_placed_in_their_unit_did_elsewhere(
        people, make_user, db):
    from reuse.models import Role
    from reuse.services import audit, scim_tokens, units

    admin_at_the_school = make_user(people.school, Role.ADMIN)
    units.rename_unit(admin_at_the_school, people.kindergarten, "Landås barnehage avd. 2")
    scim_tokens.create_token(admin_at_the_school, "Entra ID")
    db.session.commit()

    seen = audit.events(people.unit_admin, audit.EventFilter()).rows
    assert not [event for event in seen if event.actor_id == admin_at_the_school.id]
    assert audit.events(people.admin, audit.EventFilter(who=admin_at_the_school.name)).rows


def test_the_audit_log_takes_any_date_without_failing(people, log_in, client):
    log_in(people.admin)
    assert client.get("/admin/audit?to=9999-12-31").status_code == 200
    assert client.get("/admin/audit?from=0001-01-01").status_code == 200
