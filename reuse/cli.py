"""`flask --app reuse COMMAND`: the commands in API.md, each a thin caller of the services."""

from __future__ import annotations

import os

import click
from flask import Flask

from reuse.extensions import db
from reuse.clock import oslo_today
from reuse.services import (categories, checks, claims, items, notifications, tokens, units,
                            users)
from reuse.services.errors import DomainError, NotFound


def _commit_or_fail(action):
    """Run a service call; on a refused rule exit non-zero with its one-line message."""
    try:
        result = action()
        db.session.commit()
        return result
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None


def init_app(app: Flask) -> None:
    @app.cli.command("load-categories")
    def load_categories_command():
        """Add the shipped categories and their default factors (existing ones are kept)."""
        added, present = _commit_or_fail(categories.load_defaults)
        click.echo(f"{added} kategorier lagt til, {present} fantes fra før.")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Idempotent demo data: units, a user per role, categories and items with photos."""
        from reuse import demo

        _commit_or_fail(lambda: demo.seed(log=click.echo))
        click.echo(demo.login_help())

    @app.cli.command("create-unit")
    @click.option("--name", required=True, help="The unit's name.")
    @click.option("--parent", default=None, help="Name of the parent unit.")
    @click.option("--code", default=None, help="Cost-centre code (ansvar).")
    def create_unit_command(name: str, parent: str | None, code: str | None):
        """Add a unit to the organisation tree."""
        def create():
            parent_unit = units.get_by_name(parent) if parent else None
            return units.create_unit(name=name, parent=parent_unit, code=code)

        unit = _commit_or_fail(create)
        click.echo(f"Enhet opprettet: {unit.name} (id {unit.id}).")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--unit", "unit_name", required=True, help="Name of the user's unit.")
    @click.option("--role", required=True,
                  help="member, unit_admin, sustainability or admin.")
    def create_user_command(email: str, name: str, unit_name: str, role: str):
        """Add a user. The password comes from REUSE_PASSWORD, or is asked for."""
        password = os.environ.get("REUSE_PASSWORD")
        if password is None:
            password = click.prompt("Passord", hide_input=True, confirmation_prompt=True)

        def create():
            return users.create_user(email=email, name=name, unit=units.get_by_name(unit_name),
                                     role=role, password=password)

        user = _commit_or_fail(create)
        click.echo(f"Bruker opprettet: {user.email} ({user.role}, {user.unit.name}).")

    @app.cli.command("create-token")
    @click.option("--email", required=True, help="The user the token acts as.")
    @click.option("--label", default="", help="What the token is for, e.g. the system using it.")
    def create_token_command(email: str, label: str):
        """Print a new API token for a user. It is shown once and stored only as a hash."""
        def create():
            user = users.find_by_email(email)
            if user is None:
                raise NotFound(f"Fant ingen bruker med e-post {email}.")
            return tokens.create_token(user, label)

        token, plain = _commit_or_fail(create)
        click.echo(plain)
        click.echo(f"API-nøkkel {token.id} for {email}. Den vises bare nå.", err=True)

    @app.cli.command("revoke-token")
    @click.option("--id", "token_id", required=True, type=int, help="The token's id.")
    def revoke_token_command(token_id: int):
        """Revoke an API token at once."""
        _commit_or_fail(lambda: tokens.revoke_token(token_id))
        click.echo(f"API-nøkkel {token_id} er trukket tilbake.")

    @app.cli.command("run-jobs")
    def run_jobs_command():
        """Expire overdue claims, send reminders and period warnings, retry e-mail. Idempotent."""
        today = oslo_today()
        expired = _commit_or_fail(lambda: claims.expire_overdue(today))
        reminded = _commit_or_fail(lambda: claims.remind_uncollected(today))
        warned = _commit_or_fail(lambda: items.warn_internal_periods(today))
        check_reminders = _commit_or_fail(checks.remind_open_checks)
        from reuse.services import factors  # factor versions whose day has come
        applied = _commit_or_fail(lambda: factors.apply_due(today))
        mailed = notifications.deliver_committed() + notifications.deliver_undelivered()
        click.echo(f"{len(expired)} forespørsler utløpt, {reminded} påminnelser, "
                   f"{warned} varsler om intern periode, {check_reminders} påminnelser om "
                   f"åpne gjenbrukssjekker, {mailed} e-poster sendt.")
        if applied:
            click.echo(f"{applied} kategorier har fått nye faktorer fra i dag.")
