"""Partner organisations: their numbers, registering, suspending, inviting their people, from
the administration pages and the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from reuse.models import AuditEvent, Partner, Role, User
from reuse.services import partners
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from tests.conftest import login, page_text

BRREG = "974760673"  # the Brønnøysund register's own number
KIRKENS = "971515600"


@pytest.mark.parametrize("number", [BRREG, "971515600", "923609016", "937884117"])
def test_valid_organisation_numbers(number):
    assert partners.valid_org_number(number)


@pytest.mark.parametrize("number", [
    "974760674",  # wrong check digit
    "97476067",  # eight digits
    "9747606730",  # ten
    "97476067a",
    "٩٧٤٧٦٠٦٧٣",  # Arabic-Indic digits are digits to Python, not to the register
    "",
    " 74760673",
])
def test_invalid_organisation_numbers(number):
    assert not partners.valid_org_number(number)


def test_a_check_digit_of_eleven_means_zero_and_ten_means_no_number():
    # 1×3 + 4×2 = 11: 11 - 0 = 11, written 0.
    assert partners.valid_org_number("100000040")
    # 1×3 + 1×3 + 3×2 = 12, 12 % 11 = 1: 11 - 1 = 10, so no ninth digit makes it valid.
    assert not any(partners.valid_org_number(f"10000013{digit}") for digit in range(10))


def test_creating_refuses_bad_and_duplicate_input(db):
    partners.create_partner(None, "Kirkens Bymisjon", KIRKENS, "nonprofit")
    cases = [
        (("", BRREG, "public_body"), "Skriv navnet på organisasjonen."),
        (("Brreg", "974760674", "public_body"),
         "«974760674» er ikke et gyldig organisasjonsnummer"),
        (("Brreg", BRREG, "company"), "offentlig virksomhet (public_body)"),
        (("kirkens bymisjon", BRREG, "nonprofit"), "heter «kirkens bymisjon»"),
        (("Noe annet", KIRKENS, "nonprofit"), f"Organisasjonsnummer {KIRKENS} er allerede"),
    ]
    for args, message in cases:
        with pytest.raises(InvalidInput) as refused:
            partners.create_partner(None, *args)
        assert message in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(Partner)) == 1


def test_spaces_in_a_number_are_the_number(db):
    partner = partners.create_partner(None, "Brreg", "974 760 673", "public_body")
    assert partner.org_number == BRREG


def test_only_admins_manage_partners(db, people):
    for who in (people.member, people.unit_admin):
        with pytest.raises(PermissionDenied):
            partners.create_partner(who, "Brreg", BRREG, "public_body")
    partner = partners.create_partner(people.admin, "Brreg", BRREG, "public_body")
    for who in (people.member, people.unit_admin):
        with pytest.raises(PermissionDenied):
            partners.suspend_partner(who, partner)
        with pytest.raises(PermissionDenied):
            partners.invite_partner_person(who, partner, "a@brreg.example")
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_type == "partner")) == "partner.created"


def test_an_invited_person_has_no_unit_and_no_password(db, people):
    partner = partners.create_partner(people.admin, "Brreg", BRREG, "public_body")
    link = partners.invite_partner_person(people.admin, partner, "Anne@Brreg.example", "Anne")
    db.session.commit()
    person = db.session.scalar(select(User).where(User.email == "anne@brreg.example"))
    assert (person.role, person.partner_id, person.unit_id, person.password_hash) == \
        (Role.PARTNER, partner.id, None, "")
    assert link.startswith("https://gjenbruk.test/login/link/")
    # Inviting again finds the same account and sends a new link.
    again = partners.invite_partner_person(people.admin, partner, "anne@brreg.example")
    assert again != link
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.partner_id == partner.id)) == 1


def test_inviting_refuses_municipal_and_other_organisations_addresses(db, people):
    partner = partners.create_partner(None, "Brreg", BRREG, "public_body")
    other = partners.create_partner(None, "Kirkens Bymisjon", KIRKENS, "nonprofit")
    partners.invite_partner_person(None, other, "per@kirkens.example")
    with pytest.raises(InvalidInput, match="tilhører en konto i kommunen"):
        partners.invite_partner_person(None, partner, people.member.email.upper())
    with pytest.raises(InvalidInput, match="tilhører en annen samarbeidspartner"):
        partners.invite_partner_person(None, partner, "per@kirkens.example")
    with pytest.raises(InvalidInput, match="ikke en gyldig e-postadresse"):
        partners.invite_partner_person(None, partner, "ikke-en-adresse")
    partners.suspend_partner(None, partner)
    with pytest.raises(Conflict, match="er suspendert"):
        partners.invite_partner_person(None, partner, "ny@brreg.example")


def test_suspending_ends_its_peoples_sessions_and_is_audited(db, people):
    partner = partners.create_partner(None, "Brreg", BRREG, "public_body")
    partners.invite_partner_person(None, partner, "anne@brreg.example")
    person = partners.users.find_by_email("anne@brreg.example")
    before = person.session_token
    assert partners.suspend_partner(people.admin, partner) is True
    assert person.session_token != before and not person.is_active
    assert partners.suspend_partner(people.admin, partner) is False
    assert partners.resume_partner(people.admin, partner) is True
    assert person.is_active
    actions = list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "partner").order_by(AuditEvent.id)))
    assert actions == ["partner.created", "partner.suspended", "partner.resumed"]


# -- the command line ----------------------------------------------------------------------

def test_organisations_from_the_command_line(runner, db, mailbox):
    created = runner.invoke(args=["create-organisation", "--name", "Brønnøysundregistrene",
                                  "--org-number", BRREG, "--kind", "public_body"])
    assert created.exit_code == 0, created.output
    assert "Brønnøysundregistrene" in created.output

    invited = runner.invoke(args=["invite-partner", "--email", "anne@brreg.example",
                                  "--org-number", BRREG, "--name", "Anne Lie"])
    assert invited.exit_code == 0, invited.output
    link = invited.output.split()[-1]
    assert link.startswith("https://gjenbruk.test/login/link/")
    person = partners.users.find_by_email("anne@brreg.example")
    assert person.name == "Anne Lie" and person.is_partner
    assert len(mailbox.to("anne@brreg.example")) == 1  # sent at once, not at run-jobs

    suspended = runner.invoke(args=["suspend-organisation", "--org-number", BRREG])
    assert suspended.exit_code == 0
    assert db.session.scalar(select(Partner)).is_suspended
    assert runner.invoke(args=["resume-organisation", "--org-number", BRREG]).exit_code == 0
    assert not db.session.scalar(select(Partner)).is_suspended


@pytest.mark.parametrize(("args", "message"), [
    (["create-organisation", "--name", "X", "--org-number", "974760674", "--kind",
      "nonprofit"], "Error: «974760674» er ikke et gyldig organisasjonsnummer"),
    (["create-organisation", "--name", "X", "--org-number", BRREG, "--kind", "firma"],
     "Error: Velg hva slags organisasjon"),
    (["suspend-organisation", "--org-number", KIRKENS],
     f"Error: Fant ingen samarbeidspartner med organisasjonsnummer {KIRKENS}."),
    (["invite-partner", "--email", "a@b.example", "--org-number", KIRKENS],
     f"Error: Fant ingen samarbeidspartner med organisasjonsnummer {KIRKENS}."),
    (["invite-partner", "--email", "kari@bergen.example", "--org-number", BRREG],
     "Error: kari@bergen.example tilhører en konto i kommunen."),
])
def test_command_line_refusals_are_one_line(runner, db, people, args, message):
    partners.create_partner(None, "Brreg", BRREG, "public_body")
    db.session.commit()
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1


# -- the administration pages --------------------------------------------------------------

def test_an_admin_registers_a_partner_and_invites_a_person(client, people, log_in, db,
                                                           mailbox):
    log_in(people.admin)
    assert "Samarbeidspartnere" in page_text(client.get("/admin/"))
    bad = client.submit("/admin/partners", {"name": "Brreg", "org_number": "974760674",
                                            "kind": "public_body"})
    assert bad.status_code == 422
    assert "Rett opp dette før du går videre" in page_text(bad)
    assert "er ikke et gyldig organisasjonsnummer" in page_text(bad)

    created = client.submit("/admin/partners", {"name": "Brreg", "org_number": BRREG,
                                                "kind": "public_body"})
    assert created.status_code == 302
    partner = db.session.scalar(select(Partner))
    listing = page_text(client.get("/admin/partners"))
    assert "Brreg" in listing and BRREG in listing and "Offentlig virksomhet" in listing

    invited = client.submit(f"/admin/partners/{partner.id}/invite",
                            {"name": "Anne Lie", "email": "anne@brreg.example"})
    assert invited.status_code == 302
    detail = page_text(client.get(invited.headers["Location"]))
    assert "Invitasjonen er sendt til anne@brreg.example." in detail
    assert "Anne Lie" in detail
    [mail] = mailbox.to("anne@brreg.example")
    assert "/login/link/" in mail.get_content()

    refused = client.submit(f"/admin/partners/{partner.id}/invite",
                            {"name": "Kari", "email": people.member.email})
    assert refused.status_code == 422
    assert "tilhører en konto i kommunen" in page_text(refused)


def test_suspending_from_the_page_asks_first(client, people, log_in, db):
    partner = partners.create_partner(None, "Brreg", BRREG, "public_body")
    db.session.commit()
    log_in(people.admin)
    asked = client.submit(f"/admin/partners/{partner.id}/suspend")
    assert asked.status_code == 200 and "Ja, suspender" in page_text(asked)
    db.session.refresh(partner)
    assert not partner.is_suspended
    done = client.submit(f"/admin/partners/{partner.id}/suspend", {"confirm": "yes"})
    assert done.status_code == 302
    db.session.refresh(partner)
    assert partner.is_suspended
    assert "Suspendert" in page_text(client.get("/admin/partners"))
    client.submit(f"/admin/partners/{partner.id}/resume")
    db.session.refresh(partner)
    assert not partner.is_suspended


@pytest.mark.parametrize("who", ["member", "unit_admin"])
def test_only_admins_reach_the_partner_pages(client, people, log_in, db, who):
    partner = partners.create_partner(None, "Brreg", BRREG, "public_body")
    db.session.commit()
    log_in(getattr(people, who))
    assert client.get("/admin/partners").status_code == 403
    assert client.submit("/admin/partners", {"name": "X", "org_number": KIRKENS,
                                             "kind": "nonprofit"}).status_code == 403
    assert client.get(f"/admin/partners/{partner.id}").status_code == 403
    assert client.submit(f"/admin/partners/{partner.id}/suspend",
                         {"confirm": "yes"}).status_code == 403
    assert client.submit(f"/admin/partners/{partner.id}/invite",
                         {"email": "x@y.example"}).status_code == 403
    db.session.refresh(partner)
    assert not partner.is_suspended
    assert "Samarbeidspartnere" not in page_text(client.get("/admin/"))


def test_an_unknown_partner_is_not_found(client, people, log_in):
    log_in(people.admin)
    assert client.get("/admin/partners/999999").status_code == 404


def test_an_admin_closes_one_partner_person_without_suspending_the_rest(
        app, client, db, partners, people, log_in, api):
    """Someone who left the organisation: deactivated on the organisation's page, their
    token stops working and their colleague's does not; reactivated, they may sign in again."""
    leaver, colleague = partners.county_person, partners.county_colleague
    leaver_api, colleague_api = api(leaver), api(colleague)
    member = app.test_client()
    login(member, people.member)
    assert member.submit(f"/admin/partners/{partners.county.id}/people/{leaver.id}/deactivate",
                         {}).status_code == 403
    log_in(people.admin)
    page = client.get(f"/admin/partners/{partners.county.id}").get_data(as_text=True)
    assert f"/people/{leaver.id}/deactivate" in page
    done = client.submit(f"/admin/partners/{partners.county.id}/people/{leaver.id}/deactivate",
                         {})
    assert done.status_code == 302
    db.session.expire_all()
    assert not leaver.active and colleague.active
    assert leaver_api.get("/api/v1/items").status_code == 401
    assert colleague_api.get("/api/v1/items").status_code == 200
    # Another organisation's id, or a municipal person's, is not this organisation's person.
    for other in (partners.charity_person, people.member):
        assert client.submit(f"/admin/partners/{partners.county.id}/people/{other.id}"
                             "/deactivate", {}).status_code == 404
    assert client.submit(f"/admin/partners/{partners.county.id}/people/{leaver.id}/reactivate",
                         {}).status_code == 302
    db.session.expire_all()
    assert leaver.active
