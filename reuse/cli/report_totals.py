"""The reports' month totals: `rebuild-report-totals` and `check-report-totals`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.services import month_totals

# Differing rows named one per line before the summary; the count covers the rest.
DIFFERENCES_SHOWN = 20

commands = AppGroup("report-totals")


@commands.command("rebuild-report-totals")
@in_default_language
def rebuild_report_totals_command():
    """Recompute the reports' month totals from the ledger (after a bulk import)."""
    rows = commit_or_fail(month_totals.rebuild)
    click.echo(_("%(rows)s månedssummer er beregnet på nytt fra gjenbruksføringene.",
                 rows=rows))


@commands.command("check-report-totals")
@in_default_language
def check_report_totals_command():
    """Compare the reports' month totals with the ledger; exit 1 if any row differs."""
    differing = month_totals.differences()
    if differing:
        for month, dimension, node_id in sorted(differing)[:DIFFERENCES_SHOWN]:
            click.echo(_("Avvik: %(month)s, %(dimension)s %(id)s", month=month.isoformat(),
                         dimension=dimension, id=node_id), err=True)
        raise click.ClickException(ngettext(
            "%(num)s månedssum stemmer ikke med gjenbruksføringene. Kjør "
            "rebuild-report-totals.",
            "%(num)s månedssummer stemmer ikke med gjenbruksføringene. Kjør "
            "rebuild-report-totals.", len(differing)))
    click.echo(_("Månedssummene stemmer med gjenbruksføringene."))
