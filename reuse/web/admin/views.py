from flask import abort, render_template
from flask_login import current_user, login_required

from reuse.services import permissions
from reuse.web.admin import bp


@bp.get("/")
@login_required
def index():
    if not permissions.can_administer(current_user):
        abort(403)
    return render_template("admin/index.html",
                           sees_everything=permissions.administers_everything(current_user))
