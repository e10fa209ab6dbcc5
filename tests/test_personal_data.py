"""Closing an account and erasing a person (GDPR) without breaking the ledger."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from reuse.models import ApiToken, AuditEvent, ReuseRecord
from reuse.services import claims, tokens
from reuse.services.reports.scope import Scope, year_period
from reuse.services.reports.sums import totals


def test_anonymising_erases_the_person_but_keeps_every_figure(runner, people, make_item, db,
                                                            client, log_in):
    chairs = make_item(people.member, title="Kontorstoler", quantity=3)
    claim = claims.claim_item(people.outsider, chairs, 2)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, costs_nok=Decimal("100"), replaces_purchase=True)
    tokens.create_token(people.outsider, "system")
    db.session.commit()
    before = db.session.execute(select(ReuseRecord.avoided_cost_nok, ReuseRecord.to_unit_id,
                                       ReuseRecord.quantity)).all()

    result = runner.invoke(args=["anonymise-user", "--email", people.outsider.email, "--yes"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    person = people.outsider
    assert person.name == f"Anonymisert bruker {person.id}"
    assert person.email == f"anonymisert-{person.id}@invalid"
    assert not person.active
    assert "lars" not in person.email and "Lars" not in person.name
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    after = db.session.execute(select(ReuseRecord.avoided_cost_nok, ReuseRecord.to_unit_id,
                                      ReuseRecord.quantity)).all()
    assert after == before
    assert claims.get_claim(claim.id).claimant.name == f"Anonymisert bruker {person.id}"
    actions = set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "user_account")))
    assert {"user.deactivated", "user.anonymised"} <= actions
    # The lister's page shows the anonymised name, not the person's.
    log_in(people.member)
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Lars Vik" not in page and "lars@bergen.example" not in page


def test_deactivated_user_cannot_log_in_and_loses_sessions(runner, people, app, log_in, client):
    log_in(people.member)
    assert runner.invoke(args=["deactivate-user", "--email", people.member.email]).exit_code == 0
    assert client.get("/").status_code == 302


def test_anonymising_needs_confirmation_and_a_known_user(runner, people):
    refused = runner.invoke(args=["anonymise-user", "--email", people.member.email])
    assert refused.exit_code == 1 and "--yes" in refused.output
    unknown = runner.invoke(args=["anonymise-user", "--email", "x@bergen.example", "--yes"])
    assert unknown.output.strip() == "Error: Fant ingen bruker med e-post x@bergen.example."


def test_reports_are_unchanged_by_erasure(runner, people, make_item, db):
    chairs = make_item(people.member, title="Kontorstoler", quantity=2)
    claim = claims.claim_item(people.outsider, chairs, 2)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, replaces_purchase=True)
    db.session.commit()
    scope = Scope(year_period(claim.collected_at.year), unit_id=people.kindergarten.id)
    before = totals(scope)
    assert before.avoided_cost_nok == Decimal("9000.00")
    runner.invoke(args=["anonymise-user", "--email", people.outsider.email, "--yes"])
    db.session.expire_all()
    assert totals(scope) == before
