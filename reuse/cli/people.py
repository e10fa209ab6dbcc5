"""Units and people: `create-unit`, `create-user`, `deactivate-user`, `anonymise-user`."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from reuse.cli.common import commit_or_fail, in_default_language, user_by_email
from reuse.i18n import gettext as _
from reuse.services import units, users

commands = AppGroup("people")


@commands.command("create-unit")
@click.option("--name", required=True, help="The unit's name.")
@click.option("--parent", default=None, help="Name of the parent unit.")
@click.option("--code", default=None, help="Cost-centre code (ansvar).")
@in_default_language
def create_unit_command(name: str, parent: str | None, code: str | None):
    """Add a unit to the organisation tree."""
    def create():
        parent_unit = units.get_by_name(parent) if parent else None
        return units.create_unit(name=name, parent=parent_unit, code=code)

    unit = commit_or_fail(create)
    click.echo(_("Enhet opprettet: %(name)s (id %(id)s).", name=unit.name, id=unit.id))


@commands.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--unit", "unit_name", required=True, help="Name of the user's unit.")
@click.option("--role", required=True,
              help="member, unit_admin, sustainability or admin.")
@in_default_language
def create_user_command(email: str, name: str, unit_name: str, role: str):
    """Add a user. The password comes from REUSE_PASSWORD, or is asked for."""
    password = os.environ.get("REUSE_PASSWORD")
    if password is None:
        password = click.prompt(str(users.PASSWORD_LABEL), hide_input=True,
                                confirmation_prompt=True)

    def create():
        return users.create_user(email=email, name=name, unit=units.get_by_name(unit_name),
                                 role=role, password=password)

    user = commit_or_fail(create)
    click.echo(_("Bruker opprettet: %(email)s (%(role)s, %(unit)s).", email=user.email,
                 role=user.role, unit=user.unit.name))


@commands.command("deactivate-user")
@click.option("--email", required=True)
@in_default_language
def deactivate_user_command(email: str):
    """Close an account: no login, sessions and API tokens end. History keeps the name."""
    user = commit_or_fail(lambda: user_by_email(email))
    commit_or_fail(lambda: users.deactivate(user))
    click.echo(users.deactivated(email))


@commands.command("anonymise-user")
@click.option("--email", required=True)
@click.option("--yes", is_flag=True, help="Confirm; erasure cannot be undone.")
@in_default_language
def anonymise_user_command(email: str, yes: bool):
    """Erase a person's name and e-mail everywhere (GDPR); claims and figures stay."""
    if not yes:
        raise click.ClickException(_("Anonymisering kan ikke angres. Gjenta med --yes."))
    user = commit_or_fail(lambda: user_by_email(email))
    commit_or_fail(lambda: users.anonymise(user))
    click.echo(_("%(email)s er anonymisert som «%(name)s».", email=email, name=user.name))
