"""Partner organisations: `create-organisation`, `suspend-organisation`, `invite-partner`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.i18n import gettext as _
from reuse.services import notifications, partners

commands = AppGroup("partners")


@commands.command("create-organisation")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--org-number", required=True, help="Nine digits from the Brønnøysund register.")
@click.option("--kind", required=True, help="public_body or nonprofit.")
@in_default_language
def create_organisation_command(name: str, org_number: str, kind: str):
    """Register a partner organisation outside the municipality."""
    partner = commit_or_fail(lambda: partners.create_partner(None, name, org_number, kind))
    click.echo(_("Samarbeidspartner registrert: %(name)s (%(number)s, %(kind)s, id %(id)s).",
                 name=partner.name, number=partner.org_number,
                 kind=partners.KIND_LABELS[partner.kind], id=partner.id))


@commands.command("suspend-organisation")
@click.option("--org-number", required=True)
@in_default_language
def suspend_organisation_command(org_number: str):
    """Shut an organisation's people out: sessions end; links, passwords and tokens refused."""
    partner = commit_or_fail(lambda: partners.get_by_org_number(org_number))
    if commit_or_fail(lambda: partners.suspend_partner(None, partner)):
        click.echo(_("%(name)s er suspendert.", name=partner.name))
    else:
        click.echo(_("%(name)s var allerede suspendert.", name=partner.name))


@commands.command("resume-organisation")
@click.option("--org-number", required=True)
@in_default_language
def resume_organisation_command(org_number: str):
    """Let a suspended organisation's people in again."""
    partner = commit_or_fail(lambda: partners.get_by_org_number(org_number))
    if commit_or_fail(lambda: partners.resume_partner(None, partner)):
        click.echo(_("%(name)s er gjenopprettet.", name=partner.name))
    else:
        click.echo(_("%(name)s var ikke suspendert.", name=partner.name))


@commands.command("invite-partner")
@click.option("--email", required=True)
@click.option("--org-number", required=True, help="The organisation the person belongs to.")
@click.option("--name", default="", help="The person's name (else the address's first part).")
@in_default_language
def invite_partner_command(email: str, org_number: str, name: str):
    """Give a partner's person an account and a sign-in link (also e-mailed). The link is
    the last word of the output; it works once, for LOGIN_LINK_MINUTES."""
    def invite():
        return partners.invite_partner_person(None, partners.get_by_org_number(org_number),
                                              email, name)

    link = commit_or_fail(invite)
    notifications.deliver_committed()  # what fails here, run-jobs sends later
    click.echo(_("Invitasjon sendt til %(email)s. Innloggingslenke (virker én gang):",
                 email=email.strip()) + " " + link)
