from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import DEFAULT_LANGUAGE, language
from reuse.i18n import gettext as _
from reuse.services import notifications
from reuse.web import safe_next
from reuse.web.notifications import bp

# A day further back than yesterday: 'mandag 30. november', 'Monday 30 November'; the year
# only when it is not this year's.
DAY_FORMATS = {"nb": ("EEEE d. MMMM", "EEEE d. MMMM y"), "en": ("EEEE d MMMM", "EEEE d MMMM y")}


def day_heading(day: date, today: date) -> str:
    """'I dag', 'I går', or the weekday and date: the heading over one day's notifications."""
    if day == today:
        return _("I dag")
    if day == today - timedelta(days=1):
        return _("I går")
    this_year, other_year = DAY_FORMATS.get(language(), DAY_FORMATS[DEFAULT_LANGUAGE])
    return format_date(day, this_year if day.year == today.year else other_year)


def _unread_only() -> bool:
    return request.values.get("unread") == "1"


def _list_url(unread_only: bool) -> str:
    return url_for("notifications.notification_list", unread=1 if unread_only else None)


@bp.get("/notifications")
@login_required
def notification_list():
    unread_only = _unread_only()
    today = oslo_today()
    days = [(day_heading(day, today), found) for day, found in
            notifications.by_day(notifications.recent(current_user, unread_only=unread_only))]
    return render_template("notifications/list.html", days=days, unread_only=unread_only,
                           all_url=_list_url(False), unread_url=_list_url(True))


# A GET, so that a notification is an ordinary link (a new tab, a copied address, a screen
# reader's list of links). Marking read is idempotent and touches only the signed-in person's
# own notification: a forged cross-site request can do no more than mark one read.
@bp.get("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id: int):
    notification = notifications.mark_read(current_user, notification_id)
    if notification is None:
        abort(404)
    db.session.commit()
    return redirect(safe_next(notification.link, url_for("notifications.notification_list")))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_one_read(notification_id: int):
    if notifications.mark_read(current_user, notification_id) is None:
        abort(404)
    db.session.commit()
    return redirect(_list_url(_unread_only()))


@bp.post("/notifications/read")
@login_required
def mark_read():
    notifications.mark_all_read(current_user)
    db.session.commit()
    flash(_("Alle varsler er merket som lest."), "success")
    return redirect(_list_url(_unread_only()))
