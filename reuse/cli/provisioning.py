"""Provisioning: `create-scim-token` for the identity provider's SCIM connection."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.services import scim_tokens

commands = AppGroup("provisioning")


@commands.command("create-scim-token")
@click.option("--label", default="", help="What the token is for, e.g. \"Entra ID\".")
@in_default_language
def create_scim_token_command(label: str):
    """Print a new provisioning token for /scim/v2 (the last word). Shown once, stored hashed."""
    token, plain = commit_or_fail(lambda: scim_tokens.create_token(None, label))
    click.echo(_("SCIM-nøkkel %(id)s. Den vises bare nå, og åpner bare /scim/v2:",
                 id=token.id))
    click.echo(plain)
