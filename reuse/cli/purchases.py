"""Purchase lines from the purchasing systems: `import-purchases`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from reuse.cli.common import in_default_language
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.services import purchases
from reuse.services.errors import DomainError

commands = AppGroup("purchases")
# Refused lines printed in full; beyond this a count says how many more there were.
SHOWN_REFUSALS = 200


def _line_count(data: bytes, filename: str) -> int:
    """About how many lines the file has, for the progress bar (the header excluded)."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return 0  # unknown until read: the bar counts without a total
    return max(data.count(b"\n") - 1 + (0 if data.endswith(b"\n") else 1), 0)


@commands.command("import-purchases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", required=True,
              help="The purchasing system the lines come from; a line is known by "
                   "(source, line_id).")
@click.option("--all-or-nothing", is_flag=True,
              help="Write nothing if any line is refused.")
@in_default_language
def import_purchases_command(file: Path, source: str, all_or_nothing: bool):
    """Create or update purchase lines from a CSV or XLSX file (format: API.md, Purchases).

    The last line of output is `created N, updated N, unchanged N, refused N`."""
    data = file.read_bytes()
    total = _line_count(data, file.name)
    # The bar goes to standard error, so standard output stays the refusals and the summary.
    with click.progressbar(length=total or None, label=_("Leser innkjøpslinjer"),
                           file=sys.stderr, show_pos=True) as bar:
        try:
            result = purchases.import_file(None, source, data, file.name,
                                           all_or_nothing=all_or_nothing, via="cli",
                                           progress=bar.update)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    for refusal in result.refused[:SHOWN_REFUSALS]:
        click.echo(refusal.text())
    if len(result.refused) > SHOWN_REFUSALS:
        more = len(result.refused) - SHOWN_REFUSALS
        click.echo(ngettext("… og %(num)s linje til ble avvist.",
                            "… og %(num)s linjer til ble avvist.", more))
    if not result.written:
        click.echo(ngettext("Ingenting ble skrevet: %(num)s linje ble avvist.",
                            "Ingenting ble skrevet: %(num)s linjer ble avvist.",
                            len(result.refused)))
    click.echo(result.summary())
    if not result.written:
        raise SystemExit(1)
