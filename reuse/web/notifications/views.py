from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from reuse.extensions import db
from reuse.services import notifications
from reuse.web.notifications import bp


@bp.get("/notifications")
@login_required
def notification_list():
    found = notifications.recent(current_user)
    return render_template("notifications/list.html", notifications=found)


@bp.post("/notifications/read")
@login_required
def mark_read():
    notifications.mark_all_read(current_user)
    db.session.commit()
    flash(_("Alle varsler er merket som lest."), "success")
    return redirect(url_for("notifications.notification_list"))
