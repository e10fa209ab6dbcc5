"""The sustainability lead's purchase tools in the browser: upload a file, see what will
happen before anything is written, confirm; keep the category rules; map unmapped lines."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from reuse.models import AuditEvent, PurchaseCategoryRule, PurchaseLine, Role
from reuse.services import purchase_rules
from tests.conftest import login, page_text

HEADER = ("line_id,order_number,ordered_on,unit_code,supplier,description,unspsc,category,"
          "quantity,amount_nok")
GOOD_AND_BAD = (f"{HEADER}\n"
                "L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000\n"
                "L2,PO-1,2026-03-01,NOSUCH,Kinnarps,Stol,,,2,9000\n"
                "L3,PO-2,2026-03-02,SKOLE,Rema,Gardiner til klasserom,,,4,1200\n")


@pytest.fixture
def org(db, catalog, people, make_user):
    people.school.code = "SKOLE"
    purchase_rules.load_defaults()
    db.session.commit()
    people.lead = make_user(people.admin.unit, Role.SUSTAINABILITY, name="Siri Berekraft")
    return people


def lines_stored(db) -> int:
    return db.session.scalar(select(func.count()).select_from(PurchaseLine))


def upload(client, text: str, *, source="Visma", all_or_nothing=False, name="innkjop.csv"):
    data = {"file": (io.BytesIO(text.encode("utf-8")), name), "source": source}
    if all_or_nothing:
        data["all_or_nothing"] = "y"
    return client.submit("/reports/purchases/import", data,
                         content_type="multipart/form-data")


def shown_upload(client) -> str:
    """The upload the preview page's buttons are for (its hidden field)."""
    html = client.get("/reports/purchases/import/preview").get_data(as_text=True)
    found = re.search(r'name="upload" value="([0-9a-f]+)"', html)
    return found.group(1) if found else ""


def confirm(client, upload: str | None = None):
    """Press "Importer linjene" on the preview as it is shown now (or on an older one)."""
    return client.submit("/reports/purchases/import/preview",
                         {"upload": shown_upload(client) if upload is None else upload})


@pytest.mark.parametrize("role", ["member", "unit_admin"])
def test_only_the_lead_and_admins_reach_the_purchase_tools(org, log_in, role):
    client = log_in(getattr(org, role))
    for path in ("/reports/purchases/import", "/reports/purchases/rules",
                 "/reports/purchases/unmapped"):
        assert client.get(path).status_code == 403, path


def test_the_preview_writes_nothing_and_confirming_writes_the_good_lines_once(
        org, log_in, db):
    client = log_in(org.lead)
    response = upload(client, GOOD_AND_BAD)
    assert response.status_code == 302
    preview = client.get("/reports/purchases/import/preview")
    text = page_text(preview)
    assert "Nye linjer 2" in text and "Avvist 1" in text
    assert "linje 3 (L2): ukjent enhet NOSUCH" in text
    assert lines_stored(db) == 0
    done = confirm(client)
    assert done.status_code == 200
    assert "created 2, updated 0, unchanged 0, refused 1" in page_text(done)
    assert lines_stored(db) == 2
    # The kept file is gone with the confirmation: a second confirmation imports nothing.
    again = confirm(client)
    assert again.status_code == 302 and again.headers["Location"].endswith(
        "/reports/purchases/import")
    assert lines_stored(db) == 2


def test_a_changed_line_shows_what_changes_before_it_is_updated(org, log_in, db):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    confirm(client)
    upload(client, GOOD_AND_BAD.replace("Kontorstol,,,2,9000", "Kontorstol,,,3,9000"))
    text = page_text(client.get("/reports/purchases/import/preview"))
    assert "Endrede linjer 1" in text and "antall 2 → 3" in text
    confirm(client)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "purchase_line.updated")) == 1


def test_all_or_nothing_offers_no_import_when_a_line_is_refused(org, log_in, db):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD, all_or_nothing=True)
    preview = client.get("/reports/purchases/import/preview")
    assert "Importer linjene" not in page_text(preview)
    confirm(client)
    assert lines_stored(db) == 0


def test_an_unreadable_file_is_said_on_the_preview_and_nothing_is_written(org, log_in, db):
    client = log_in(org.lead)
    upload(client, "kode;navn\n1;2\n")
    text = page_text(client.get("/reports/purchases/import/preview"))
    assert "Filen kan ikke importeres" in text and "mangler line_id" in text
    assert "Importer linjene" not in text
    confirm(client)  # a confirmation sent anyway
    assert lines_stored(db) == 0


def test_no_file_or_no_source_is_a_form_error(org, log_in):
    client = log_in(org.lead)
    response = client.submit("/reports/purchases/import", {"source": ""},
                             content_type="multipart/form-data")
    text = page_text(response)
    assert response.status_code == 200
    assert "Oppgi kilden" in text


def test_an_upload_waits_for_the_person_who_made_it_only(org, log_in, app, db, make_user):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    with client.session_transaction() as session:
        pending = dict(session["purchase_import"])
    # Another person signs in on the same browser, and the lead's upload is still named in
    # the session (a copied cookie, a sign-in that kept it): it is not theirs to confirm.
    client.submit("/logout", {})
    login(client, make_user(org.admin.unit, Role.ADMIN, name="Andre Admin"))
    with client.session_transaction() as session:
        session["purchase_import"] = pending
    response = confirm(client)
    assert response.status_code == 302
    assert lines_stored(db) == 0


def test_a_rule_added_on_the_page_reclassifies_lines_and_can_be_changed_and_removed(
        org, log_in, db):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    confirm(client)
    unmapped = page_text(client.get("/reports/purchases/unmapped"))
    assert "Gardiner til klasserom" in unmapped
    assert "Lag regel for nøkkelord «gardiner»" in unmapped
    response = client.submit("/reports/purchases/rules", {
        "kind": "keyword", "pattern": "gardiner", "category": "none"})
    assert response.status_code == 302
    line = db.session.scalar(select(PurchaseLine).where(PurchaseLine.line_id == "L3"))
    assert line.classification == "not_reusable"
    assert "1 innkjøpslinje fikk ny kategori." in page_text(client.get(response.location))
    rule = db.session.scalar(select(PurchaseCategoryRule).where(
        PurchaseCategoryRule.pattern == "gardiner"))
    client.submit(f"/reports/purchases/rules/{rule.id}",
                  {f"rule-{rule.id}-category": "oppbevaring"})
    db.session.expire_all()
    assert line.category.slug == "oppbevaring"
    confirm_page = page_text(client.get(f"/reports/purchases/rules/{rule.id}/remove"))
    assert "1 linje får kategorien sin fra denne regelen." in confirm_page
    client.submit(f"/reports/purchases/rules/{rule.id}/remove", {})
    db.session.expire_all()
    assert line.classification == "unmapped"


def test_a_bad_rule_is_a_form_error(org, log_in, db):
    client = log_in(org.lead)
    response = client.submit("/reports/purchases/rules", {
        "kind": "unspsc", "pattern": "stol", "category": "stoler"})
    assert response.status_code == 400
    assert "En UNSPSC-regel er 2 til 8 sifre" in page_text(response)
    duplicate = client.submit("/reports/purchases/rules", {
        "kind": "keyword", "pattern": "kontorstol", "category": "stoler"})
    assert duplicate.status_code == 400
    assert "Det finnes allerede en regel for «kontorstol»" in page_text(duplicate)
    missing = client.submit("/reports/purchases/rules", {
        "kind": "keyword", "pattern": "benk", "category": ""})
    assert "Velg en kategori, eller «Ikke gjenbrukbart»." in page_text(missing)


def test_a_page_left_open_does_not_import_a_file_uploaded_since_in_another_tab(
        org, log_in, db):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    first_page = shown_upload(client)
    upload(client, GOOD_AND_BAD.replace("L1,", "X1,"), name="andre.csv")
    response = confirm(client, first_page)
    assert response.status_code == 302
    assert lines_stored(db) == 0
    preview = page_text(client.get("/reports/purchases/import/preview"))
    assert "Du har lastet opp en annen fil siden denne siden ble vist" in preview
    assert "andre.csv" in preview
    # Whatever a browser sends as the upload is an answer, not a server error.
    assert confirm(client, "blåbær").status_code == 302
    # Cancelling from the old page leaves the newer upload waiting too.
    client.submit("/reports/purchases/import/cancel", {"upload": first_page})
    confirm(client)
    assert set(db.session.scalars(select(PurchaseLine.line_id))) == {"X1", "L3"}


def test_the_preview_names_changes_as_the_lead_reads_them(org, log_in, db, make_unit):
    make_unit("Nordnes skole").code = "NORDNES"
    db.session.commit()
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    confirm(client)
    upload(client, GOOD_AND_BAD.replace("L1,PO-1,2026-03-01,SKOLE,Kinnarps,Kontorstol,,,2,9000",
                                        "L1,PO-1,2026-03-02,NORDNES,Kinnarps,Kontorstol,,sofa,"
                                        "2,9500"))
    text = page_text(client.get("/reports/purchases/import/preview"))
    assert "bestilt 01.03.2026 → 02.03.2026" in text
    assert "enhet SKOLE → NORDNES" in text
    assert "kategori i filen – → Sofa" in text
    assert "beløp 9 000 kr → 9 500 kr" in text
    assert "unit_id" not in text and "file_category_id" not in text


def test_uploads_never_confirmed_are_deleted_by_run_jobs_after_half_a_day(
        org, log_in, runner, app):
    client = log_in(org.lead)
    upload(client, GOOD_AND_BAD)
    [kept] = list(Path(app.config["UPLOAD_DIR"]).glob("purchase-import-*"))
    assert "opplastet fil" not in runner.invoke(args=["run-jobs"]).output
    assert kept.exists()  # young: the lead may still be reading the preview
    half_a_day_ago = time.time() - 13 * 3600
    os.utime(kept, (half_a_day_ago, half_a_day_ago))
    output = runner.invoke(args=["run-jobs"]).output
    assert "1 opplastet fil som aldri ble importert, er slettet." in output
    assert not kept.exists()
