"""Provisioning tokens for the identity provider's SCIM connection: `create-scim-token`,
`list-scim-tokens`, `revoke-scim-token`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from reuse.cli.common import (
    CREATED_COLUMN,
    ID_COLUMN,
    LABEL_COLUMN,
    LAST_USED_COLUMN,
    NEVER,
    STATUS_COLUMN,
    TOKEN_STATES,
    commit_or_fail,
    in_default_language,
    when,
)
from reuse.i18n import gettext as _
from reuse.services import numbers, scim_tokens

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


@commands.command("list-scim-tokens")
@in_default_language
def list_scim_tokens_command():
    """List the provisioning tokens: id, label, created, last used and whether each works."""
    listed = scim_tokens.all_tokens()
    if not listed:
        click.echo(_("Det finnes ingen SCIM-nøkler."))
        return
    click.echo("\t".join(str(column) for column in (
        ID_COLUMN, LABEL_COLUMN, CREATED_COLUMN, LAST_USED_COLUMN, STATUS_COLUMN)))
    for token in listed:
        click.echo("\t".join([
            str(token.id), token.label or "–", when(token.created_at),
            when(token.last_used_at) if token.last_used_at else str(NEVER),
            str(TOKEN_STATES[scim_tokens.status(token)])]))


@commands.command("revoke-scim-token")
@click.option("--id", "token_id", required=True, type=click.IntRange(1, numbers.MAX_INT),
              help="The provisioning token's id (see list-scim-tokens).")
@in_default_language
def revoke_scim_token_command(token_id: int):
    """Revoke a provisioning token at once: /scim/v2 refuses it from the next request."""
    commit_or_fail(lambda: scim_tokens.revoke_token(token_id))
    click.echo(_("SCIM-nøkkel %(id)s er trukket tilbake.", id=token_id))
