"""Unit administration in the browser: who may do what, and that every change is audited."""

import io
import re

from sqlalchemy import select

from reuse.models import AuditEvent, Role, Unit
from reuse.web.admin.units import IMPORT_SESSION_KEY
from tests.conftest import page_text


def audited(db, action: str, actor=None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if actor is not None:
        query = query.where(AuditEvent.actor_id == actor.id)
    return list(db.session.scalars(query))


def test_a_member_has_no_unit_administration(people, log_in, client):
    log_in(people.member)
    assert client.get("/admin/units").status_code == 403
    assert client.get(f"/admin/units/{people.school.id}").status_code == 403
    assert client.submit(f"/admin/units/{people.school.id}/rename",
                         {"name": "Nytt"}).status_code == 403


def test_a_unit_admin_cannot_touch_a_unit_outside_their_subtree(people, log_in, client, db):
    log_in(people.unit_admin)
    other = people.kindergarten.id
    assert client.get(f"/admin/units/{other}").status_code == 403
    assert client.submit(f"/admin/units/{other}/rename", {"name": "Kapret"}).status_code == 403
    assert client.submit(f"/admin/units/{other}/close", {"confirm": "yes"}).status_code == 403
    assert client.get("/admin/units/import").status_code == 403
    db.session.expire_all()
    assert db.session.get(Unit, other).name == "Landås barnehage"
    assert db.session.get(Unit, other).closed_at is None


def test_a_unit_admin_creates_and_changes_units_below_their_own(people, log_in, client, db,
                                                                make_unit):
    log_in(people.unit_admin)
    tree = page_text(client.get("/admin/units"))
    assert "Møhlenpris skole" in tree and "Landås barnehage" not in tree
    response = client.submit("/admin/units/new", {"name": "SFO", "code": "",
                                                  "parent": str(people.school.id)})
    assert response.status_code == 302
    sfo = db.session.scalar(select(Unit).where(Unit.name == "SFO"))
    assert sfo.parent_id == people.school.id
    # Not at the top of the tree, and not their own unit.
    assert client.submit("/admin/units/new", {"name": "Topp", "parent": ""}).status_code \
        in (400, 200, 403)
    assert db.session.scalar(select(Unit).where(Unit.name == "Topp")) is None
    assert client.submit(f"/admin/units/{people.school.id}/rename",
                         {"name": "Annet"}).status_code == 403
    assert client.submit(f"/admin/units/{sfo.id}/rename",
                         {"name": "Skolefritidsordningen"}).status_code == 302
    assert client.submit(f"/admin/units/{sfo.id}/move",
                         {"parent": str(people.kindergarten.id)}).status_code == 403
    assert client.submit(f"/admin/units/{sfo.id}/close", {"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, sfo.id).closed_at is not None
    assert [len(audited(db, action, people.unit_admin)) for action in
            ("unit.created", "unit.renamed", "unit.closed")] == [1, 1, 1]


def test_an_admin_moves_a_unit_and_a_cycle_is_a_form_error(people, log_in, client, db):
    log_in(people.admin)
    etat = people.school.parent
    response = client.submit(f"/admin/units/{etat.id}/move", {"parent": str(people.school.id)})
    assert response.status_code == 400
    assert "kan ikke legges under seg selv" in page_text(response)
    response = client.submit(f"/admin/units/{people.school.id}/move",
                             {"parent": str(people.kindergarten.parent_id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, people.school.id).parent_id == people.kindergarten.parent_id
    assert len(audited(db, "unit.moved")) == 1


def test_closing_shows_people_and_open_items_first_and_items_can_move(people, log_in, client,
                                                                      db, make_item):
    item = make_item(people.member, title="Skolepult")
    log_in(people.admin)
    confirm = page_text(client.get(f"/admin/units/{people.school.id}/close"))
    assert "Skolepult" in confirm and "Kari Nordmann" in confirm
    assert client.submit(f"/admin/units/{people.school.id}/close",
                         {"confirm": "yes"}).status_code == 302
    assert "(nedlagt)" in page_text(client.get("/admin/units"))
    moved = client.submit(f"/admin/units/{people.school.id}/move-items",
                          {"target": str(people.kindergarten.id)})
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(item), item.id).unit_id == people.kindergarten.id
    assert len(audited(db, "item.unit_changed")) == 1
    assert client.submit(f"/admin/units/{people.school.id}/reopen", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Unit, people.school.id).closed_at is None


def test_the_import_upload_previews_then_applies_the_kept_file(people, log_in, client, db):
    log_in(people.admin)
    page = client.get("/admin/units/import")
    assert page.status_code == 200
    data = {"csrf_token": client.csrf_token(),
            "file": (io.BytesIO(b"code,name,parent_code\nK1,Kommunen,\nK2,Etat,K1\n"),
                     "units.csv")}
    response = client.post("/admin/units/import", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 302
    preview = page_text(client.get("/admin/units/import/preview"))
    assert "opprettes: K2 Etat" in preview
    assert db.session.scalar(select(Unit).where(Unit.code == "K1")) is None
    assert confirm_import(client).status_code == 302
    assert db.session.scalar(select(Unit).where(Unit.code == "K2")).parent.code == "K1"
    assert len(audited(db, "unit.created", people.admin)) == 2


def upload_units(client, csv: bytes, name: str = "units.csv"):
    client.get("/admin/units/import")
    return client.post("/admin/units/import", content_type="multipart/form-data",
                       data={"csrf_token": client.csrf_token(), "file": (io.BytesIO(csv), name)})


def shown_upload(client) -> str:
    """The upload the preview page's confirmation is for (its hidden field)."""
    html = client.get("/admin/units/import/preview").get_data(as_text=True)
    return re.search(r'name="upload" value="([0-9a-f]+)"', html).group(1)


def confirm_import(client, upload: str | None = None):
    return client.submit("/admin/units/import/preview", {
        "confirm": "yes", "upload": shown_upload(client) if upload is None else upload})


def test_a_preview_left_open_does_not_import_a_register_uploaded_since_in_another_tab(
        people, log_in, client, db):
    log_in(people.admin)
    upload_units(client, b"code,name,parent_code\nK1,Kommunen,\nK2,Etat,K1\n")
    first_page = shown_upload(client)
    upload_units(client, b"code,name,parent_code\nK1,Kommunen,\nK9,Annen etat,K1\n",
                 "andre.csv")
    response = confirm_import(client, first_page)
    assert response.status_code == 302
    assert db.session.scalar(select(Unit).where(Unit.code.in_(["K1", "K2", "K9"]))) is None
    preview = page_text(client.get("/admin/units/import/preview"))
    assert "Du har lastet opp en annen fil siden denne siden ble vist" in preview
    assert "opprettes: K9 Annen etat" in preview
    # Whatever a browser sends as the upload is an answer, not a server error.
    assert confirm_import(client, "blåbær").status_code == 302
    assert confirm_import(client).status_code == 302
    assert db.session.scalar(select(Unit).where(Unit.code == "K9")).parent.code == "K1"


def test_a_refused_import_shows_the_error_and_offers_no_confirmation(people, log_in, client,
                                                                    db):
    log_in(people.admin)
    client.get("/admin/units/import")
    data = {"csrf_token": client.csrf_token(),
            "file": (io.BytesIO(b"code,name,parent_code\nA,A,B\nB,B,A\n"), "units.csv")}
    client.post("/admin/units/import", data=data, content_type="multipart/form-data")
    preview = client.get("/admin/units/import/preview")
    assert "kode A" in page_text(preview)
    assert "Gjennomfør importen" not in page_text(preview)
    # Even a confirmation naming the kept file (the page offers none) applies nothing.
    with client.session_transaction() as kept:
        token = kept[IMPORT_SESSION_KEY]["token"]
    assert confirm_import(client, token).status_code == 200
    assert db.session.scalar(select(Unit).where(Unit.code == "A")) is None


def test_a_closed_unit_is_not_offered_when_creating_a_unit(people, log_in, client, db,
                                                           make_user):
    from reuse.services import units

    units.close_unit(people.admin, people.kindergarten)
    db.session.commit()
    log_in(make_user(people.admin.unit, Role.ADMIN))
    page = client.get("/admin/units/new").get_data(as_text=True)
    assert f'value="{people.kindergarten.id}"' not in page
    response = client.submit("/admin/units/new", {"name": "Ny avdeling",
                                                  "parent": str(people.kindergarten.id)})
    assert response.status_code == 200
    assert db.session.scalar(select(Unit).where(Unit.name == "Ny avdeling")) is None
