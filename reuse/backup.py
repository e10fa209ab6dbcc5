"""Backup and restore of the database and the photos (the commands: reuse/cli/backup.py).

A backup is one gzip-compressed tar file (`gjenbruk-YYYYMMDDTHHMMSSZ.tar.gz` when --to names
a folder), written with mode 0600 because it holds personal data and password hashes:

    manifest.json       written first: format and version, when, the database kind, the
                        migration (Alembic) revision, rows per table, and a SHA-256 of every
                        other member
    database.sqlite3    SQLite: a copy taken with SQLite's online backup API, consistent
                        while the application runs
    database.pgdump     PostgreSQL: `pg_dump --format=custom`, taken from a snapshot exported
                        by the transaction that also counts the rows, so the counts describe
                        exactly what was dumped
    photos/NAME.jpg     every photo file (image and thumbnail) the `photo` table refers to,
                        and those of photos chosen on forms not yet saved (`pending_photo`):
                        their rows are in the database, so their files come along too

Restoring replaces the whole database and the photos. It refuses, before anything is
changed, a file that is not such a backup, a backup of the other database kind, and one
whose migration revision is not this code's head (restore it with the code it was taken
with). Everything is unpacked and checked against the manifest first; then the photo files
are written, then the database is replaced (SQLite: the online backup API in the other
direction; PostgreSQL: `pg_restore --clean --if-exists --no-owner --no-privileges` in a
single transaction, cancelled if it waits too long for another connection's lock), then photo
files no backed-up row refers to are removed, and the row counts are compared with the
manifest.

Messages are for the operator, one line each, in bokmål like the other commands.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import URL

from reuse import storage
from reuse.extensions import db
from reuse.models import Base
from reuse.services.photos import STORED_NAME

FORMAT = "gjenbruk-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
PHOTOS = "photos/"
ALEMBIC_TABLE = "alembic_version"
PHOTO_TABLES = ("photo", "pending_photo")
CHUNK = 1024 * 1024
# pg_restore waits at most this many seconds for a lock another connection holds (a running
# application), then is cancelled; being one transaction, it then changes nothing. (The dump
# itself sets lock_timeout to 0, so this is watched from outside.)
RESTORE_LOCK_TIMEOUT = 60.0
MANIFEST_MAX_BYTES = 64 * 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""


# -- the manifest ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Manifest:
    created_at: str  # UTC, ISO 8601
    database: str  # "sqlite" or "postgresql"
    database_version: str
    alembic_revision: str
    tables: dict[str, int]  # rows per table
    files: dict[str, str]  # member name -> SHA-256, every member but the manifest
    missing_photos: list[str] = field(default_factory=list)  # referred to, but not on disk

    @property
    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.database]

    @property
    def photo_names(self) -> list[str]:
        return [name[len(PHOTOS):] for name in self.files if name.startswith(PHOTOS)]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def to_json(self) -> bytes:
        return json.dumps({
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "created_at": self.created_at, "database": self.database,
            "database_version": self.database_version,
            "alembic_revision": self.alembic_revision, "tables": self.tables,
            "files": self.files, "missing_photos": self.missing_photos,
        }, indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes, source: Path) -> Manifest:
        try:
            raw = json.loads(data)
        except ValueError:
            raise BackupError(f"{source}: manifest.json er ødelagt.") from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise BackupError(f"{source} er ikke en sikkerhetskopi fra Gjenbruk.")
        if raw.get("format_version") != FORMAT_VERSION:
            raise BackupError(f"{source} har formatversjon {raw.get('format_version')!r}; "
                              f"denne koden leser versjon {FORMAT_VERSION}.")
        try:
            manifest = cls(
                created_at=str(raw["created_at"]), database=str(raw["database"]),
                database_version=str(raw.get("database_version", "")),
                alembic_revision=str(raw["alembic_revision"]),
                tables={str(k): int(v) for k, v in raw["tables"].items()},
                files={str(k): str(v) for k, v in raw["files"].items()},
                missing_photos=[str(name) for name in raw.get("missing_photos", [])])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise BackupError(f"{source}: manifest.json mangler felt eller har feil typer.") \
                from None
        if manifest.database not in DATABASE_MEMBERS:
            raise BackupError(f"{source}: ukjent databasetype «{manifest.database}».")
        return manifest


# -- facts about the database --------------------------------------------------------------------

def database_kind() -> str:
    kind = db.engine.dialect.name
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"Sikkerhetskopi støttes for SQLite og PostgreSQL, ikke {kind}.")
    return kind


def code_revision() -> str:
    """The migration head this code expects (several heads joined by commas)."""
    directory = current_app.extensions["migrate"].directory
    return ",".join(sorted(ScriptDirectory(directory).get_heads()))


def table_names() -> list[str]:
    return [table.name for table in Base.metadata.sorted_tables] + [ALEMBIC_TABLE]


@dataclass(frozen=True)
class Facts:
    revision: str
    tables: dict[str, int]
    photo_names: list[str]  # image and thumbnail file names the photo tables refer to


def _facts(query: Callable[[str], list[tuple]], existing: set[str]) -> Facts:
    """Revision, rows per table and photo file names, read through `query` (one snapshot)."""
    missing = [name for name in table_names() if name not in existing]
    if missing:
        raise BackupError("Databasen mangler tabellene " + ", ".join(missing)
                          + "; kjør `flask --app reuse db upgrade` først.")
    # Table names below come from our own metadata, never from input.
    revision = ",".join(sorted(
        row[0] for row in query(f"SELECT version_num FROM {ALEMBIC_TABLE}")))  # nosec B608
    tables = {name: int(query(f'SELECT count(*) FROM "{name}"')[0][0])  # nosec B608
              for name in table_names()}
    # A photo waiting for its form (PendingPhoto) is a row like any other: restored with its
    # files, or the form it belongs to would find a row whose files the restore removed.
    names = {name for table in PHOTO_TABLES
             for row in query(f"SELECT filename, thumbnail_filename FROM {table}")  # nosec B608
             for name in row}
    return Facts(revision, tables, sorted(names))


def _sqlite_facts(connection: sqlite3.Connection) -> Facts:
    def query(sql: str) -> list[tuple]:
        return connection.execute(sql).fetchall()
    existing = {row[0] for row in query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return _facts(query, existing)


def _live_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {name: int(connection.execute(
                    text(f'SELECT count(*) FROM "{name}"')).scalar_one())  # nosec B608
                for name in table_names()}


# -- PostgreSQL client tools -------------------------------------------------------------------

def _libpq_url(url: URL) -> str:
    """The SQLAlchemy URL as libpq reads it, without the password (that goes in PGPASSWORD)."""
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string(
                          hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} finnes ikke på PATH; installer PostgreSQL-klientverktøyene "
                          "i samme hovedversjon som serveren (Debian: postgresql-client).")
    return path


def _pg_env(url: URL, application_name: str = "gjenbruk-backup") -> dict[str, str]:
    env = dict(os.environ, PGAPPNAME=application_name)
    if url.password:
        env["PGPASSWORD"] = url.password
    return env


def _run_pg_tool(args: list[str], url: URL) -> str:
    try:
        result = subprocess.run(args, env=_pg_env(url), capture_output=True, text=True)
    except OSError as exc:
        raise BackupError(f"Kunne ikke starte {Path(args[0]).name}: {exc.strerror}.") from None
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} feilet: {_first_error(result.stderr, url)}")
    return result.stdout


def _first_error(stderr: str, url: URL) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    line = next((line for line in lines if "error:" in line.lower()),
                lines[-1] if lines else "ukjent feil")
    for prefix in ("pg_dump: error: ", "pg_restore: error: "):
        line = line.removeprefix(prefix)
    if url.password:
        line = line.replace(url.password, "***")
    return line


# -- taking a backup ---------------------------------------------------------------------------

@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Manifest
    size: int


def _sqlite_snapshot(target: Path) -> tuple[Facts, str]:
    raw = db.engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(copy)  # all pages in one step: one consistent read
            copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            return _sqlite_facts(copy), sqlite3.sqlite_version
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite-kopieringen feilet: {exc}.") from None
    finally:
        raw.close()


def _postgres_snapshot(target: Path) -> tuple[Facts, str]:
    pg_dump = _pg_tool("pg_dump")
    url = db.engine.url
    connection = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin():
        # pg_dump reads the snapshot this transaction sees, so the counts match the dump.
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        version = connection.execute(text("SHOW server_version")).scalar_one()

        def query(sql: str) -> list[tuple]:
            return [tuple(row) for row in connection.execute(text(sql))]
        existing = {row[0] for row in query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        facts = _facts(query, existing)
        _run_pg_tool([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                      f"--file={target}", f"--dbname={_libpq_url(url)}"], url)
    return facts, f"PostgreSQL {version}"


def _sha256(source: Path | bytes) -> str:
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest()
    digest = hashlib.sha256()
    with open(source, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _backup_target(path: Path, now: datetime) -> Path:
    if path.is_dir():
        path = path / f"gjenbruk-{now:%Y%m%dT%H%M%SZ}.tar.gz"
    if path.exists():
        raise BackupError(f"{path} finnes allerede; en sikkerhetskopi overskrives aldri.")
    if not path.parent.is_dir():
        raise BackupError(f"Mappen {path.parent} finnes ikke.")
    return path


def _tar_info(name: str, size: int, mtime: datetime) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime.timestamp())
    return info


def _write_archive(target: Path, manifest: Manifest, database_file: Path,
                   files: storage.FileStore, now: datetime) -> None:
    """Write the archive beside the target and move it into place only when complete."""
    try:
        descriptor, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                               suffix=".partial")  # mode 0600
    except OSError as exc:
        raise BackupError(f"Kan ikke skrive i {target.parent}: {exc.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as out:
            with tarfile.open(fileobj=out, mode="w:gz") as archive:
                data = manifest.to_json()
                archive.addfile(_tar_info(MANIFEST, len(data), now), _BytesReader(data))
                with open(database_file, "rb") as f:
                    archive.addfile(_tar_info(manifest.database_member,
                                              database_file.stat().st_size, now), f)
                for name in manifest.photo_names:
                    # Read again, one at a time: memory holds one photo, never all of them.
                    # A stored photo is never rewritten, so this is the file that was hashed.
                    photo = files.read(name)
                    archive.addfile(_tar_info(PHOTOS + name, len(photo), now),
                                    _BytesReader(photo))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise BackupError(f"Kan ikke skrive {target}: {exc.strerror or exc}.") from None
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


class _BytesReader:
    def __init__(self, data: bytes):
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at:end], min(end, len(self._data))
        return chunk


def create_backup(target: Path) -> BackupResult:
    """Write the database and the photo files it refers to into one new file."""
    now = datetime.now(UTC).replace(microsecond=0)
    kind = database_kind()
    target = _backup_target(Path(target), now)
    files = storage.store()
    with tempfile.TemporaryDirectory(prefix="gjenbruk-backup-") as work:
        database_file = Path(work) / DATABASE_MEMBERS[kind]
        snapshot = _sqlite_snapshot if kind == "sqlite" else _postgres_snapshot
        facts, version = snapshot(database_file)
        # Photo files are written before their row is committed and removed only after the
        # removal is committed, so every file the snapshot refers to is there, unless it was
        # removed since or lost.
        digests = {DATABASE_MEMBERS[kind]: _sha256(database_file)}
        missing = []
        for name in facts.photo_names:
            try:
                if not STORED_NAME.match(name):
                    raise FileNotFoundError(name)  # a name no stored photo can have
                digests[PHOTOS + name] = _sha256(files.read(name))
            except FileNotFoundError:
                missing.append(name)
        manifest = Manifest(
            created_at=now.isoformat().replace("+00:00", "Z"), database=kind,
            database_version=version, alembic_revision=facts.revision, tables=facts.tables,
            files=digests, missing_photos=missing)
        _write_archive(target, manifest, database_file, files, now)
    return BackupResult(target, manifest, target.stat().st_size)


# -- restoring -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    photos_written: int
    photos_removed: int


def target_description() -> str:
    """The database a restore would replace, for the prompt (never with the password)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite-databasen {url.database or ':memory:'}"
    return f"PostgreSQL-databasen {url.render_as_string(hide_password=True)}"


def _check_compatible(manifest: Manifest, source: Path) -> None:
    kind = database_kind()
    if manifest.database != kind:
        raise BackupError(f"{source} er en sikkerhetskopi av en {manifest.database}-database, "
                          f"men applikasjonen bruker {kind}; den kan ikke gjenopprettes her.")
    head = code_revision()
    if manifest.alembic_revision != head:
        raise BackupError(f"{source} har migreringsrevisjon {manifest.alembic_revision}, men "
                          f"koden er på {head}; gjenopprett med koden sikkerhetskopien ble tatt "
                          "med, og kjør så `flask --app reuse db upgrade`.")
    if kind == "postgresql":
        _pg_tool("pg_restore")  # before anyone is asked


def _open_archive(source: Path) -> tarfile.TarFile:
    if not source.exists():
        raise BackupError(f"{source} finnes ikke.")
    if not source.is_file():
        raise BackupError(f"{source} er ikke en fil.")
    try:
        return tarfile.open(source, mode="r|gz")
    except PermissionError:
        raise BackupError(f"Har ikke lov til å lese {source}.") from None
    except (tarfile.TarError, OSError, EOFError, zlib.error):
        raise BackupError(f"{source} er ikke en sikkerhetskopi fra Gjenbruk "
                          "(kan ikke leses som .tar.gz).") from None


def _unpack(archive: tarfile.TarFile, source: Path, work: Path,
            confirm: Callable[[Manifest], None]) -> Manifest:
    """Read the manifest (first member), check it, ask, then unpack and verify the rest."""
    manifest = None
    seen = set()
    for member in archive:
        name = member.name
        if manifest is None:
            if name != MANIFEST or not member.isfile() or member.size > MANIFEST_MAX_BYTES:
                raise BackupError(f"{source} er ikke en sikkerhetskopi fra Gjenbruk "
                                  "(manifest.json er ikke først).")
            manifest = Manifest.from_json(archive.extractfile(member).read(), source)
            _check_compatible(manifest, source)
            confirm(manifest)
            continue
        expected = manifest.files.get(name)
        is_photo = name.startswith(PHOTOS) and STORED_NAME.match(name[len(PHOTOS):])
        if (expected is None or name in seen or not member.isfile()
                or not (is_photo or name == manifest.database_member)):
            raise BackupError(f"{source} har uventet innhold: «{name}».")
        seen.add(name)
        path = work / name
        path.parent.mkdir(exist_ok=True)
        digest = hashlib.sha256()
        with archive.extractfile(member) as f, open(path, "wb") as out:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected:
            raise BackupError(f"{source} er ødelagt: «{name}» stemmer ikke med manifestet.")
    if manifest is None:
        raise BackupError(f"{source} er tom.")
    absent = sorted(set(manifest.files) - seen)
    if absent:
        raise BackupError(f"{source} er ufullstendig: «{absent[0]}» mangler.")
    return manifest


def _verify_sqlite_copy(path: Path, manifest: Manifest, source: Path) -> None:
    try:
        connection = sqlite3.connect(path)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source}: SQLite-filen er ødelagt (integrity_check).")
            facts = _sqlite_facts(connection)
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{source}: SQLite-filen kan ikke leses: {exc}.") from None
    if facts.revision != manifest.alembic_revision or facts.tables != manifest.tables:
        raise BackupError(f"{source}: databasen stemmer ikke med manifestet.")


def _restore_sqlite(path: Path) -> None:
    source = sqlite3.connect(path)
    raw = db.engine.raw_connection()
    try:
        source.backup(raw.driver_connection)
    except sqlite3.Error as exc:
        raise BackupError(f"Gjenopprettingen av SQLite-databasen feilet: {exc}.") from None
    finally:
        raw.close()
        source.close()


def _restore_postgres(path: Path) -> None:
    url = db.engine.url
    name = f"gjenbruk-restore-{secrets.token_hex(6)}"
    # All or nothing: with --single-transaction a failure leaves the database as it was.
    args = [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
            "--single-transaction", "--no-password", f"--dbname={_libpq_url(url)}", str(path)]
    try:
        process = subprocess.Popen(args, env=_pg_env(url, name), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise BackupError(f"Kunne ikke starte pg_restore: {exc.strerror}.") from None
    cancelled = False
    watcher = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        with watcher:
            while True:
                try:
                    _, stderr = process.communicate(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    pass
                if not cancelled:
                    cancelled = bool(watcher.execute(text(
                        "SELECT pg_cancel_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND wait_event_type = 'Lock' "
                        "AND clock_timestamp() - query_start > make_interval(secs => :seconds)"),
                        {"name": name, "seconds": RESTORE_LOCK_TIMEOUT}).scalar())
    except BaseException:  # interrupted: its transaction is rolled back when it goes
        process.kill()
        process.wait()
        raise
    if process.returncode == 0:
        return
    if cancelled:
        raise BackupError(f"pg_restore ventet over {RESTORE_LOCK_TIMEOUT:g} s på en lås en annen "
                          "tilkobling holder; ingenting er endret. Stopp applikasjonen og prøv "
                          "igjen.")
    raise BackupError(f"pg_restore feilet: {_first_error(stderr, url)}")


def _write_photo(files: storage.FileStore, name: str, source: Path) -> bool:
    data = source.read_bytes()
    try:
        if _sha256(files.read(name)) == _sha256(data):
            return False
    except FileNotFoundError:
        pass
    files.write(name, data)
    return True


def restore_backup(source: Path, confirm: Callable[[Manifest], None]) -> RestoreResult:
    """Replace the database and the photos with a backup's. `confirm` is called once the
    backup is known to fit and may raise to stop; nothing is changed before it returns."""
    source = Path(source)
    with tempfile.TemporaryDirectory(prefix="gjenbruk-restore-") as work_dir:
        work = Path(work_dir)
        archive = _open_archive(source)
        try:
            with archive:
                manifest = _unpack(archive, source, work, confirm)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise BackupError(f"{source} kan ikke leses helt: {exc}.") from None
        database_file = work / manifest.database_member
        if manifest.database == "sqlite":
            _verify_sqlite_copy(database_file, manifest, source)
        else:
            _run_pg_tool([_pg_tool("pg_restore"), "--list", str(database_file)], db.engine.url)

        files = storage.store()
        written = sum(_write_photo(files, name, work / PHOTOS / name)
                      for name in manifest.photo_names)

        # No connection of ours may hold a lock or a stale snapshot while the data is replaced.
        db.session.remove()
        db.engine.dispose()
        if manifest.database == "sqlite":
            _restore_sqlite(database_file)
        else:
            _restore_postgres(database_file)
        db.engine.dispose()

    keep = set(manifest.photo_names)
    removed = 0
    for name, _modified in list(files.entries()):
        if STORED_NAME.match(name) and name not in keep:
            files.delete(name)
            removed += 1
    counts = _live_counts()
    if counts != manifest.tables:
        differing = sorted(name for name in manifest.tables
                           if counts.get(name) != manifest.tables[name])
        raise BackupError("Etter gjenopprettingen stemmer ikke radtallet i "
                          + ", ".join(differing) + " med sikkerhetskopien.")
    return RestoreResult(manifest, written, removed)
