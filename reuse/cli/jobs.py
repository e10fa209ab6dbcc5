"""`run-jobs` and `worker`: the periodic work, each job committed on its own, and the e-mail.

`run-jobs` runs everything once and prints one summary (cron, or one host). A `worker` runs
until stopped: it sends e-mail every few seconds and the periodic jobs every minute. Any
number of workers may run on any number of hosts: one of them at a time runs the periodic
jobs (services/job_lock.py), and every one sends e-mail, each message taken by one sender
(services/notifications.py).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass

import click
from flask.cli import AppGroup

from reuse.cli.common import commit_or_fail, in_default_language
from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import ngettext
from reuse.services import (
    checks,
    claims,
    factors,
    items,
    job_lock,
    notifications,
    pending_uploads,
    photos,
    purchase_digest,
    stages,
    vocabulary,
    wanted,
)

commands = AppGroup("jobs")
log = logging.getLogger("reuse.worker")


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


@commands.command("run-jobs")
@in_default_language
def run_jobs_command():
    """Expire overdue claims, send reminders and period warnings, move items on in the
    cascade, match new items against wanted requests, retry e-mail. Idempotent."""
    with job_lock.sweep_lock() as ours:
        done = _run_each_job() if ours else None
    _report(done, notifications.deliver_due())


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
    uploads_removed = pending_uploads.remove_stale()
    # A release may ship new search synonyms: an upgraded database gets them here.
    synonyms = commit_or_fail(vocabulary.load_synonyms)
    return JobsDone(expired=len(expired), reminded=reminded, warned=warned,
                    moved_on=moved_on, final_reminders=final_reminders,
                    check_reminders=check_reminders, factors_applied=applied,
                    items_matched=matched, people_told=told, files_removed=removed,
                    uploads_removed=uploads_removed, synonyms_loaded=synonyms,
                    purchase_digests=digests)


def _match_wanted() -> tuple[int, int]:
    """Match the items posted since the last run, a committed batch at a time."""
    matched = told = 0
    while True:
        items_taken, people = commit_or_fail(wanted.match_pending)
        matched, told = matched + items_taken, told + people
        if items_taken < wanted.MATCH_BATCH:
            return matched, told


def _report(done: JobsDone | None, delivery: notifications.Delivery) -> None:
    """One line of counts, a line for anything else that happened; non-zero if mail is down."""
    if done is None:
        click.echo(_("En annen prosess kjører de faste jobbene nå; denne kjøringen sendte bare "
                     "e-post (%(mailed)s sendt).", mailed=delivery.sent))
    else:
        _report_jobs(done, delivery)
    if delivery.unavailable:
        # The one failure worth waking someone for: nothing can be sent until it is fixed.
        raise click.ClickException(_(
            "E-post kan ikke sendes nå: e-postserveren svarer ikke, eller oppsettet er feil "
            "(se loggen). %(waiting)s e-poster venter til neste kjøring.",
            waiting=notifications.waiting_count()))


def _report_jobs(done: JobsDone, delivery: notifications.Delivery) -> None:
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
        click.echo(ngettext("%(num)s opplastet fil som aldri ble importert, er slettet.",
                            "%(num)s opplastede filer som aldri ble importert, er slettet.",
                            done.uploads_removed))
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


# -- the worker -----------------------------------------------------------------------------

MAX_IDLE_WAIT = 300  # seconds: the longest a failing worker waits before it tries again


@commands.command("worker")
@click.option("--interval", default=5, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds between rounds of e-mail while nothing is waiting.")
@click.option("--sweep-every", default=60, show_default=True, type=click.IntRange(1, 86400),
              help="Seconds between runs of the periodic jobs (one worker at a time).")
@in_default_language
def worker_command(interval: int, sweep_every: int):
    """Send e-mail and run the periodic jobs until stopped. Start as many as you like, on
    any hosts: one runs the periodic jobs at a time, all send e-mail, each e-mail once.
    SIGTERM or Ctrl-C stops it after the e-mail in hand."""
    # A long-running process: its lines go to stderr, as wsgi.py's do (LOG_LEVEL).
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: stopping.set())
    log.info("Worker %s started", os.getpid())
    next_sweep, failures = 0.0, 0
    while not stopping.is_set():
        try:
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + sweep_every
                with job_lock.sweep_lock() as ours:
                    if ours:
                        _log_jobs(_run_each_job())
            delivery = notifications.deliver_due(keep_going=lambda: not stopping.is_set())
        except Exception:  # noqa: BLE001 - a worker outlives a failed round (logged) and retries
            log.exception("Worker round failed; retrying")
            db.session.rollback()
            failures += 1
        else:
            failures = failures + 1 if delivery.unavailable else 0
            if delivery.full and not delivery.unavailable:
                continue  # more are waiting: no pause
        # Backoff while things fail: interval, doubled each failure, at most MAX_IDLE_WAIT.
        stopping.wait(min(interval * 2 ** failures, MAX_IDLE_WAIT))
    log.info("Worker %s stopped", os.getpid())


def _log_jobs(done: JobsDone) -> None:
    busy = {name: value for name, value in vars(done).items() if value}
    if busy:
        log.info("Periodic jobs: %s", ", ".join(f"{name} {value}"
                                                 for name, value in busy.items()))
