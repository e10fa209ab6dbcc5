"""The command line: one clear line and a non-zero exit for every bad input."""

from __future__ import annotations

import click
from sqlalchemy import func, select

from reuse.clock import OSLO
from reuse.models import (
    Category,
    Claim,
    Disposition,
    Item,
    Partner,
    Photo,
    ReuseRecord,
    Unit,
    User,
)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_create_unit_under_a_parent(runner, db):
    assert runner.invoke(args=["create-unit", "--name", "Etat for skole"]).exit_code == 0
    result = runner.invoke(args=["create-unit", "--name", "Nattland skole",
                                 "--parent", "Etat for skole", "--code", "221020"])
    assert result.exit_code == 0, result.output
    unit = db.session.scalar(select(Unit).where(Unit.name == "Nattland skole"))
    assert unit.parent.name == "Etat for skole" and unit.code == "221020"


def test_create_unit_refuses_duplicates_and_unknown_parents(runner, db):
    runner.invoke(args=["create-unit", "--name", "Klimaetaten"])
    duplicate = runner.invoke(args=["create-unit", "--name", "Klimaetaten"])
    assert duplicate.exit_code == 1
    assert duplicate.output.strip() == \
        "Error: Det finnes allerede en enhet som heter «Klimaetaten»."
    orphan = runner.invoke(args=["create-unit", "--name", "X", "--parent", "Finnes ikke"])
    assert orphan.exit_code == 1
    assert orphan.output.strip() == "Error: Fant ingen enhet med navnet «Finnes ikke»."
    assert count(db, Unit) == 1


def test_create_user_takes_the_password_from_the_environment(runner, db, make_unit):
    make_unit("Klimaetaten")
    result = runner.invoke(
        args=["create-user", "--email", "Sofie.Lie@Bergen.example", "--name", "Sofie Lie",
              "--unit", "Klimaetaten", "--role", "sustainability"],
        env={"REUSE_PASSWORD": "et-langt-og-godt-passord"})
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "sofie.lie@bergen.example" and user.role == "sustainability"


def test_create_user_asks_for_the_password_when_not_given(runner, db, make_unit):
    make_unit("Klimaetaten")
    result = runner.invoke(
        args=["create-user", "--email", "ola@bergen.example", "--name", "Ola",
              "--unit", "Klimaetaten", "--role", "member"],
        input="et-langt-og-godt-passord\net-langt-og-godt-passord\n", env={"REUSE_PASSWORD": None})
    assert result.exit_code == 0, result.output
    assert count(db, User) == 1


def invoke_create_user(runner, **overrides):
    options = {"email": "ola@bergen.example", "name": "Ola Hansen", "unit": "Klimaetaten",
               "role": "member"}
    options.update(overrides)
    password = options.pop("password", "et-langt-og-godt-passord")
    args = ["create-user"]
    for key, value in options.items():
        args += [f"--{key}", value]
    return runner.invoke(args=args, env={"REUSE_PASSWORD": password})


def test_create_user_refuses_bad_input_with_one_line(runner, db, make_unit):
    make_unit("Klimaetaten")
    assert invoke_create_user(runner).exit_code == 0
    cases = {
        "Error: Det finnes allerede en bruker med e-post ola@bergen.example.":
            dict(email="OLA@bergen.example"),
        "Error: Fant ingen enhet med navnet «Etat for ingenting».":
            dict(email="a@bergen.example", unit="Etat for ingenting"),
        "Error: Ukjent rolle «boss». Gyldige roller: member, unit_admin, sustainability, admin.":
            dict(email="b@bergen.example", role="boss"),
        "Error: Passordet må ha minst 10 tegn.": dict(email="c@bergen.example", password="kort"),
        "Error: Passordet er for lett å gjette. Velg et annet.":
            dict(email="d@bergen.example", password="passord123"),
        "Error: «ikke-en-adresse» er ikke en gyldig e-postadresse.": dict(email="ikke-en-adresse"),
    }
    for expected, overrides in cases.items():
        result = invoke_create_user(runner, **overrides)
        assert result.exit_code == 1, overrides
        assert result.output.strip() == expected
        assert len(result.output.strip().splitlines()) == 1
    assert count(db, User) == 1


def test_load_categories_is_idempotent_and_keeps_edited_factors(runner, db):
    assert "29 kategorier lagt til" in runner.invoke(args=["load-categories"]).output
    chair = db.session.scalar(select(Category).where(Category.slug == "kontorstol"))
    chair.co2e_kg = 70
    db.session.commit()
    again = runner.invoke(args=["load-categories"])
    assert "0 kategorier lagt til, 29 fantes fra før" in again.output
    db.session.refresh(chair)
    assert chair.co2e_kg == 70


def test_seed_demo_fills_the_marketplace_once(runner, db):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "kari.nordmann@bergen.example" in first.output
    assert "gjenbruk-demo-2026" in first.output
    totals = {model: count(db, model) for model in (Unit, User, Category, Item, Photo,
                                                     Partner, Disposition)}
    assert totals[Item] >= 40 and totals[Photo] >= 40
    assert {role for (role,) in db.session.execute(select(User.role).distinct())} == {
        "member", "unit_admin", "sustainability", "admin", "partner"}
    # Every stage of the cascade has something, and something left the municipality.
    assert {item.stage for item in db.session.scalars(select(Item))} == {
        "internal", "public_bodies", "nonprofits", "final"}
    assert {kind for (kind,) in db.session.execute(select(Disposition.kind).distinct())} == {
        "reused_by_partner", "recycled"}
    assert len({item.unit_id for item in db.session.scalars(select(Item))}) >= 4
    records = db.session.scalars(select(ReuseRecord)).all()
    assert len(records) >= 20
    assert len({(r.recorded_at.year, r.recorded_at.month) for r in records}) >= 10
    handed_over = [r.recorded_at.astimezone(OSLO) for r in records]
    assert all(moment.weekday() < 5 and 8 <= moment.hour < 16 for moment in handed_over), \
        "demo hand-overs happen on weekdays between 08 and 16 Oslo time"
    assert {claim.status for claim in db.session.scalars(select(Claim))} >= {
        "collected", "pending", "approved"}
    totals[ReuseRecord] = len(records)

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert {model: count(db, model) for model in totals} == totals


def test_the_help_lists_every_command_by_its_own_name(runner):
    listed = runner.invoke(args=["--help"]).output
    names = {line.split()[0] for line in listed.split("Commands:")[1].splitlines() if line.strip()}
    assert {"load-categories", "seed-demo", "create-unit", "create-user", "deactivate-user",
            "anonymise-user", "create-token", "list-tokens", "revoke-token", "run-jobs",
            "create-scim-token", "list-scim-tokens", "revoke-scim-token",
            "rebuild-report-totals", "check-report-totals", "backup", "restore"} <= names
    # The modules of reuse/cli/ group the code, not the command line: no command is a group.
    assert not any(isinstance(runner.app.cli.commands[name], click.Group) for name in names
                   if name not in {"db", "limiter"})  # the extensions' own groups


def test_scim_tokens_are_listed_used_and_revoked_from_the_command_line(runner, client, db):
    assert runner.invoke(args=["list-scim-tokens"]).output.strip() == \
        "Det finnes ingen SCIM-nøkler."
    created = runner.invoke(args=["create-scim-token", "--label", "Entra ID"])
    plain = created.output.split()[-1]
    runner.invoke(args=["create-scim-token", "--label", "Gammel kobling"])
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plain}"}
                      ).status_code == 200

    listed = runner.invoke(args=["list-scim-tokens"])
    assert listed.exit_code == 0, listed.output
    header, *rows = [line.split("\t") for line in listed.output.strip().splitlines()]
    assert header == ["id", "navn", "opprettet", "sist brukt", "status"]
    by_label = {row[1]: row for row in rows}
    assert by_label["Entra ID"][3].endswith("UTC") and by_label["Entra ID"][4] == "virker"
    assert by_label["Gammel kobling"][3:] == ["aldri", "virker"]

    token_id = by_label["Entra ID"][0]
    revoked = runner.invoke(args=["revoke-scim-token", "--id", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert revoked.output.strip() == f"SCIM-nøkkel {token_id} er trukket tilbake."
    assert client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {plain}"}
                      ).status_code == 401
    rows = [line.split("\t") for line in runner.invoke(
        args=["list-scim-tokens"]).output.strip().splitlines()[1:]]
    assert {row[1]: row[4] for row in rows} == {"Entra ID": "trukket tilbake",
                                                "Gammel kobling": "virker"}


def test_revoking_an_unknown_or_revoked_scim_token_is_one_clear_line(runner, db):
    unknown = runner.invoke(args=["revoke-scim-token", "--id", "999"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: Fant ingen SCIM-nøkkel med id 999."
    plain = runner.invoke(args=["create-scim-token"]).output.split()[-1]
    assert plain.startswith("reuse_scim_")
    token_id = runner.invoke(args=["list-scim-tokens"]).output.splitlines()[1].split("\t")[0]
    assert runner.invoke(args=["revoke-scim-token", "--id", token_id]).exit_code == 0
    again = runner.invoke(args=["revoke-scim-token", "--id", token_id])
    assert again.exit_code == 1
    assert again.output.strip() == \
        f"Error: SCIM-nøkkel {token_id} er allerede trukket tilbake."
