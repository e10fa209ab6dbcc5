"""What a partner organisation's person sees and does: the items the cascade offers their
organisation now, claiming them, their organisation's claims and the categories they want to
hear about. To anyone else these pages do not exist."""

from flask import Blueprint, abort
from flask_login import current_user

from reuse.services import permissions

bp = Blueprint("partner", __name__, url_prefix="/partner")


@bp.before_request
def only_partners():
    # Anonymous visitors are sent to sign in by each view's login_required.
    if current_user.is_authenticated and not permissions.can_use_partner_pages(current_user):
        abort(404)


from reuse.web.partner import views  # noqa: E402,F401
