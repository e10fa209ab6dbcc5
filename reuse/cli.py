"""`flask --app reuse COMMAND`: the commands in API.md, each a thin caller of the services.

Commands speak bokmål, the default language; notifications they cause are still written in
each recipient's own language (reuse.i18n.locale_of).
"""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import DEFAULT_LANGUAGE
from reuse.services import (
    categories,
    checks,
    claims,
    factors,
    items,
    notifications,
    numbers,
    photos,
    tokens,
    units,
    users,
    wanted,
)
from reuse.services.errors import DomainError, NotFound

DIFFERENCES_SHOWN = 20


def _commit_or_fail(action):
    """Run a service call; on a refused rule exit non-zero with its one-line message."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None


def _in_default_language(command):
    """Run a command in the default language: there is no request to choose one from."""
    @functools.wraps(command)
    def run(*args, **kwargs):
        with force_locale(DEFAULT_LANGUAGE):
            return command(*args, **kwargs)
    return run


def _when(moment: datetime) -> str:
    """A timestamp in a command's output: to the minute, in UTC, saying so."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _user(email: str):
    user = users.find_by_email(email)
    if user is None:
        raise NotFound(_("Fant ingen bruker med e-post %(email)s.", email=email))
    return user


def init_app(app: Flask) -> None:
    @app.cli.command("load-categories")
    @_in_default_language
    def load_categories_command():
        """Add the shipped categories and their default factors (existing ones are kept)."""
        added, present = _commit_or_fail(categories.load_defaults)
        click.echo(_("%(added)s kategorier lagt til, %(present)s fantes fra før.",
                     added=added, present=present))

    @app.cli.command("seed-demo")
    @click.option("--force", is_flag=True,
                  help="Run outside development too (the demo accounts' password is public).")
    @_in_default_language
    def seed_demo_command(force: bool):
        """Idempotent demo data: units, a user per role, categories and items with photos."""
        from reuse import demo

        # The demo accounts, an admin among them, share the password printed in the README.
        if current_app.config.get("REUSE_ENV") != "development" and not force:
            raise click.ClickException(_(
                "seed-demo lager kontoer med et offentlig kjent passord og kjører bare med "
                "REUSE_ENV=development (eller med --force)."))
        _commit_or_fail(lambda: demo.seed(log=click.echo))
        click.echo(demo.login_help())

    @app.cli.command("create-unit")
    @click.option("--name", required=True, help="The unit's name.")
    @click.option("--parent", default=None, help="Name of the parent unit.")
    @click.option("--code", default=None, help="Cost-centre code (ansvar).")
    @_in_default_language
    def create_unit_command(name: str, parent: str | None, code: str | None):
        """Add a unit to the organisation tree."""
        def create():
            parent_unit = units.get_by_name(parent) if parent else None
            return units.create_unit(name=name, parent=parent_unit, code=code)

        unit = _commit_or_fail(create)
        click.echo(_("Enhet opprettet: %(name)s (id %(id)s).", name=unit.name, id=unit.id))

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--unit", "unit_name", required=True, help="Name of the user's unit.")
    @click.option("--role", required=True,
                  help="member, unit_admin, sustainability or admin.")
    @_in_default_language
    def create_user_command(email: str, name: str, unit_name: str, role: str):
        """Add a user. The password comes from REUSE_PASSWORD, or is asked for."""
        password = os.environ.get("REUSE_PASSWORD")
        if password is None:
            password = click.prompt(_("Passord"), hide_input=True, confirmation_prompt=True)

        def create():
            return users.create_user(email=email, name=name, unit=units.get_by_name(unit_name),
                                     role=role, password=password)

        user = _commit_or_fail(create)
        click.echo(_("Bruker opprettet: %(email)s (%(role)s, %(unit)s).", email=user.email,
                     role=user.role, unit=user.unit.name))

    @app.cli.command("deactivate-user")
    @click.option("--email", required=True)
    @_in_default_language
    def deactivate_user_command(email: str):
        """Close an account: no login, sessions and API tokens end. History keeps the name."""
        user = _commit_or_fail(lambda: _user(email))
        _commit_or_fail(lambda: users.deactivate(user))
        click.echo(_("%(email)s er deaktivert.", email=email))

    @app.cli.command("anonymise-user")
    @click.option("--email", required=True)
    @click.option("--yes", is_flag=True, help="Confirm; erasure cannot be undone.")
    @_in_default_language
    def anonymise_user_command(email: str, yes: bool):
        """Erase a person's name and e-mail everywhere (GDPR); claims and figures stay."""
        if not yes:
            raise click.ClickException(_("Anonymisering kan ikke angres. Gjenta med --yes."))
        user = _commit_or_fail(lambda: _user(email))
        _commit_or_fail(lambda: users.anonymise(user))
        click.echo(_("%(email)s er anonymisert som «%(name)s».", email=email, name=user.name))

    @app.cli.command("create-token")
    @click.option("--email", required=True, help="The user the token acts as.")
    @click.option("--label", default="", help="What the token is for, e.g. the system using it.")
    @click.option("--expires-in-days", type=int, default=None,
                  help="Days until the token stops working (1 to 3650); without it, it works "
                       "until revoked.")
    @_in_default_language
    def create_token_command(email: str, label: str, expires_in_days: int | None):
        """Print a new API token for a user. It is shown once and stored only as a hash."""
        token, plain = _commit_or_fail(
            lambda: tokens.create_token(_user(email), label, expires_in_days))
        click.echo(plain)
        click.echo(_("API-nøkkel %(id)s for %(email)s. Den vises bare nå.", id=token.id,
                     email=email), err=True)
        if token.expires_at is not None:
            click.echo(_("Den slutter å virke %(when)s.", when=_when(token.expires_at)),
                       err=True)

    @app.cli.command("list-tokens")
    @click.option("--email", required=True, help="Whose tokens to list.")
    @_in_default_language
    def list_tokens_command(email: str):
        """List a user's API tokens: created, last used, expiry and whether they still work."""
        user = _commit_or_fail(lambda: _user(email))
        listed = tokens.tokens_of(user)
        if not listed:
            click.echo(_("%(email)s har ingen API-nøkler.", email=email))
            return
        click.echo("\t".join([_("id"), _("navn"), _("opprettet"), _("sist brukt"),
                              _("utløper"), _("status")]))
        states = {"active": _("virker"), "expired": _("utløpt"),
                  "revoked": _("trukket tilbake")}
        for token in listed:
            click.echo("\t".join([
                str(token.id), token.label or "–", _when(token.created_at),
                _when(token.last_used_at) if token.last_used_at else _("aldri"),
                _when(token.expires_at) if token.expires_at else _("aldri"),
                states[tokens.status(token)]]))

    @app.cli.command("revoke-token")
    @click.option("--id", "token_id", required=True, type=click.IntRange(1, numbers.MAX_INT),
                  help="The token's id.")
    @_in_default_language
    def revoke_token_command(token_id: int):
        """Revoke an API token at once."""
        _commit_or_fail(lambda: tokens.revoke_token(token_id))
        click.echo(_("API-nøkkel %(id)s er trukket tilbake.", id=token_id))

    @app.cli.command("rebuild-report-totals")
    @_in_default_language
    def rebuild_report_totals_command():
        """Recompute the reports' month totals from the ledger (after a bulk import)."""
        from reuse.services import month_totals

        rows = _commit_or_fail(month_totals.rebuild)
        click.echo(_("%(rows)s månedssummer er beregnet på nytt fra gjenbruksføringene.",
                     rows=rows))

    @app.cli.command("check-report-totals")
    @_in_default_language
    def check_report_totals_command():
        """Compare the reports' month totals with the ledger; exit 1 if any row differs."""
        from reuse.services import month_totals

        differing = month_totals.differences()
        if differing:
            for month, dimension, node_id in sorted(differing)[:DIFFERENCES_SHOWN]:
                click.echo(_("Avvik: %(month)s, %(dimension)s %(id)s", month=month.isoformat(),
                             dimension=dimension, id=node_id), err=True)
            raise click.ClickException(_(
                "%(count)s månedssummer stemmer ikke med gjenbruksføringene. Kjør "
                "rebuild-report-totals.", count=len(differing)))
        click.echo(_("Månedssummene stemmer med gjenbruksføringene."))

    @app.cli.command("run-jobs")
    @_in_default_language
    def run_jobs_command():
        """Expire overdue claims, send reminders and period warnings, match new items against
        wanted requests, retry e-mail. Idempotent."""
        today = oslo_today()
        expired = _commit_or_fail(lambda: claims.expire_overdue(today))
        reminded = _commit_or_fail(lambda: claims.remind_uncollected(today))
        warned = _commit_or_fail(lambda: items.warn_internal_periods(today))
        check_reminders = _commit_or_fail(checks.remind_open_checks)
        applied = _commit_or_fail(lambda: factors.apply_due(today))
        matched, told = _match_wanted()
        removed = photos.remove_orphan_files()
        delivery = notifications.deliver_due()
        click.echo(_("%(expired)s forespørsler utløpt, %(reminded)s påminnelser, %(warned)s "
                     "varsler om intern periode, %(checks)s påminnelser om åpne "
                     "gjenbrukssjekker, %(mailed)s e-poster sendt.", expired=len(expired),
                     reminded=reminded, warned=warned, checks=check_reminders,
                     mailed=delivery.sent))
        if delivery.retrying:
            click.echo(_("%(count)s e-poster feilet og prøves igjen senere.",
                         count=delivery.retrying))
        if delivery.given_up:
            click.echo(_("%(count)s e-poster er gitt opp etter gjentatte feil (se loggen); "
                         "varslene finnes fortsatt i appen.", count=delivery.given_up),
                       err=True)
        if applied:
            click.echo(_("%(applied)s kategorier har fått nye faktorer fra i dag.",
                         applied=applied))
        if removed:
            click.echo(_("%(removed)s bildefiler uten annonse er slettet.", removed=removed))
        if matched:
            click.echo(_("%(items)s nye annonser er sjekket mot ønskene; %(people)s personer "
                         "har fått beskjed.", items=matched, people=told))
        if delivery.unavailable:
            # The one failure worth waking someone for: nothing can be sent until it is fixed.
            raise click.ClickException(_(
                "E-post kan ikke sendes nå: e-postserveren svarer ikke, eller oppsettet er feil "
                "(se loggen). %(waiting)s e-poster venter til neste kjøring.",
                waiting=notifications.waiting_count()))

    def _match_wanted() -> tuple[int, int]:
        """Match the items posted since the last run, a committed batch at a time."""
        matched = told = 0
        while True:
            items_taken, people = _commit_or_fail(wanted.match_pending)
            matched, told = matched + items_taken, told + people
            if items_taken < wanted.MATCH_BATCH:
                return matched, told
