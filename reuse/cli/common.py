"""What every command shares: one transaction per service call, one language, one time format."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import click
from flask_babel import force_locale

from reuse.extensions import db
from reuse.i18n import DEFAULT_LANGUAGE
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import User
from reuse.services import users
from reuse.services.errors import DomainError, NotFound

# The columns and words of the token listings (list-tokens, list-scim-tokens): one source.
ID_COLUMN = _l("id")
LABEL_COLUMN = _l("navn")
CREATED_COLUMN = _l("opprettet")
LAST_USED_COLUMN = _l("sist brukt")
EXPIRES_COLUMN = _l("utløper")
STATUS_COLUMN = _l("status")
TOKEN_STATES = {"active": _l("virker"), "expired": _l("utløpt"),
                "revoked": _l("trukket tilbake")}
NEVER = _l("aldri")


def commit_or_fail(action):
    """Run a service call; on a refused rule exit non-zero with its one-line message."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None


def in_default_language(command):
    """Run a command in the default language: there is no request to choose one from."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(DEFAULT_LANGUAGE):
            return command(*args, **kwargs)
    return run


def when(moment: datetime) -> str:
    """A timestamp in a command's output: to the minute, in UTC, saying so."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def user_by_email(email: str) -> User:
    """The user an --email option names; NotFound (a one-line refusal) if there is none."""
    user = users.find_by_email(email)
    if user is None:
        raise NotFound(_("Fant ingen bruker med e-post %(email)s.", email=email))
    return user
