"""`backup` and `restore` round-trip exactly: a restored copy reports the same figures, has
the same rows and byte-identical photos; unusable backups are refused with one line and
change nothing. Runs on SQLite and, with REUSE_TEST_DB=postgres, on PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from reuse import backup, storage
from reuse.cli import backup as backup_commands
from reuse.models import Base, Item, PendingPhoto, ReuseRecord, Role, Unit, User
from reuse.services import checks, claims, goals, ledger, photos
from reuse.services.checks import CheckCounts
from reuse.services.reports.records import records
from reuse.services.reports.report import report, summary
from reuse.services.reports.scope import Scope, year_period
from tests.conftest import jpeg_bytes

YEAR = 2025
TABLES = [table.name for table in Base.metadata.sorted_tables] + ["alembic_version"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def upload(colour) -> photos.Upload:
    return photos.Upload(io.BytesIO(jpeg_bytes(size=(640, 480), colour=colour)), "foto.jpg")


# -- what must survive the round trip ------------------------------------------------------

def figures(db) -> dict:
    """Every report figure for the year, for the whole municipality and for each unit."""
    period = year_period(YEAR)

    def plain(scope: Scope):
        headline = summary(scope)
        whole = report(scope)
        listed = records(scope, per_page=None)
        return {
            "totals": headline.totals,
            "checks": headline.checks,
            "goals": [(g.goal.year, g.goal.metric, g.goal.unit_id, g.goal.target, g.achieved)
                      for g in headline.goals],
            "goals_in_scope": [(g.goal.id, g.achieved) for g in whole.goals],
            "months": whole.months, "receiving": whole.receiving, "giving": whole.giving,
            "categories": whole.categories, "ranking": whole.ranking,
            "records": [(r.id, r.reverses_id, r.quantity, r.avoided_cost_nok, r.avoided_co2e_kg,
                         r.avoided_waste_kg, r.recorded_at) for r in listed.records],
        }

    unit_ids = db.session.scalars(select(Unit.id).order_by(Unit.id)).all()
    found = {"municipality": plain(Scope(period))}
    found.update({unit_id: plain(Scope(period, unit_id=unit_id)) for unit_id in unit_ids})
    return found


def row_counts(db) -> dict[str, int]:
    return {name: db.session.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            for name in TABLES}


def photo_files(app) -> dict[str, bytes]:
    return {path.name: path.read_bytes()
            for path in sorted(Path(app.config["UPLOAD_DIR"]).iterdir()) if path.is_file()}


@pytest.fixture
def ledger_year(db, people, make_user, make_item, hand_over):
    """A year on the ledger through the services: hand-overs in several months and units and
    categories, items with photos, a reversal, reuse checks of every outcome, goals."""
    lead = make_user(people.admin.unit, Role.SUSTAINABILITY, name="Sofie Lie")
    records = [
        hand_over(people.member, people.outsider, quantity=3, when=utc(YEAR, 1, 15, 9)),
        hand_over(people.member, people.outsider, quantity=2, category="skrivebord",
                  when=utc(YEAR, 3, 3, 12), costs_nok="450.50"),
        hand_over(people.outsider, people.member, quantity=1, category="skjerm",
                  when=utc(YEAR, 6, 20, 7), replaces_purchase=False),
        hand_over(people.outsider, people.colleague, quantity=4, category="besoksstol",
                  when=utc(YEAR, 9, 9, 14)),
        # 23:30 on New Year's Eve in Bergen: still this year.
        hand_over(people.member, people.admin, quantity=2, category="kjoleskap",
                  when=utc(YEAR, 12, 31, 22, 30)),
    ]
    reversal = ledger.reverse(people.admin, records[1], "Registrert to ganger")
    reversal.recorded_at = utc(YEAR, 3, 10, 8)
    db.session.commit()

    for lister, record, colours in [
            (people.member, records[0], [(200, 60, 40), (40, 60, 200)]),
            (people.member, records[1], [(90, 160, 60)]),
            (people.outsider, records[2], [(10, 10, 10)])]:
        photos.add_photos(lister, record.claim.item, [upload(colour) for colour in colours])
    shelf = make_item(people.member, title="Bokhylle i eik", category="bokhylle", quantity=5)
    photos.add_photos(people.member, shelf, [upload((240, 240, 200)), upload((120, 80, 40))])
    db.session.commit()

    # Reuse checks: one ends in reuse and is collected, one bought new, one left open.
    check = checks.create_check(people.outsider, "bokhylle", quantity=2)
    claim = checks.claim_match(people.outsider, check, shelf, 2)
    claims.approve(people.member, claim)
    claims.collect(people.outsider, claim, costs_nok=Decimal("120"), replaces_purchase=True)
    claim.reuse_record.recorded_at = utc(YEAR, 4, 2, 10)
    check.created_at = utc(YEAR, 4, 1, 10)
    bought = checks.create_check(people.colleague, "hev-senk skrivebord")
    checks.record_bought_new(people.colleague, bought, "needed_sooner")
    bought.created_at = utc(YEAR, 5, 5, 10)
    still_open = checks.create_check(people.member, "kaffetrakter")
    still_open.created_at = utc(YEAR, 11, 11, 11)
    db.session.commit()

    goals.set_goal(lead, year=YEAR, metric="avoided_cost_nok", target=Decimal("25000"))
    goals.set_goal(lead, year=YEAR, metric="items_reused", target=Decimal("6"),
                   unit=people.kindergarten)
    goals.set_goal(lead, year=YEAR, metric="reuse_check_share", target=Decimal("50"))
    db.session.commit()
    return lead


def invoke(runner, *args, **kwargs):
    return runner.invoke(args=[str(arg) for arg in args], **kwargs)


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    return lines[0]


# -- the round trip ------------------------------------------------------------------------

def test_a_restored_copy_reports_exactly_the_same(app, db, runner, people, ledger_year,
                                                  hand_over, tmp_path):
    member_id, outsider_id = people.member.id, people.outsider.id
    before = figures(db)
    assert before["municipality"]["totals"].records == 7  # reversal included
    assert before["municipality"]["checks"] == CheckCounts(3, 1, 1)
    assert len(before["municipality"]["goals"]) == 2
    counts = row_counts(db)
    assert counts["photo"] == 6 and counts["reuse_record"] == 7 and counts["goal"] == 3
    files = photo_files(app)
    assert len(files) == 12  # an image and a thumbnail per photo
    db.session.commit()

    taken = invoke(runner, "backup", "--to", tmp_path / "kopi.tar.gz")
    assert taken.exit_code == 0, taken.output
    assert f"{sum(counts.values())} rader i {len(TABLES)} tabeller, 12 bildefiler" in taken.output
    archive_path = tmp_path / "kopi.tar.gz"
    assert stat.S_IMODE(archive_path.stat().st_mode) == 0o600
    with tarfile.open(archive_path) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert sorted(names[2:]) == sorted(f"photos/{name}" for name in files)
    assert manifest["format"] == "gjenbruk-backup" and manifest["format_version"] == 1
    assert manifest["database"] == db.engine.dialect.name
    assert names[1] == {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[
        manifest["database"]]
    assert manifest["alembic_revision"] == backup.code_revision()
    assert manifest["tables"] == counts
    assert manifest["missing_photos"] == []
    datetime.fromisoformat(manifest["created_at"])

    # Damage and move on: records deleted, a goal changed, a photo removed and one added,
    # a photo file overwritten and another lost, more hand-overs recorded.
    reversal_id = db.session.scalar(select(ReuseRecord.id).where(
        ReuseRecord.reverses_id.is_not(None)))
    db.session.execute(text("DELETE FROM reuse_record WHERE id = :id"), {"id": reversal_id})
    db.session.execute(text("DELETE FROM goal WHERE unit_id IS NOT NULL"))
    goals.set_goal(ledger_year, year=YEAR, metric="avoided_cost_nok", target=Decimal("1"))
    shelf = db.session.scalar(select(Item).where(Item.title == "Bokhylle i eik"))
    photos.remove_photo(people.member, shelf.photos[0])
    photos.add_photos(people.member, shelf, [upload((1, 2, 3))])
    db.session.commit()
    hand_over(people.outsider, people.member, quantity=9, category="sofa",
              when=utc(YEAR, 7, 7, 7))
    upload_dir = Path(app.config["UPLOAD_DIR"])
    survivors = sorted(name for name in files if (upload_dir / name).exists())
    (upload_dir / survivors[0]).write_bytes(b"not the photo any more")
    (upload_dir / survivors[1]).unlink()
    assert figures(db) != before
    assert row_counts(db) != counts
    assert photo_files(app) != files

    restored = invoke(runner, "restore", "--from", archive_path, "--yes")
    assert restored.exit_code == 0, restored.output
    assert "Gjenopprettet fra" in restored.output
    assert "2 overflødige fjernet" in restored.output

    db.session.remove()
    assert figures(db) == before
    assert row_counts(db) == counts
    assert photo_files(app) == files

    # The restored database is fully usable: new rows get fresh ids, the ledger goes on.
    member = db.session.get(User, member_id)
    outsider = db.session.get(User, outsider_id)
    record = hand_over(member, outsider, quantity=1, when=utc(YEAR, 8, 8, 8))
    assert record.id > max(r[0] for r in before["municipality"]["records"])
    assert figures(db)["municipality"]["totals"].records == 8


def test_backup_to_a_folder_names_the_file_by_time(db, runner, people, make_item, tmp_path):
    make_item(people.member)
    result = invoke(runner, "backup", "--to", tmp_path)
    assert result.exit_code == 0, result.output
    [written] = tmp_path.glob("gjenbruk-*.tar.gz")
    assert str(written) in result.output
    assert not list(tmp_path.glob(".*partial"))


def test_a_photo_file_lost_before_the_backup_is_named_and_left_out(app, db, runner, people,
                                                                   make_item, tmp_path):
    item = make_item(people.member)
    [photo] = photos.add_photos(people.member, item, [upload((5, 5, 5))])
    db.session.commit()
    (Path(app.config["UPLOAD_DIR"]) / photo.thumbnail_filename).unlink()
    result = invoke(runner, "backup", "--to", tmp_path / "b.tar.gz")
    assert result.exit_code == 0, result.output
    assert f"Advarsel: bildefilen {photo.thumbnail_filename} mangler" in result.output
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
    assert manifest["missing_photos"] == [photo.thumbnail_filename]
    assert list(manifest["files"])[1:] == [f"photos/{photo.filename}"]


def test_a_backup_holds_one_photo_at_a_time_in_memory(db, people, make_item, tmp_path):
    """Photos go into the archive one by one, so the photo store may outgrow the memory."""
    item = make_item(people.member)
    added = photos.add_photos(people.member, item, [upload((n, n, n)) for n in range(4)])
    db.session.commit()
    size = 1_000_000  # a large photo, and incompressible
    for photo in added:
        for name in (photo.filename, photo.thumbnail_filename):
            storage.store().write(name, os.urandom(size))
    tracemalloc.start()
    try:
        result = backup.create_backup(tmp_path / "b.tar.gz")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(result.manifest.photo_names) == 8
    assert peak < 3 * size


def test_a_photo_waiting_for_its_form_survives_the_round_trip_with_its_files(
        app, db, runner, people, make_item, tmp_path):
    """A pending photo's row is in the database dump, so its files are in the backup too:
    after a restore the form it was chosen on can still be saved with it."""
    member_id = people.member.id
    kept = photos.keep_pending(people.member, [upload((30, 90, 30))], already=0)
    db.session.commit()
    [chosen] = kept.stored
    token, names = chosen.pending.token, [chosen.pending.filename,
                                          chosen.pending.thumbnail_filename]
    files = photo_files(app)
    assert sorted(files) == sorted(names)

    assert invoke(runner, "backup", "--to", tmp_path / "b.tar.gz").exit_code == 0
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        assert sorted(archive.getnames()[2:]) == sorted(f"photos/{name}" for name in names)
    photos.discard_pending(people.member, chosen.pending)  # the form dropped it meanwhile
    db.session.commit()
    assert photo_files(app) == {}

    restored = invoke(runner, "restore", "--from", tmp_path / "b.tar.gz", "--yes")
    assert restored.exit_code == 0, restored.output
    db.session.remove()
    assert photo_files(app) == files
    [pending] = db.session.scalars(select(PendingPhoto)).all()
    assert pending.token == token
    member = db.session.get(User, member_id)
    item = make_item(member)
    [photo] = photos.attach_pending(member, item, [photos.Chosen(pending, "Grønn stol")])
    db.session.commit()
    assert (Path(app.config["UPLOAD_DIR"]) / photo.thumbnail_filename).read_bytes() == files[
        photo.thumbnail_filename]


# -- refusals: one line, non-zero exit, nothing changed ------------------------------------

@pytest.fixture
def taken(app, db, runner, people, make_item, tmp_path):
    """A backup of one item with a photo, then a second item added after it."""
    item = make_item(people.member, title="Første")
    photos.add_photos(people.member, item, [upload((50, 100, 150))])
    db.session.commit()
    path = tmp_path / "kopi.tar.gz"
    result = invoke(runner, "backup", "--to", path)
    assert result.exit_code == 0, result.output
    make_item(people.member, title="Etterpå")
    db.session.commit()
    return path


def unchanged(app, db) -> tuple:
    db.session.remove()
    return (db.session.scalars(select(Item.title).order_by(Item.title)).all(),
            row_counts(db), photo_files(app))


def rewritten(source: Path, target: Path, manifest=None, member=None) -> Path:
    """A copy of a backup with the manifest or one member's bytes changed."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()
            if info.name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member is not None:
                data = member(info.name, data)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def test_restore_refuses_without_yes_when_not_at_a_terminal(app, db, runner, taken):
    state = unchanged(app, db)
    result = invoke(runner, "restore", "--from", taken)
    assert one_line_error(result) == ("Error: Gjenoppretting erstatter hele databasen og "
                                      "bildene; bekreft med --yes.")
    assert unchanged(app, db) == state


def test_restore_asks_at_a_terminal(app, db, runner, taken, monkeypatch):
    monkeypatch.setattr(backup_commands, "_interactive", lambda: True)
    state = unchanged(app, db)
    declined = invoke(runner, "restore", "--from", taken, input="n\n")
    assert declined.exit_code == 1
    assert "Erstatte " in declined.output and "Aborted!" in declined.output
    assert unchanged(app, db) == state
    accepted = invoke(runner, "restore", "--from", taken, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert unchanged(app, db)[0] == ["Første"]


def test_restore_refuses_another_migration_revision(app, db, runner, taken, tmp_path):
    def older(manifest):
        return {**manifest, "alembic_revision": "0004_reports"}

    state = unchanged(app, db)
    result = invoke(runner, "restore", "--from", rewritten(taken, tmp_path / "old.tar.gz",
                                                           manifest=older), "--yes")
    line = one_line_error(result)
    assert "migreringsrevisjon 0004_reports" in line and backup.code_revision() in line
    assert unchanged(app, db) == state


def test_restore_refuses_another_database_kind(app, db, runner, taken, tmp_path):
    other = "postgresql" if db.engine.dialect.name == "sqlite" else "sqlite"

    def elsewhere(manifest):
        return {**manifest, "database": other}

    state = unchanged(app, db)
    result = invoke(runner, "restore", "--from", rewritten(taken, tmp_path / "x.tar.gz",
                                                           manifest=elsewhere), "--yes")
    assert f"sikkerhetskopi av en {other}-database" in one_line_error(result)
    assert unchanged(app, db) == state


def test_restore_refuses_a_tampered_member(app, db, runner, taken, tmp_path):
    def spoil(name, data):
        return data[:-10] + b"0123456789" if name.startswith("photos/") else data

    state = unchanged(app, db)
    result = invoke(runner, "restore", "--from", rewritten(taken, tmp_path / "t.tar.gz",
                                                           member=spoil), "--yes")
    assert "stemmer ikke med manifestet" in one_line_error(result)
    assert unchanged(app, db) == state


@pytest.mark.parametrize("content", [b"", b"just some text", b"\x1f\x8b\x08broken gzip"])
def test_restore_refuses_what_is_not_a_backup(app, db, runner, taken, tmp_path, content):
    path = tmp_path / "feil.tar.gz"
    path.write_bytes(content)
    state = unchanged(app, db)
    assert "er ikke en sikkerhetskopi" in one_line_error(
        invoke(runner, "restore", "--from", path, "--yes"))
    assert unchanged(app, db) == state


def test_restore_refuses_a_tar_without_a_manifest(app, db, runner, tmp_path):
    path = tmp_path / "annen.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        archive.addfile(info, io.BytesIO(b"hello"))
    assert "manifest.json er ikke først" in one_line_error(
        invoke(runner, "restore", "--from", path, "--yes"))


def test_a_restore_blocked_by_a_running_app_changes_nothing(app, db, runner, taken,
                                                           monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_restore's lock timeout and single transaction are PostgreSQL's")
    monkeypatch.setattr(backup, "RESTORE_LOCK_TIMEOUT", 1.0)
    state = unchanged(app, db)
    running_app = create_engine(db.engine.url)  # the restore disposes of db.engine's pool
    try:
        with running_app.connect() as connection:
            connection.execute(text("SELECT count(*) FROM item"))  # a lock, in a transaction
            line = one_line_error(invoke(runner, "restore", "--from", taken, "--yes"))
    finally:
        running_app.dispose()
    assert line == ("Error: pg_restore ventet over 1 s på en lås en annen tilkobling holder; "
                    "ingenting er endret. Stopp applikasjonen og prøv igjen.")
    assert unchanged(app, db) == state


def test_bad_paths_are_one_line(db, runner, taken, tmp_path):
    assert one_line_error(invoke(runner, "restore", "--from", tmp_path / "mangler.tar.gz",
                                 "--yes")).endswith("mangler.tar.gz finnes ikke.")
    assert one_line_error(invoke(runner, "restore", "--from", tmp_path, "--yes")).endswith(
        "er ikke en fil.")
    assert one_line_error(invoke(runner, "backup", "--to", taken)).endswith(
        "finnes allerede; en sikkerhetskopi overskrives aldri.")
    assert one_line_error(invoke(runner, "backup", "--to", tmp_path / "nei" / "b.tar.gz")
                          ).endswith("nei finnes ikke.")


def test_missing_pg_dump_is_one_line(db, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    if db.engine.dialect.name == "postgresql":
        line = one_line_error(invoke(runner, "backup", "--to", tmp_path / "b.tar.gz"))
        assert line.startswith("Error: pg_dump finnes ikke på PATH")
        assert not (tmp_path / "b.tar.gz").exists()
    else:
        with pytest.raises(backup.BackupError, match="^pg_restore finnes ikke på PATH"):
            backup._pg_tool("pg_restore")


def test_the_password_never_reaches_a_command_line_or_a_message():
    url = make_url("postgresql+psycopg://gjenbruk:s%40cret@db.example:5433/reuse?sslmode=require")
    assert backup._libpq_url(url) == "postgresql://gjenbruk@db.example:5433/reuse?sslmode=require"
    stderr = ('pg_dump: error: connection to server failed: FATAL:  password "s@cret" was '
              "wrong\n")
    assert backup._first_error(stderr, url) == (
        'connection to server failed: FATAL:  password "***" was wrong')
