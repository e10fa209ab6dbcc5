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
