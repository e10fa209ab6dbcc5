"""Where the files live that every host must see: photos, and uploads waiting for a
confirmation (a purchase file, a unit register).

Callers name files and hand over bytes; they never build paths. FileStore is the whole
interface: write, read, delete, exists, the entries (for the sweeps that remove what nothing
refers to any more) and an HTTP response serving one file. FolderStore, the default and the
only store today, is a folder (UPLOAD_DIR): on several hosts, the same NFS or cloud file
share mounted at the same path on each. An object store would be one more class with these
six methods, chosen in store(); nothing that calls it would change.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import Response, current_app, send_from_directory

# A stored name: letters, digits, '-', '_' and dots, never a path, never hidden, and short
# enough that the hidden name it is written under (".name.random.tmp") fits the 255 bytes a
# file system allows. Those hidden names are the store's own unfinished writes: listed by
# entries() so the sweeps can delete one whose writer died, never read.
_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,199}$")
_TEMPORARY = re.compile(r"^\.[A-Za-z0-9_.-]{1,300}\.tmp$")


class FileStore(Protocol):
    location: str  # for people: where the files are ("/mnt/photos")

    def write(self, name: str, data: bytes) -> None:
        """Store the file whole, or not at all: a reader never sees half of it."""

    def read(self, name: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""

    def delete(self, name: str) -> None:
        """Remove the file; one that is not there is no error."""

    def exists(self, name: str) -> bool: ...

    def entries(self, prefix: str = "") -> Iterator[tuple[str, float]]:
        """(name, last modified as a Unix time) of every file whose name starts so."""

    def response(self, name: str, mimetype: str) -> Response:
        """The file as an HTTP answer (conditional requests answered); 404 when missing."""


def checked_name(name: str, *, temporary: bool = False) -> str:
    if not (_NAME.match(name) or (temporary and unfinished_write(name))) or ".." in name:
        raise ValueError(f"not a stored file's name: {name!r}")
    return name


def unfinished_write(name: str) -> bool:
    """Whether entries() listed a write that never finished (its process died before the
    rename); the sweeps delete such a file once it is old enough not to be under way."""
    return _TEMPORARY.match(name) is not None and ".." not in name


class FolderStore:
    """The files in one folder, shared by mounting it on every host."""

    def __init__(self, folder: Path | str):
        # A relative folder is the working directory's, for serving too: Flask would take
        # it as relative to the package and answer 404 for every file written.
        self.folder = Path(folder).absolute()
        self.location = str(self.folder)

    def _path(self, name: str, *, temporary: bool = False) -> Path:
        return self.folder / checked_name(name, temporary=temporary)

    def write(self, name: str, data: bytes) -> None:
        target = self._path(name)
        # Made by the first write (or listing), not on every read: a missing folder reads as
        # missing files.
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it: a rename within one file system is
        # atomic (NFS included), so a reader on any host sees the old file or the new.
        temporary = self.folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            with open(temporary, "xb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def read(self, name: str) -> bytes:
        return self._path(name).read_bytes()

    def delete(self, name: str) -> None:
        self._path(name, temporary=True).unlink(missing_ok=True)

    def exists(self, name: str) -> bool:
        return self._path(name).is_file()

    def entries(self, prefix: str = "") -> Iterator[tuple[str, float]]:
        self.folder.mkdir(parents=True, exist_ok=True)
        for entry in os.scandir(self.folder):
            if entry.name.startswith(prefix) and entry.is_file():
                try:
                    yield entry.name, entry.stat().st_mtime
                except FileNotFoundError:
                    continue  # removed by another host while listed

    def response(self, name: str, mimetype: str) -> Response:
        return send_from_directory(self.folder, checked_name(name), mimetype=mimetype)


def store() -> FileStore:
    """The application's store: the folder UPLOAD_DIR names (README "Configuration")."""
    return FolderStore(current_app.config["UPLOAD_DIR"])
