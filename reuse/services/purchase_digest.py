"""The monthly note to unit administrators about last month's purchases without a reuse check.

Sent by `run-jobs` from the 7th of a month (SEND_FROM_DAY), for the month before: one
notification (in the app and by e-mail, through the notification outbox) per active unit
administrator whose unit or a unit under it bought something in a reusable category without
a check. Nothing is sent to one who has no such lines; the dedup key (the month) makes sure
no one gets the same month twice, however often the job runs. Lines imported after a month's
note went out are in the report, not in a second note.

Worded as help for next time, not as blame: the lines, and what was free in Gjenbruk when
each was ordered.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from flask_babel import force_locale
from sqlalchemy import select

from reuse.extensions import db
from reuse.i18n import format_day, locale_of, ngettext
from reuse.i18n import gettext as _
from reuse.models import Role, Unit, User
from reuse.services import notifications
from reuse.services.reports import purchases as rec
from reuse.services.reports.purchase_report import details_for
from reuse.services.reports.scope import Period, Scope
from reuse.services.trees import subtree_id_list
from reuse.templating import format_month, format_nok

KIND = "purchase_digest"
# Purchasing systems deliver a month's lines some days after it ends: a note on the 1st would
# miss most of them, and a month's note goes out only once.
SEND_FROM_DAY = 7
MAX_LINES = 10  # listed in the note; the link shows them all
MAX_ALTERNATIVES = 3  # named per line


def month_before(today: date) -> Period:
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return Period(last.replace(day=1), last)


def dedup_key(period: Period) -> str:
    return f"purchase-digest:{period.start:%Y-%m}"


def drill_down_link(period: Period, unit_id: int) -> str:
    return "/reports/purchases/lines?" + urlencode({
        "from": period.start.isoformat(), "to": period.end.isoformat(), "unit": unit_id,
        "group": rec.UNCOVERED})


def send_monthly(today: date) -> int:
    """Tell each unit administrator about last month's uncovered lines of their unit and the
    units under it (once per month). The number of notes written."""
    if today.day < SEND_FROM_DAY:
        return 0
    period = month_before(today)
    admins = db.session.scalars(select(User).where(
        User.role == Role.UNIT_ADMIN.value, User.active.is_(True))
        .order_by(User.id)).all()
    if not admins:
        return 0
    uncovered = [line for line in rec.reconcile(Scope(period)) if line.uncovered]
    if not uncovered:
        return 0
    sent = 0
    for admin in admins:
        if not admin.is_active or admin.unit_id is None:
            continue
        subtree = set(subtree_id_list(Unit, admin.unit_id))
        theirs = [line for line in uncovered if line.unit_id in subtree]
        if not theirs:
            continue
        with force_locale(locale_of(admin)):
            subject, body = _message(admin, period, theirs)
        sent += bool(notifications.notify(
            admin, KIND, subject, body, link=drill_down_link(period, admin.unit_id),
            dedup_key=dedup_key(period)))
    return sent


def _message(admin: User, period: Period, lines: list[rec.Reconciled]) -> tuple[str, str]:
    month = format_month(period.start)
    count = len(lines)
    subject = ngettext("Gjenbruk neste gang? %(num)s innkjøp i %(month)s uten sjekk",
                       "Gjenbruk neste gang? %(num)s innkjøp i %(month)s uten sjekk",
                       count, month=month)
    shown = lines[:MAX_LINES]
    details = details_for(admin, shown, max_alternatives=MAX_ALTERNATIVES)
    parts = [ngettext(
        "I %(month)s ble det gjort %(num)s innkjøp i en kategori som også finnes brukt i "
        "Gjenbruk, uten at noen sjekket Gjenbruk først (%(unit)s og enhetene under). Det er "
        "lett å glemme, så her er en oversikt til neste gang.",
        "I %(month)s ble det gjort %(num)s innkjøp i kategorier som også finnes brukt i "
        "Gjenbruk, uten at noen sjekket Gjenbruk først (%(unit)s og enhetene under). Det er "
        "lett å glemme, så her er en oversikt til neste gang.",
        count, month=month, unit=admin.unit.name)]
    for line in shown:
        entry = _("%(date)s, %(unit)s: %(description)s (%(supplier)s), %(amount)s",
                  date=format_day(line.ordered_on), unit=details.units.get(line.unit_id, ""),
                  description=line.description, supplier=line.supplier,
                  amount=format_nok(line.amount_nok))
        free = details.alternatives.get(line.id)
        if free:
            names = ", ".join(ngettext("%(title)s (%(num)s ledig)", "%(title)s (%(num)s ledige)",
                                       item.free, title=item.title) for item in free)
            entry += "\n  " + _("Neste gang: sjekk Gjenbruk først — dette var ledig da dere "
                                "bestilte: %(items)s", items=names)
        parts.append("- " + entry)
    if count > len(shown):
        parts.append(ngettext("… og %(num)s linje til.", "… og %(num)s linjer til.",
                              count - len(shown)))
    parts.append(_("En gjenbrukssjekk tar et par minutter: søk i Gjenbruk før dere bestiller, "
                   "og skriv sjekkens nummer på bestillingen. Alle linjene står i rapporten:"))
    return subject, "\n\n".join(parts)
