"""Data to start from: `load-categories` (the shipped catalogue) and `seed-demo`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.i18n import gettext as _
from reuse.services import categories, purchase_rules

commands = AppGroup("seed")


@commands.command("load-categories")
@in_default_language
def load_categories_command():
    """Add the shipped categories and their default factors, and the shipped rules that
    give purchase lines a category (existing ones are kept)."""
    added, present = commit_or_fail(categories.load_defaults)
    click.echo(_("%(added)s kategorier lagt til, %(present)s fantes fra før.",
                 added=added, present=present))
    rules = commit_or_fail(purchase_rules.load_defaults)
    click.echo(_("%(added)s regler for innkjøpslinjer lagt til.", added=rules))


@commands.command("seed-demo")
@click.option("--force", is_flag=True,
              help="Run outside development too (the demo accounts' password is public).")
@in_default_language
def seed_demo_command(force: bool):
    """Idempotent demo data: units, a user per role, categories and items with photos."""
    from reuse import demo

    # The demo accounts, an admin among them, share the password printed in the README.
    if current_app.config["REUSE_ENV"] != "development" and not force:
        raise click.ClickException(_(
            "seed-demo lager kontoer med et offentlig kjent passord og kjører bare med "
            "REUSE_ENV=development (eller med --force)."))
    commit_or_fail(lambda: demo.seed(log=click.echo))
    click.echo(demo.login_help())
