"""API tokens: `create-token`, `list-tokens`, `revoke-token`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from reuse.cli.common import (
    CREATED_COLUMN,
    EXPIRES_COLUMN,
    ID_COLUMN,
    LABEL_COLUMN,
    LAST_USED_COLUMN,
    NEVER,
    STATUS_COLUMN,
    TOKEN_STATES,
    commit_or_fail,
    in_default_language,
    user_by_email,
    when,
)
from reuse.i18n import gettext as _
from reuse.services import numbers, tokens

commands = AppGroup("api-tokens")


@commands.command("create-token")
@click.option("--email", required=True, help="The user the token acts as.")
@click.option("--label", default="", help="What the token is for, e.g. the system using it.")
@click.option("--expires-in-days", type=int, default=None,
              help="Days until the token stops working (1 to 3650); without it, it works "
                   "until revoked.")
@in_default_language
def create_token_command(email: str, label: str, expires_in_days: int | None):
    """Print a new API token for a user. It is shown once and stored only as a hash."""
    token, plain = commit_or_fail(
        lambda: tokens.create_token(user_by_email(email), label, expires_in_days))
    click.echo(plain)
    click.echo(_("API-nøkkel %(id)s for %(email)s. Den vises bare nå.", id=token.id,
                 email=email), err=True)
    if token.expires_at is not None:
        click.echo(_("Den slutter å virke %(when)s.", when=when(token.expires_at)), err=True)


@commands.command("list-tokens")
@click.option("--email", required=True, help="Whose tokens to list.")
@in_default_language
def list_tokens_command(email: str):
    """List a user's API tokens: created, last used, expiry and whether they still work."""
    user = commit_or_fail(lambda: user_by_email(email))
    listed = tokens.tokens_of(user)
    if not listed:
        click.echo(_("%(email)s har ingen API-nøkler.", email=email))
        return
    click.echo("\t".join(str(column) for column in (
        ID_COLUMN, LABEL_COLUMN, CREATED_COLUMN, LAST_USED_COLUMN, EXPIRES_COLUMN,
        STATUS_COLUMN)))
    for token in listed:
        click.echo("\t".join([
            str(token.id), token.label or "–", when(token.created_at),
            when(token.last_used_at) if token.last_used_at else str(NEVER),
            when(token.expires_at) if token.expires_at else str(NEVER),
            str(TOKEN_STATES[tokens.status(token)])]))


@commands.command("revoke-token")
@click.option("--id", "token_id", required=True, type=click.IntRange(1, numbers.MAX_INT),
              help="The token's id.")
@in_default_language
def revoke_token_command(token_id: int):
    """Revoke an API token at once."""
    commit_or_fail(lambda: tokens.revoke_token(token_id))
    click.echo(_("API-nøkkel %(id)s er trukket tilbake.", id=token_id))
