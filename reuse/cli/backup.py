"""`backup --to PATH` and `restore --from PATH [--yes]`; the work is reuse.backup's."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from reuse import storage
from reuse.backup import BackupError, Manifest, create_backup, restore_backup, target_description

commands = AppGroup("backup")


def _interactive() -> bool:
    return sys.stdin.isatty()


@commands.command("backup")
@click.option("--to", "target", required=True, type=click.Path(path_type=Path),
              help="The new backup file, or a folder to write gjenbruk-TIMESTAMP.tar.gz in.")
def backup_command(target: Path):
    """Write the database and the photo files to one new .tar.gz (safe while running)."""
    try:
        result = create_backup(target)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest
    for name in manifest.missing_photos:
        click.echo(f"Advarsel: bildefilen {name} mangler i {storage.store().location} og er "
                   "ikke med.", err=True)
    click.echo(f"Sikkerhetskopi skrevet til {result.path}: {manifest.rows} rader i "
               f"{len(manifest.tables)} tabeller, {len(manifest.photo_names)} bildefiler, "
               f"migrering {manifest.alembic_revision}, {result.size / 1e6:.1f} MB.")


@commands.command("restore")
@click.option("--from", "source", required=True, type=click.Path(path_type=Path),
              help="A file written by `backup`.")
@click.option("--yes", is_flag=True, help="Do not ask; needed when not run at a terminal.")
def restore_command(source: Path, yes: bool):
    """Replace the whole database and the photos with a backup's. Stop the app first."""
    def confirm(manifest: Manifest) -> None:
        if yes:
            return
        if not _interactive():
            raise click.ClickException(
                "Gjenoppretting erstatter hele databasen og bildene; bekreft med --yes.")
        click.confirm(f"Erstatte {target_description()} og bildene i "
                      f"{storage.store().location} med "
                      f"sikkerhetskopien fra {manifest.created_at} ({manifest.rows} rader, "
                      f"{len(manifest.photo_names)} bildefiler)?", abort=True)

    try:
        result = restore_backup(source, confirm)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = result.manifest
    click.echo(f"Gjenopprettet fra {source} (tatt {manifest.created_at}): {manifest.rows} "
               f"rader i {len(manifest.tables)} tabeller, {len(manifest.photo_names)} "
               f"bildefiler ({result.photos_written} skrevet, {result.photos_removed} "
               "overflødige fjernet).")
