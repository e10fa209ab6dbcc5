"""The issue's whole story, through the pages: a partner invited by e-mail signs in with the
link, sees only what is offered to them, claims it; the hand-over shows in the waste
hierarchy and not in the municipality's avoided kroner; run-jobs moves stages once."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from reuse.clock import oslo_today
from reuse.models import Claim, Notification, Stage
from reuse.services import claims, notifications, partners, stages
from tests.conftest import login, page_text


def test_a_partner_invited_by_email_claims_an_item_that_counts_as_waste_not_kroner(
        app, db, people, make_item, mailbox, api):
    county = partners.create_partner(None, "Vestland fylkeskommune", "821311632",
                                     "public_body")
    offered = make_item(people.member, title="Reoler til fylket", category="bokhylle",
                        quantity=3, new_price_nok=Decimal("1800"), weight_kg=Decimal("30"))
    internal = make_item(people.member, title="Intern skrivepult", quantity=1)
    stages.move(people.member, offered, Stage.PUBLIC_BODIES.value)
    db.session.commit()
    summary = f"/api/v1/reports/summary?from={oslo_today().year}-01-01&to={oslo_today()}"
    reader = api(people.admin)
    before = reader.get(summary).get_json()

    admin = app.test_client()
    login(admin, people.admin)
    invited = admin.submit(f"/admin/partners/{county.id}/invite",
                           {"name": "Frida Fylke", "email": "frida@vlfk.example"})
    assert invited.status_code == 302
    notifications.deliver_committed()
    [mail] = mailbox.to("frida@vlfk.example")
    link = re.search(r"/login/link/\S+", mail.get_content()).group(0)

    partner = app.test_client()
    assert partner.get(link).status_code == 200  # a button; the link still works
    assert partner.submit(link).status_code == 302
    home = page_text(partner.get("/partner/"))
    assert "Reoler til fylket" in home and "Intern skrivepult" not in home
    assert partner.get(f"/partner/items/{internal.id}").status_code == 404
    assert partner.submit(link).status_code == 410  # used once

    claimed = partner.submit(f"/partner/items/{offered.id}/claim", {"quantity": "2"})
    assert claimed.status_code == 302
    claim = db.session.scalar(select(Claim).where(Claim.item_id == offered.id))
    assert (claim.unit_id, claim.partner_id) == (None, county.id)
    lister = app.test_client()
    login(lister, people.member)
    assert lister.submit(f"/claims/{claim.id}/approve", {}).status_code == 302
    assert partner.submit(f"/partner/claims/{claim.id}/collect", {}).status_code == 302
    db.session.expire_all()
    assert claim.status == "collected"

    after = reader.get(summary).get_json()
    assert after["avoided_cost_nok"] == before["avoided_cost_nok"]
    assert after["avoided_co2e_kg"] == before["avoided_co2e_kg"]
    assert after["outside_municipality"]["items"] == before["outside_municipality"]["items"] + 2
    assert (after["waste_hierarchy"]["reused_external_kg"]
            == before["waste_hierarchy"]["reused_external_kg"] + 60)
    report = page_text(admin.get("/reports"))
    assert "Vestland fylkeskommune" in report


def test_run_jobs_moves_a_stage_on_time_and_twice_in_a_row_sends_nothing_twice(
        app, db, people, make_item, partners, runner):
    from reuse.models import PartnerSubscription

    item = make_item(people.member, title="Skap", category="skap", quantity=2,
                     internal_until=oslo_today() + timedelta(days=1))
    db.session.add(PartnerSubscription(user_id=partners.county_person.id,
                                       category_id=item.category_id))
    db.session.commit()

    def told() -> int:
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind.like("%stage%")))

    assert stages.advance_due(oslo_today()) == 0  # the internal period has a day left
    day_after = oslo_today() + timedelta(days=2)
    assert stages.advance_due(day_after) == 1
    db.session.commit()
    db.session.refresh(item)
    assert item.stage == Stage.PUBLIC_BODIES
    first = told()
    assert first >= 2  # the lister and the subscribed partner
    assert stages.advance_due(day_after) == 0
    db.session.commit()
    assert told() == first
    assert claims.claim_item(partners.county_person, item, 1).partner_id == partners.county.id
