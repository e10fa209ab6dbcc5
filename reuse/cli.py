"""`flask --app reuse COMMAND`: the commands in API.md, each a thin caller of the services."""

from __future__ import annotations

import os

import click
from flask import Flask

from reuse.extensions import db
from reuse.services import categories, units, users
from reuse.services.errors import DomainError


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
