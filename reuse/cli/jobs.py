"""`run-jobs`: the periodic work, each job committed on its own, then one summary."""

from __future__ import annotations

from dataclasses import dataclass

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.clock import oslo_today
from reuse.services import (
    checks,
    claims,
    factors,
    items,
    notifications,
    photos,
    purchase_digest,
    purchase_uploads,
    stages,
    vocabulary,
    wanted,
)

commands = AppGroup("jobs")


@dataclass(frozen=True)
class JobsDone:
    """What one run did, for the summary."""

    expired: int
    reminded: int
    warned: int
    moved_on: int
    final_reminders: int
    check_reminders: int
    factors_applied: int
    items_matched: int
    people_told: int
    files_removed: int
    uploads_removed: int
    synonyms_loaded: int
    purchase_digests: int
    delivery: notifications.Delivery


@commands.command("run-jobs")
@in_default_language
def run_jobs_command():
    """Expire overdue claims, send reminders and period warnings, move items on in the
    cascade, match new items against wanted requests, retry e-mail. Idempotent."""
    _report(_run_each_job())


def _run_each_job() -> JobsDone:
    today = oslo_today()
    expired = commit_or_fail(lambda: claims.expire_overdue(today))
    reminded = commit_or_fail(lambda: claims.remind_uncollected(today))
    warned = commit_or_fail(lambda: items.warn_internal_periods(today))
    # The cascade: items whose stage ran out move on (the lister and partners are told);
    # those at the final stage with pieces left remind their lister once a week.
    moved_on = commit_or_fail(lambda: stages.advance_due(today))
    final_reminders = commit_or_fail(lambda: stages.nag_final(today))
    check_reminders = commit_or_fail(checks.remind_open_checks)
    applied = commit_or_fail(lambda: factors.apply_due(today))
    # Last month's purchases without a reuse check, to each unit admin once per month.
    digests = commit_or_fail(lambda: purchase_digest.send_monthly(today))
    matched, told = _match_wanted()
    # Photos chosen on forms never saved go first, so their files count as removed here.
    removed = commit_or_fail(photos.remove_stale_pending) + photos.remove_orphan_files()
    uploads_removed = purchase_uploads.remove_stale()
    # A release may ship new search synonyms: an upgraded database gets them here.
    synonyms = commit_or_fail(vocabulary.load_synonyms)
    delivery = notifications.deliver_due()
    return JobsDone(expired=len(expired), reminded=reminded, warned=warned,
                    moved_on=moved_on, final_reminders=final_reminders,
                    check_reminders=check_reminders, factors_applied=applied,
                    items_matched=matched, people_told=told, files_removed=removed,
                    uploads_removed=uploads_removed,
                    synonyms_loaded=synonyms, purchase_digests=digests,
                    delivery=delivery)


def _match_wanted() -> tuple[int, int]:
    """Match the items posted since the last run, a committed batch at a time."""
    matched = told = 0
    while True:
        items_taken, people = commit_or_fail(wanted.match_pending)
        matched, told = matched + items_taken, told + people
        if items_taken < wanted.MATCH_BATCH:
            return matched, told


def _report(done: JobsDone) -> None:
    """One line of counts, a line for anything else that happened; non-zero if mail is down."""
    delivery = done.delivery
    click.echo(_("%(expired)s forespørsler utløpt, %(reminded)s påminnelser, %(warned)s "
                 "varsler om intern periode, %(moved)s annonser videre i kaskaden, "
                 "%(final)s påminnelser om siste steg, %(checks)s påminnelser om åpne "
                 "gjenbrukssjekker, %(mailed)s e-poster sendt.", expired=done.expired,
                 reminded=done.reminded, warned=done.warned, moved=done.moved_on,
                 final=done.final_reminders, checks=done.check_reminders,
                 mailed=delivery.sent))
    if delivery.retrying:
        click.echo(ngettext("%(num)s e-post feilet og prøves igjen senere.",
                            "%(num)s e-poster feilet og prøves igjen senere.",
                            delivery.retrying))
    if delivery.given_up:
        click.echo(ngettext("%(num)s e-post er gitt opp etter gjentatte feil (se loggen); "
                            "varselet finnes fortsatt i appen.",
                            "%(num)s e-poster er gitt opp etter gjentatte feil (se loggen); "
                            "varslene finnes fortsatt i appen.", delivery.given_up), err=True)
    if done.factors_applied:
        click.echo(_("%(applied)s kategorier har fått nye faktorer fra i dag.",
                     applied=done.factors_applied))
    if done.files_removed:
        click.echo(_("%(removed)s bildefiler uten annonse er slettet.",
                     removed=done.files_removed))
    if done.uploads_removed:
        click.echo(ngettext("%(num)s opplastet innkjøpsfil som aldri ble importert, er slettet.",
                            "%(num)s opplastede innkjøpsfiler som aldri ble importert, er "
                            "slettet.", done.uploads_removed))
    if done.synonyms_loaded:
        click.echo(ngettext("%(num)s søkesynonym er lagt til eller oppdatert.",
                            "%(num)s søkesynonymer er lagt til eller oppdatert.",
                            done.synonyms_loaded))
    if done.purchase_digests:
        click.echo(ngettext("%(num)s enhetsadministrator har fått oversikten over forrige "
                            "måneds innkjøp uten gjenbrukssjekk.",
                            "%(num)s enhetsadministratorer har fått oversikten over forrige "
                            "måneds innkjøp uten gjenbrukssjekk.", done.purchase_digests))
    if done.items_matched:
        click.echo(_("%(items)s nye annonser er sjekket mot ønskene; %(people)s personer "
                     "har fått beskjed.", items=done.items_matched, people=done.people_told))
    if delivery.unavailable:
        # The one failure worth waking someone for: nothing can be sent until it is fixed.
        raise click.ClickException(_(
            "E-post kan ikke sendes nå: e-postserveren svarer ikke, eller oppsettet er feil "
            "(se loggen). %(waiting)s e-poster venter til neste kjøring.",
            waiting=notifications.waiting_count()))
