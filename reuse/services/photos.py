"""Photo uploads: every file is decoded and re-encoded (reuse.services.imaging), never
stored as sent.

Orientation from EXIF is applied, all metadata (GPS and comments included) is dropped, the
longest side is capped and a thumbnail made, and the results are written under random
names. The files follow the database transaction: written files are removed if it rolls
back, and removed photos' files are deleted only once the removal is committed.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from reuse.extensions import db, listen_once
from reuse.models import Item, Photo, User
from reuse.models.catalog import MAX_ALT_TEXT
from reuse.services import audit, characters, imaging
from reuse.services.errors import InvalidInput, PermissionDenied
from reuse.services.imaging import EncodedPhoto
from reuse.services.permissions import can_manage_item

STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{22}(_t)?\.jpg$")


@dataclass(frozen=True)
class Upload:
    """One file as it arrived: its bytes, the name the browser gave and its alt text."""

    stream: BinaryIO
    filename: str
    alt_text: str = ""


def _name(filename: str) -> str:
    """The file's name as the person chose it, without any folders."""
    return Path(filename).name if filename else _("uten navn")


def _read_limited(upload: Upload, max_bytes: int) -> bytes:
    data = upload.stream.read(max_bytes + 1)
    if not data:
        raise InvalidInput(_("Filen «%(file)s» er tom.", file=_name(upload.filename)),
                           field="photos")
    if len(data) > max_bytes:
        limit_mb = max_bytes // (1024 * 1024)
        raise InvalidInput(
            _("Filen «%(file)s» er større enn %(limit)s MB. Velg et mindre bilde.",
              file=_name(upload.filename), limit=limit_mb),
            field="photos",
        )
    return data


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head


def encode(upload: Upload, max_bytes: int) -> EncodedPhoto:
    """Decode an upload and re-encode it as a capped JPEG and a thumbnail, or refuse it."""
    data = _read_limited(upload, max_bytes)
    if _looks_like_svg(data):
        raise InvalidInput(
            _("«%(file)s» er en SVG-tegning. Last opp et foto (JPEG, PNG eller WebP).",
              file=_name(upload.filename)),
            field="photos",
        )
    return imaging.reencode(data, _name(upload.filename))


def upload_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomically(directory: Path, data: bytes, name: str) -> Path:
    target = directory / name
    temporary = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    with open(temporary, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, target)
    return target


def add_photos(user: User, item: Item, uploads: list[Upload]) -> list[Photo]:
    """Re-encode and attach photos to an item, within the per-item limit."""
    if not can_manage_item(user, item):
        raise PermissionDenied(_("Du kan bare legge til bilder på egne annonser."))
    if not uploads:
        return []
    limit = current_app.config["PHOTOS_PER_ITEM"]
    # Refused early, before the decoding, when it is plain; _take_places() decides.
    if item.photo_count + len(uploads) > limit:
        raise _over_the_limit(limit, item.photo_count, len(uploads))
    for upload in uploads:
        characters.check(upload.alt_text, _("Bildetekst"), field="alt_text")
    # Decode everything first: one bad file refuses the batch before anything is written.
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    encoded = [(upload, encode(upload, max_bytes)) for upload in uploads]
    if not _take_places(item, len(uploads), limit):
        raise _over_the_limit(limit, item.photo_count, len(uploads))
    directory = upload_dir()
    photos = []
    for position, (upload, result) in enumerate(encoded,
                                                start=item.photo_count - len(uploads)):
        stem = secrets.token_urlsafe(16)
        image_path = _write_atomically(directory, result.image, f"{stem}.jpg")
        _track_written(image_path)
        thumbnail_path = _write_atomically(directory, result.thumbnail, f"{stem}_t.jpg")
        _track_written(thumbnail_path)
        alt_text = upload.alt_text.strip()[:MAX_ALT_TEXT] or _("Bilde %(number)s av %(title)s",
                                                      number=position + 1, title=item.title)
        photo = Photo(item=item, position=position, filename=image_path.name,
                      thumbnail_filename=thumbnail_path.name, width=result.width,
                      height=result.height, alt_text=alt_text)
        db.session.add(photo)
        photos.append(photo)
    db.session.flush()
    audit.record(user, "item.photos_added", item, photo_ids=[p.id for p in photos])
    return photos


def copy_photos(source: Item, target: Item) -> list[Photo]:
    """Copy a listing's photos, files and alt texts, onto a new listing of the same things
    (items.relist_item). The files are copied under new names: each photo row owns its
    files, and removing one listing's photo must leave the other's in place."""
    directory = upload_dir()
    copies = []
    for photo in sorted(source.photos, key=lambda p: p.position):
        try:
            image = (directory / photo.filename).read_bytes()
            thumbnail = (directory / photo.thumbnail_filename).read_bytes()
        except FileNotFoundError:
            continue  # a file lost from the disk: the new listing goes without it
        stem = secrets.token_urlsafe(16)
        image_path = _write_atomically(directory, image, f"{stem}.jpg")
        _track_written(image_path)
        thumbnail_path = _write_atomically(directory, thumbnail, f"{stem}_t.jpg")
        _track_written(thumbnail_path)
        copies.append(Photo(item=target, position=len(copies), filename=image_path.name,
                            thumbnail_filename=thumbnail_path.name, width=photo.width,
                            height=photo.height, alt_text=photo.alt_text))
    db.session.add_all(copies)
    target.photo_count = len(copies)
    db.session.flush()
    return copies


def _take_places(item: Item, count: int, limit: int) -> bool:
    """Count `count` more photos on the item if it stays within `limit`. One statement, as
    claims._reserve moves quantities: of parallel uploads, those that would pass the limit
    find no row to update, whatever each of them read before."""
    taken = db.session.execute(
        update(Item)
        .where(Item.id == item.id, Item.photo_count + count <= limit)
        .values(photo_count=Item.photo_count + count)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(item, ["photo_count"])
    return taken == 1


def _over_the_limit(limit: int, existing: int, added: int) -> InvalidInput:
    return InvalidInput(
        _("En annonse kan ha høyst %(limit)s bilder. Den har %(existing)s, og du prøvde å "
          "legge til %(added)s.", limit=limit, existing=existing, added=added),
        field="photos",
    )


def update_alt_text(user: User, photo: Photo, alt_text: str) -> None:
    if not can_manage_item(user, photo.item):
        raise PermissionDenied(_("Du kan bare endre bilder på egne annonser."))
    alt_text = alt_text.strip()
    if not alt_text:
        raise InvalidInput(_("Bildeteksten kan ikke være tom."), field="alt_text")
    characters.check(alt_text, _("Bildetekst"), field="alt_text")
    photo.alt_text = alt_text[:MAX_ALT_TEXT]


def remove_photo(user: User, photo: Photo) -> None:
    if not can_manage_item(user, photo.item):
        raise PermissionDenied(_("Du kan bare fjerne bilder fra egne annonser."))
    item = photo.item
    audit.record(user, "item.photo_removed", item, photo_id=photo.id)
    # Counted down only by the removal that deleted the row: a second, parallel removal of
    # the same photo finds nothing to delete and leaves the count alone.
    if db.session.execute(delete(Photo).where(Photo.id == photo.id)
                          .execution_options(synchronize_session=False)).rowcount:
        db.session.execute(update(Item).where(Item.id == item.id)
                           .values(photo_count=Item.photo_count - 1)
                           .execution_options(synchronize_session=False))
        directory = upload_dir()
        _track_removed(directory / photo.filename)
        _track_removed(directory / photo.thumbnail_filename)
    db.session.expunge(photo)
    db.session.expire(item, ["photos", "photo_count"])


def stored_file(filename: str) -> Photo | None:
    """The photo a served file name belongs to; None for anything that is not one of ours."""
    if not STORED_NAME.match(filename):
        return None
    column = Photo.thumbnail_filename if filename.endswith("_t.jpg") else Photo.filename
    return db.session.scalar(select(Photo).where(column == filename))


def _track_written(path: Path) -> None:
    db.session().info.setdefault("photo_files_written", []).append(path)


def _track_removed(path: Path) -> None:
    db.session().info.setdefault("photo_files_removed", []).append(path)


def init_app(app: Flask) -> None:
    """Files follow each session's transaction: removals happen on commit, writes undone on
    rollback."""
    listen_once(Session, "after_commit", _files_follow_commit)
    listen_once(Session, "after_rollback", _files_follow_rollback)


def _files_follow_commit(session: Session) -> None:
    session.info.pop("photo_files_written", None)
    for path in session.info.pop("photo_files_removed", []):
        path.unlink(missing_ok=True)


def _files_follow_rollback(session: Session) -> None:
    session.info.pop("photo_files_removed", None)
    for path in session.info.pop("photo_files_written", []):
        path.unlink(missing_ok=True)


def remove_orphan_files(min_age: timedelta = timedelta(hours=1)) -> int:
    """Delete files in UPLOAD_DIR that no photo refers to: left by a process that died
    between writing a file and committing its row. Young files may belong to a transaction
    still running, so only those older than min_age go."""
    directory = upload_dir()
    referenced = set()
    for filename, thumbnail in db.session.execute(select(Photo.filename,
                                                         Photo.thumbnail_filename)):
        referenced.update((filename, thumbnail))
    cutoff = time.time() - min_age.total_seconds()
    removed = 0
    for path in directory.iterdir():
        is_ours = STORED_NAME.match(path.name) or (path.name.startswith(".")
                                                    and path.name.endswith(".tmp"))
        if not is_ours or path.name in referenced or not path.is_file():
            continue
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
