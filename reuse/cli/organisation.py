"""The organisation from its register: `import-units`."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from reuse.cli.common import in_default_language
from reuse.extensions import db
from reuse.services import unit_import
from reuse.services.errors import DomainError

commands = AppGroup("organisation")


@commands.command("import-units")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--close-missing", is_flag=True,
              help="Close units with a code that the file does not list.")
@in_default_language
def import_units_command(file: Path, dry_run: bool, close_missing: bool):
    """Create, rename, move (and close) units from a CSV: code,name,parent_code."""
    try:
        plan = unit_import.prepare(file.read_bytes(), close_missing=close_missing)
        if not dry_run:
            unit_import.apply(None, plan)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    for line in plan.lines():
        click.echo(line)
    click.echo(plan.summary())
