"""Messages written by the services: each recipient reads theirs in their own language, and
refusals come in the language that is active (bokmål unless someone chose English)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.support import Translations
from flask_babel import force_locale

from reuse.clock import oslo_today
from reuse.models import ClaimStatus
from reuse.services import claims, notifications
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied

TRANSLATIONS = Path(__file__).resolve().parent.parent / "reuse" / "translations"
ENGLISH_CATALOGUE = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"


def english(msgid: str, **values) -> str:
    """What the compiled English catalogue makes of a bokmål msgid."""
    assert ENGLISH_CATALOGUE.exists(), \
        f"no {ENGLISH_CATALOGUE}: `make install` compiles it from messages.po"
    text = Translations.load(str(TRANSLATIONS), ["en"]).gettext(msgid)
    assert text != msgid, f"not translated in the English catalogue: {msgid!r}"
    return text % values if values else text


@pytest.fixture
def chairs(people, make_item):
    return make_item(people.member, title="Kontorstoler", quantity=5)


def test_service_refusals_are_bokmal_when_bokmal_is_active(people, chairs, db):
    # Even for someone who reads English: a refusal follows the active language.
    people.colleague.locale = "en"
    db.session.commit()
    with force_locale("nb"):
        with pytest.raises(PermissionDenied) as own_unit:
            claims.claim_item(people.colleague, chairs, 1)
        with pytest.raises(InvalidInput) as too_many:
            claims.claim_item(people.outsider, chairs, 0)
        claims.claim_item(people.outsider, chairs, 4)
        with pytest.raises(Conflict) as taken:
            claims.claim_item(people.admin, chairs, 2)
        label = str(claims.STATUS_LABELS[ClaimStatus.COLLECTED])
    assert own_unit.value.message == "Du kan ikke be om ting fra din egen enhet."
    assert too_many.value.message == "Antall må være et helt tall fra 1 til 10000."
    assert taken.value.message == "Det er bare 1 ledig nå, så 2 kan ikke reserveres."
    assert label == "Hentet"


def test_each_recipient_is_written_to_in_their_own_language(people, chairs, db, mailbox):
    people.member.locale = "en"  # the lister reads English; the claimant bokmål
    db.session.commit()
    mailbox.messages.clear()

    # Whoever acts, in whatever language, the message is in the language of its reader:
    # the claimant works in bokmål and the lister is told in English ...
    with force_locale("nb"):
        claim = claims.claim_item(people.outsider, chairs, 2, "Hei!")
    db.session.commit()
    notifications.deliver_committed()
    [to_lister] = mailbox.to(people.member.email)
    assert to_lister["Subject"] == english("Ny forespørsel: %(title)s", title="Kontorstoler")
    assert to_lister["Subject"].startswith("New request")
    body = to_lister.get_content()
    assert english("%(name)s (%(unit)s) ber om %(quantity)s stk. «%(title)s».",
                   name="Lars Vik", unit="Landås barnehage", quantity=2,
                   title="Kontorstoler") in body
    assert english("Melding: %(message)s", message="Hei!") in body
    assert "ber om" not in body

    # ... and the lister answers in English while the claimant is told in bokmål.
    with force_locale("en"):
        claims.approve(people.member, claim)
    db.session.commit()
    notifications.deliver_committed()
    [to_claimant] = mailbox.to(people.outsider.email)
    assert to_claimant["Subject"] == "Godkjent: Kontorstoler"
    assert f"Hent innen {claim.collect_by:%d.%m.%Y}" in to_claimant.get_content()


def test_refusals_are_english_when_english_is_active(people, chairs):
    with force_locale("en"), pytest.raises(PermissionDenied) as own_unit:
        claims.claim_item(people.colleague, chairs, 1)
    assert own_unit.value.message == english("Du kan ikke be om ting fra din egen enhet.")


def test_run_jobs_write_to_english_readers_in_english(runner, people, chairs, db, mailbox):
    people.outsider.locale = "en"
    db.session.commit()
    claim = claims.claim_item(people.outsider, chairs, 2)
    claim.collect_by = oslo_today() - timedelta(days=1)
    db.session.commit()
    notifications.deliver_committed()
    mailbox.messages.clear()

    result = runner.invoke(args=["run-jobs"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 forespørsler utløpt")  # the command speaks bokmål
    [expired] = mailbox.to(people.outsider.email)
    assert expired["Subject"] == english("Utløpt: %(title)s", title="Kontorstoler")
    assert format_date(claim.collect_by, "medium", locale="en_GB") in expired.get_content()
    assert [m["Subject"] for m in mailbox.to(people.member.email)] == ["Utløpt: Kontorstoler"]
