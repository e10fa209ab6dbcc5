"""`flask --app reuse COMMAND`: the commands in API.md, each a thin caller of the services.

One module per area, each with its `commands`; init_app() puts them all at the top level.
Commands speak bokmål, the default language; notifications they cause are still written in
each recipient's own language (reuse.i18n.locale_of).
"""

from __future__ import annotations

from flask import Flask

from reuse.cli import (
    api_tokens,
    backup,
    jobs,
    organisation,
    partners,
    people,
    provisioning,
    purchases,
    report_totals,
    seed,
)

AREAS = (seed, people, organisation, partners, api_tokens, provisioning, jobs, report_totals,
         backup, purchases)


def init_app(app: Flask) -> None:
    """Register every area's commands as `flask --app reuse NAME`, not under a group."""
    for area in AREAS:
        for command in area.commands.commands.values():
            app.cli.add_command(command)
