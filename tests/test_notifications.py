"""The notifications page: opening one marks it read, days as headings, 'Bare uleste'."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from reuse.clock import OSLO, oslo_today
from reuse.extensions import db as _db
from reuse.services import notifications
from reuse.web.notifications.views import day_heading
from tests.conftest import page_text


def note(user, subject, *, link="/claims/incoming", created_at=None, read=False):
    notification = notifications.notify(user, "claim_created", subject, "Noen vil ha tingen.",
                                        link=link)
    if created_at is not None:
        notification.created_at = created_at
    if read:
        notification.read_at = notification.created_at
    _db.session.commit()
    return notification


def badge(response) -> str | None:
    found = re.search(r'aria-label="Varsler, ([^"]*)"', response.get_data(as_text=True))
    return found and found.group(1)


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(client, people, log_in,
                                                                     db):
    first = note(people.member, "Ny forespørsel: Bokhylle")
    note(people.member, "Ny forespørsel: Kontorstol")
    log_in(people.member)
    assert badge(client.get("/notifications")) == "2 uleste"

    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/claims/incoming"
    assert badge(client.get("/claims/incoming")) == "1 ulest"
    # Opened again, it stays read and still leads there.
    assert client.get(f"/notifications/{first.id}").headers["Location"] == "/claims/incoming"
    assert badge(client.get("/claims/incoming")) == "1 ulest"


def test_someone_elses_notification_cannot_be_opened_or_marked(client, people, log_in, db):
    theirs = note(people.outsider, "Forespørselen er godkjent", link="/claims")
    log_in(people.member)
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert client.submit(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read_at is None


def test_a_link_off_the_site_is_never_followed(client, people, log_in, db):
    odd = note(people.member, "Merkelig lenke", link="//evil.example/claims")
    log_in(people.member)
    assert client.get(f"/notifications/{odd.id}").headers["Location"] == "/notifications"


def test_a_notification_without_a_page_is_marked_read_by_its_button(client, people, log_in,
                                                                    db):
    plain = note(people.member, "Velkommen", link="")
    log_in(people.member)
    page = client.get("/notifications?unread=1").get_data(as_text=True)
    assert f'action="/notifications/{plain.id}/read"' in page
    response = client.submit(f"/notifications/{plain.id}/read", {"unread": "1"})
    assert response.headers["Location"] == "/notifications?unread=1"
    assert badge(client.get("/notifications")) is None
    assert "Ingen uleste varsler" in page_text(client.get("/notifications?unread=1"))


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=OSLO)


def test_notifications_are_grouped_by_the_day_they_came(client, people, log_in, db):
    today = oslo_today()
    earlier = today - timedelta(days=5)
    note(people.member, "Gammel forespørsel", created_at=at_noon(earlier))
    note(people.member, "Gårsdagens forespørsel", created_at=at_noon(today - timedelta(days=1)))
    note(people.member, "Dagens forespørsel")
    log_in(people.member)
    page = page_text(client.get("/notifications"))
    with force_locale("nb_NO"):
        earlier_heading = day_heading(earlier, today)
    order = ["I dag", "Dagens forespørsel", "I går", "Gårsdagens forespørsel", earlier_heading,
             "Gammel forespørsel"]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)


def test_only_unread_shows_what_is_waiting(client, people, log_in, db):
    note(people.member, "Allerede lest", read=True)
    note(people.member, "Venter på svar")
    log_in(people.member)
    everything = page_text(client.get("/notifications"))
    assert "Allerede lest" in everything and "Venter på svar" in everything
    unread = client.get("/notifications?unread=1")
    assert "Venter på svar" in page_text(unread)
    assert "Allerede lest" not in page_text(unread)
    assert 'href="/notifications?unread=1" aria-current="page"' in unread.get_data(as_text=True)


@pytest.mark.parametrize(("locale", "day", "expected"), [
    ("nb_NO", date(2026, 12, 2), "I dag"),
    ("nb_NO", date(2026, 12, 1), "I går"),
    ("nb_NO", date(2026, 11, 30), "mandag 30. november"),
    ("nb_NO", date(2025, 11, 30), "søndag 30. november 2025"),
    ("en_GB", date(2026, 12, 1), "Yesterday"),
    ("en_GB", date(2026, 11, 30), "Monday 30 November"),
])
def test_day_headings_read_as_people_say_them(app, locale, day, expected):
    with app.test_request_context(), force_locale(locale):
        assert day_heading(day, today=date(2026, 12, 2)) == expected


def test_by_day_counts_days_in_oslo(db, people):
    # 23.30 UTC on 1 December is already 2 December in Bergen.
    late = note(people.member, "Sent", created_at=datetime(2026, 12, 1, 23, 30, tzinfo=UTC))
    assert notifications.by_day([late]) == [(date(2026, 12, 2), [late])]


def test_the_count_read_with_the_signed_in_person_follows_changes_made_in_the_same_request(
        app, people, db):
    """The header's count is read in the statement that loads the signed-in person and kept
    for the request; what the request itself changes must still show on its page."""
    note(people.member, "Ny forespørsel: Bokhylle")
    with app.test_request_context():
        person = db.session.get(type(people.member), people.member.id)
        notifications.keep_unread(person, 1)  # as the sign-in's loader does
        assert notifications.unread_count(person) == 1
        notifications.notify(person, "claim_created", "Ny forespørsel: Kontorstol", "…")
        assert notifications.unread_count(person) == 2
        notifications.keep_unread(person, 2)
        one = notifications.recent(person, unread_only=True)[0]
        notifications.mark_read(person, one.id)
        assert notifications.unread_count(person) == 1
        notifications.keep_unread(person, 1)
        notifications.mark_all_read(person)
        assert notifications.unread_count(person) == 0
        db.session.rollback()
        # The rollback undid the reading: counted again, not the 0 from before it.
        assert notifications.unread_count(person) == 1
        notifications.keep_unread(person, 7)
        db.session.commit()
        assert notifications.unread_count(person) == 1
