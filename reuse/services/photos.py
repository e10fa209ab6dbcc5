"""Photo uploads: every file is decoded and re-encoded (reuse.services.imaging), never
stored as sent.

Orientation from EXIF is applied, all metadata (GPS and comments included) is dropped, the
longest side is capped and a thumbnail made, and the results are written under random
names. The files follow the database transaction: written files are removed if it rolls
back, and removed photos' files are deleted only once the removal is committed.

A photo chosen on a form that does not go through (a required field left empty) is not lost:
it is stored at once as a PendingPhoto of its uploader, the form carries its opaque token,
and saving the form turns it into the item's Photo (attach_pending). The first photo of an
item is its cover; arrange() moves photos, and positions stay 0, 1, 2, … in shown order.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO, TypeVar

from flask import Flask, current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from reuse import storage
from reuse.extensions import db, listen_once
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.i18n import ngettext
from reuse.models import Item, PendingPhoto, Photo, User
from reuse.models.base import utcnow
from reuse.models.catalog import MAX_ALT_TEXT
from reuse.services import audit, characters, imaging
from reuse.services.errors import InvalidInput, NotFound, PermissionDenied
from reuse.services.imaging import EncodedPhoto
from reuse.services.permissions import PHOTO_NOT_FOUND, can_manage_item

T = TypeVar("T")
STORED_NAME = re.compile(r"^[A-Za-z0-9_-]{22}(_t)?\.jpg$")
ALT_TEXT_LABEL = _l("Bildetekst")
ONLY_OWN_TO_ADD = _l("Du kan bare legge til bilder på egne annonser.")
ONLY_OWN_TO_CHANGE = _l("Du kan bare endre bilder på egne annonser.")
NO_ALT_TEXT = _l("Bildeteksten kan ikke være tom.")
# How long a photo chosen on a form that did not go through is kept for its uploader: a
# working day to come back to the form; run-jobs removes it after that.
PENDING_KEPT_FOR = timedelta(hours=24)
# Photos waiting for forms that did not go through: at most this many forms' worth a person.
PENDING_FORMS_PER_PERSON = 3
TOO_MANY_PENDING = _l("Du har mange bilder som venter på annonser som ikke er lagt ut ennå. "
                      "Legg ut eller forkast dem først; bilder som venter, slettes etter et døgn.")


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


def add_photos(user: User, item: Item, uploads: list[Upload]) -> list[Photo]:
    """Re-encode and attach photos to an item, within the per-item limit."""
    if not can_manage_item(user, item):
        raise PermissionDenied(str(ONLY_OWN_TO_ADD))
    if not uploads:
        return []
    limit = current_app.config["PHOTOS_PER_ITEM"]
    # Refused early, before the decoding, when it is plain; _take_places() decides.
    if item.photo_count + len(uploads) > limit:
        raise _over_the_limit(limit, item.photo_count, len(uploads))
    for upload in uploads:
        characters.check(upload.alt_text, str(ALT_TEXT_LABEL), field="alt_text")
    # Decode everything first: one bad file refuses the batch before anything is written.
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    encoded = [(upload, encode(upload, max_bytes)) for upload in uploads]
    if not _take_places(item, len(uploads), limit):
        raise _over_the_limit(limit, item.photo_count, len(uploads))
    photos = []
    for position, (upload, result) in enumerate(encoded,
                                                start=item.photo_count - len(uploads)):
        image_name, thumbnail_name = _write_files(result.image, result.thumbnail)
        photo = Photo(item=item, position=position, filename=image_name,
                      thumbnail_filename=thumbnail_name, width=result.width,
                      height=result.height, alt_text=_alt_text(upload.alt_text, item, position))
        db.session.add(photo)
        photos.append(photo)
    db.session.flush()
    audit.record(user, "item.photos_added", item, photo_ids=[p.id for p in photos])
    return photos


def _write_files(image: bytes, thumbnail: bytes) -> tuple[str, str]:
    """Write a re-encoded photo and its thumbnail under new random names; undone if the
    transaction rolls back."""
    files = storage.store()
    stem = secrets.token_urlsafe(16)
    names = f"{stem}.jpg", f"{stem}_t.jpg"
    for name, data in zip(names, (image, thumbnail), strict=True):
        files.write(name, data)
        _track_written(name)
    return names


def _alt_text(given: str, item: Item, position: int) -> str:
    """The alt text as given, or one that at least says what the photo is of."""
    return given.strip()[:MAX_ALT_TEXT] or _("Bilde %(number)s av %(title)s",
                                             number=position + 1, title=item.title)


def copy_photos(source: Item, target: Item) -> list[Photo]:
    """Copy a listing's photos, files and alt texts, onto a new listing of the same things
    (items.relist_item). The files are copied under new names: each photo row owns its
    files, and removing one listing's photo must leave the other's in place."""
    files = storage.store()
    copies = []
    for photo in sorted(source.photos, key=lambda p: p.position):
        try:
            image = files.read(photo.filename)
            thumbnail = files.read(photo.thumbnail_filename)
        except FileNotFoundError:
            continue  # a file lost from the disk: the new listing goes without it
        image_name, thumbnail_name = _write_files(image, thumbnail)
        copies.append(Photo(item=target, position=len(copies), filename=image_name,
                            thumbnail_filename=thumbnail_name, width=photo.width,
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
        ngettext("En annonse kan ha høyst %(num)s bilde. Den har %(existing)s, og du prøvde å "
                 "legge til %(added)s.",
                 "En annonse kan ha høyst %(num)s bilder. Den har %(existing)s, og du prøvde å "
                 "legge til %(added)s.", limit, existing=existing, added=added),
        field="photos",
    )


def update_alt_text(user: User, photo: Photo, alt_text: str) -> None:
    if not can_manage_item(user, photo.item):
        raise PermissionDenied(str(ONLY_OWN_TO_CHANGE))
    alt_text = alt_text.strip()
    if not alt_text:
        raise InvalidInput(str(NO_ALT_TEXT), field="alt_text")
    characters.check(alt_text, str(ALT_TEXT_LABEL), field="alt_text")
    photo.alt_text = alt_text[:MAX_ALT_TEXT]


def remove_photo(user: User, photo: Photo) -> None:
    if not can_manage_item(user, photo.item):
        raise PermissionDenied(_("Du kan bare fjerne bilder fra egne annonser."))
    item = photo.item
    audit.record(user, "item.photo_removed", item, photo_id=photo.id)
    _lock_photos_of(item)
    # Counted down only by the removal that deleted the row: a second, parallel removal of
    # the same photo finds nothing to delete and leaves the count alone.
    if db.session.execute(delete(Photo).where(Photo.id == photo.id)
                          .execution_options(synchronize_session=False)).rowcount:
        db.session.execute(update(Item).where(Item.id == item.id)
                           .values(photo_count=Item.photo_count - 1)
                           .execution_options(synchronize_session=False))
        _track_removed(photo.filename)
        _track_removed(photo.thumbnail_filename)
    db.session.expunge(photo)
    db.session.expire(item, ["photos", "photo_count"])
    _number_in_order([p for p in item.photos if p.id != photo.id])


# Moving a photo: the buttons beside it, and where each sends a photo now at place `p`.
ARRANGING = {"earlier": lambda p: p - 1, "later": lambda p: p + 1, "cover": lambda p: 0}


def rearranged(photos: list[T], index: int, action: str) -> list[T]:
    """The photos with the one at `index` moved as the action says (ARRANGING); the others
    keep their order. An unknown action, or a move past either end, changes nothing."""
    if action not in ARRANGING or not 0 <= index < len(photos):
        return photos
    others = photos[:index] + photos[index + 1:]
    place = max(0, min(ARRANGING[action](index), len(others)))
    return [*others[:place], photos[index], *others[place:]]


def arrange(user: User, photo: Photo, action: str) -> None:
    """Move one of an item's photos earlier, later, or first as its cover (ARRANGING)."""
    item = photo.item
    if not can_manage_item(user, item):
        raise PermissionDenied(str(ONLY_OWN_TO_CHANGE))
    if action not in ARRANGING:
        raise InvalidInput(_("Ukjent flytting av bildet."), field="photos")
    _lock_photos_of(item)
    db.session.expire(item, ["photos"])
    in_order = item.photos
    if photo not in in_order:  # removed while this request waited for the lock
        raise NotFound(str(PHOTO_NOT_FOUND))
    _number_in_order(rearranged(in_order, in_order.index(photo), action))
    db.session.expire(item, ["photos"])
    audit.record(user, "item.photos_arranged", item, photo_id=photo.id, move=action)


def _number_in_order(photos: list[Photo]) -> None:
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position
    db.session.flush()


def _lock_photos_of(item: Item) -> None:
    """Changes to one item's photos wait for each other: each first takes the item row's
    lock (as _take_places does), so two reorderings cannot interleave into a mixed order."""
    db.session.execute(update(Item).where(Item.id == item.id)
                       .values(photo_count=Item.photo_count)
                       .execution_options(synchronize_session=False))


def stored_file(filename: str) -> Photo | PendingPhoto | None:
    """The photo (or photo waiting for its form) a served file name belongs to; None for
    anything that is not one of ours."""
    if not STORED_NAME.match(filename):
        return None
    thumbnail = filename.endswith("_t.jpg")
    for model in (Photo, PendingPhoto):
        column = model.thumbnail_filename if thumbnail else model.filename
        found = db.session.scalar(select(model).where(column == filename))
        if found is not None:
            return found
    return None


# -- photos chosen on a form that has not gone through yet ---------------------------------

@dataclass(frozen=True)
class Chosen:
    """A stored photo waiting for its form, with the alt text typed beside it."""

    pending: PendingPhoto
    alt_text: str = ""


@dataclass(frozen=True)
class Kept:
    """What keep_pending() stored (with each upload's alt text), and the files it refused,
    one message each."""

    stored: list[Chosen]
    refused: list[str]


def keep_pending(user: User, uploads: list[Upload], already: int) -> Kept:
    """Decode and store the files chosen on a form at once, so that they survive the form
    being shown again. Each file stands alone: a refused one is named, the others kept.
    `already`: photos the form holds before these; together they stay within the limit."""
    if not uploads:
        return Kept([], [])
    limit = current_app.config["PHOTOS_PER_ITEM"]
    if already + len(uploads) > limit:
        return Kept([], [str(_over_the_limit(limit, already, len(uploads)).message)])
    max_bytes = current_app.config["PHOTO_MAX_BYTES"]
    encoded, refused = [], []
    for upload in uploads:
        try:
            encoded.append((upload, encode(upload, max_bytes)))
        except InvalidInput as refusal:
            refused.append(str(refusal.message))
    if not encoded:
        return Kept([], refused)
    # Waiting photos take disk until run-jobs clears them: one person keeps a few forms'
    # worth. Counted under a lock on the person's row, so parallel forms cannot pass it.
    room = PENDING_FORMS_PER_PERSON * limit - _lock_and_count_pending(user)
    if room < len(encoded):
        refused.append(str(TOO_MANY_PENDING))
        encoded = encoded[:max(room, 0)]
    stored = []
    for upload, result in encoded:
        image_name, thumbnail_name = _write_files(result.image, result.thumbnail)
        pending = PendingPhoto(token=secrets.token_urlsafe(16), user_id=user.id,
                               filename=image_name, thumbnail_filename=thumbnail_name,
                               width=result.width, height=result.height)
        db.session.add(pending)
        stored.append(Chosen(pending, upload.alt_text))
    db.session.flush()
    return Kept(stored, refused)


def _lock_and_count_pending(user: User) -> int:
    """How many photos wait for the person's forms, counted after taking the person's row
    (a write: PostgreSQL's row lock, SQLite's one writer) until the transaction ends."""
    db.session.execute(update(User).where(User.id == user.id).values(id=User.id)
                       .execution_options(synchronize_session=False))
    return db.session.scalar(select(func.count()).select_from(PendingPhoto)
                             .where(PendingPhoto.user_id == user.id))


def attach_pending(user: User, item: Item, chosen: list[Chosen]) -> list[Photo]:
    """Make the chosen photos the item's, in the order given, after any it has."""
    if not can_manage_item(user, item):
        raise PermissionDenied(str(ONLY_OWN_TO_ADD))
    if not chosen:
        return []
    for each in chosen:
        characters.check(each.alt_text, str(ALT_TEXT_LABEL), field="alt_text")
    limit = current_app.config["PHOTOS_PER_ITEM"]
    if not _take_places(item, len(chosen), limit):
        raise _over_the_limit(limit, item.photo_count, len(chosen))
    photos = []
    for position, each in enumerate(chosen, start=item.photo_count - len(chosen)):
        pending = each.pending
        # Taken by one statement: of this and run-jobs' cleanup, only one finds the row.
        if not db.session.execute(delete(PendingPhoto).where(
                PendingPhoto.id == pending.id, PendingPhoto.user_id == user.id)
                .execution_options(synchronize_session=False)).rowcount:
            raise _no_longer_kept(1)
        db.session.expunge(pending)
        photo = Photo(item=item, position=position, filename=pending.filename,
                      thumbnail_filename=pending.thumbnail_filename, width=pending.width,
                      height=pending.height, alt_text=_alt_text(each.alt_text, item, position))
        db.session.add(photo)
        photos.append(photo)
    db.session.flush()
    audit.record(user, "item.photos_added", item, photo_ids=[p.id for p in photos])
    return photos


def discard_pending(user: User, pending: PendingPhoto) -> None:
    """Drop a photo chosen on a form; its files go once that is committed."""
    if db.session.execute(delete(PendingPhoto).where(
            PendingPhoto.id == pending.id, PendingPhoto.user_id == user.id)
            .execution_options(synchronize_session=False)).rowcount:
        _track_pending_files_removed(pending)
    db.session.expunge(pending)


def no_longer_kept(count: int) -> str:
    """The message for chosen photos whose references led nowhere (removed after a day,
    or never the user's)."""
    return str(_no_longer_kept(count).message)


def _no_longer_kept(count: int) -> InvalidInput:
    return InvalidInput(ngettext(
        "%(num)s bilde du valgte, er ikke lagret lenger. Velg det på nytt.",
        "%(num)s bilder du valgte, er ikke lagret lenger. Velg dem på nytt.", count),
        field="photos")


def remove_stale_pending(older_than: timedelta = PENDING_KEPT_FOR) -> int:
    """Remove photos chosen on forms that were never saved, and their files (once this is
    committed). Returns how many files go."""
    cutoff: datetime = utcnow() - older_than
    stale = db.session.scalars(select(PendingPhoto).where(PendingPhoto.created_at < cutoff))
    removed = 0
    for pending in stale.all():
        # One statement each: a form saved at this moment either took it or finds it gone.
        if db.session.execute(delete(PendingPhoto).where(PendingPhoto.id == pending.id)
                              .execution_options(synchronize_session=False)).rowcount:
            _track_pending_files_removed(pending)
            removed += 2
        db.session.expunge(pending)
    return removed


def _track_pending_files_removed(pending: PendingPhoto) -> None:
    _track_removed(pending.filename)
    _track_removed(pending.thumbnail_filename)


def _track_written(name: str) -> None:
    db.session().info.setdefault("photo_files_written", []).append(name)


def _track_removed(name: str) -> None:
    db.session().info.setdefault("photo_files_removed", []).append(name)


def init_app(app: Flask) -> None:
    """Files follow each session's transaction: removals happen on commit, writes undone on
    rollback."""
    listen_once(Session, "after_commit", _files_follow_commit)
    listen_once(Session, "after_rollback", _files_follow_rollback)


def _files_follow_commit(session: Session) -> None:
    session.info.pop("photo_files_written", None)
    removed = session.info.pop("photo_files_removed", [])
    if removed:
        files = storage.store()
        for name in removed:
            files.delete(name)


def _files_follow_rollback(session: Session) -> None:
    session.info.pop("photo_files_removed", None)
    written = session.info.pop("photo_files_written", [])
    if written:
        files = storage.store()
        for name in written:
            files.delete(name)


def remove_orphan_files(min_age: timedelta = timedelta(hours=1)) -> int:
    """Delete stored photo files that no photo refers to: left by a process that died
    between writing a file and committing its row. Young files may belong to a transaction
    still running, so only those older than min_age go."""
    referenced = set()
    for model in (Photo, PendingPhoto):
        for filename, thumbnail in db.session.execute(select(model.filename,
                                                             model.thumbnail_filename)):
            referenced.update((filename, thumbnail))
    cutoff = time.time() - min_age.total_seconds()
    files = storage.store()
    removed = 0
    for name, modified in list(files.entries()):
        is_ours = STORED_NAME.match(name) or storage.unfinished_write(name)
        if is_ours and name not in referenced and modified < cutoff:
            files.delete(name)
            removed += 1
    return removed
