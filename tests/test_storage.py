"""The file store every host shares (reuse.storage): whole files or none, names that cannot
leave the folder, and the sweeps that find what nobody confirmed."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

from reuse import create_app, storage
from reuse.extensions import db as _db
from reuse.services import pending_uploads
from tests.conftest import jpeg_bytes, login


@pytest.fixture
def store(tmp_path) -> storage.FolderStore:
    return storage.FolderStore(tmp_path / "shared")


@pytest.mark.parametrize("name", ["../secret", "a/b.jpg", "/etc/passwd", ".hidden", "a..b",
                                  "", "bilde\n.jpg"])
def test_a_name_that_is_not_a_plain_file_name_is_refused(store, tmp_path, name):
    (tmp_path / "secret").write_bytes(b"outside")
    with pytest.raises(ValueError):
        store.write(name, b"data")
    with pytest.raises(ValueError):
        store.read(name)
    assert (tmp_path / "secret").read_bytes() == b"outside"


def test_a_name_is_refused_at_once_or_stored_never_half_accepted(store):
    for length in range(1, 300):
        name = "a" * length
        try:
            store.write(name, b"data")
        except ValueError:
            continue
        assert store.read(name) == b"data"
    assert [name for name, _ in store.entries() if storage.unfinished_write(name)] == []


def test_a_file_appears_only_once_it_is_whole_and_on_disk(store, monkeypatch):
    happened = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        happened.append("on disk")
        real_fsync(descriptor)

    def replace(source, target):
        # The last moment before the file appears: another host looking finds nothing yet,
        # and a sweep would see only an unfinished write.
        listed = [name for name, _ in store.entries()]
        happened.append((store.exists("photo.jpg"),
                         [storage.unfinished_write(name) for name in listed]))
        real_replace(source, target)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    monkeypatch.setattr(storage.os, "replace", replace)
    store.write("photo.jpg", b"\xff\xd8" + b"\x00" * 100_000)
    assert happened == ["on disk", (False, [True])]
    assert store.read("photo.jpg") == b"\xff\xd8" + b"\x00" * 100_000
    assert [name for name, _ in store.entries()] == ["photo.jpg"]


def test_a_file_is_replaced_whole_and_no_unfinished_file_is_left(store, monkeypatch):
    store.write("photo.jpg", b"first")
    store.write("photo.jpg", b"second")
    assert store.read("photo.jpg") == b"second"

    def disk_full(_descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", disk_full)  # fails after the bytes went out
    with pytest.raises(OSError):
        store.write("photo.jpg", b"third")
    assert store.read("photo.jpg") == b"second"  # the old file stands
    assert [name for name, _ in store.entries()] == ["photo.jpg"]  # no temporary file


def test_missing_files_read_as_not_found_and_delete_quietly(store):
    with pytest.raises(FileNotFoundError):
        store.read("gone.jpg")
    assert not store.exists("gone.jpg")
    store.delete("gone.jpg")


def test_entries_list_one_kind_with_when_each_was_written(store):
    store.write("purchase-import-abc", b"1")
    store.write("unit-import-def", b"2")
    before = time.time()
    entries = dict(store.entries("purchase-import-"))
    assert list(entries) == ["purchase-import-abc"]
    assert before - 60 < entries["purchase-import-abc"] <= before + 1


def test_a_folder_given_as_a_relative_path_serves_what_it_stores(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = storage.FolderStore("uploads")
    relative.write("photo.jpg", b"\xff\xd8")
    with app.test_request_context("/"):
        response = relative.response("photo.jpg", "image/jpeg")
        response.direct_passthrough = False
        assert response.get_data() == b"\xff\xd8"
    assert (tmp_path / "uploads" / "photo.jpg").read_bytes() == b"\xff\xd8"


def test_two_hosts_with_the_same_folder_see_each_others_files(tmp_path):
    host_a = storage.FolderStore(tmp_path / "mounted")
    host_b = storage.FolderStore(str(tmp_path / "mounted"))
    host_a.write("photo_t.jpg", b"\xff\xd8thumbnail")
    assert host_b.read("photo_t.jpg") == b"\xff\xd8thumbnail"
    host_b.delete("photo_t.jpg")
    assert not host_a.exists("photo_t.jpg")


def test_uploads_nobody_confirmed_go_after_half_a_day_whatever_they_were_for(app):
    files = storage.store()
    old = [pending_uploads.keep(kind, b"line_id\n") for kind in pending_uploads.KINDS]
    young = pending_uploads.keep(pending_uploads.UNITS, b"kode\n")
    files.write("AAAAAAAAAAAAAAAAAAAAAA.jpg", b"a photo, not an upload")
    half_a_day_ago = time.time() - 13 * 3600
    for kind, token in zip(pending_uploads.KINDS, old, strict=True):
        os.utime(os.path.join(files.location, f"{kind}{token}"),
                 (half_a_day_ago, half_a_day_ago))
    os.utime(os.path.join(files.location, "AAAAAAAAAAAAAAAAAAAAAA.jpg"),
             (half_a_day_ago, half_a_day_ago))
    assert pending_uploads.remove_stale() == 2
    assert [pending_uploads.read(kind, token)
            for kind, token in zip(pending_uploads.KINDS, old, strict=True)] == [None, None]
    assert pending_uploads.read(pending_uploads.UNITS, young) == b"kode\n"
    assert files.exists("AAAAAAAAAAAAAAAAAAAAAA.jpg")


@pytest.mark.parametrize("token", ["øæå", "../../secret", "", "a b"])
def test_a_token_keep_never_gave_names_no_kept_upload(app, token):
    for kind in pending_uploads.KINDS:
        assert pending_uploads.read(kind, token) is None
        assert not pending_uploads.exists(kind, token)
        pending_uploads.forget(kind, token)


# -- several hosts: each its own instance folder, one shared folder ---------------------------

@pytest.fixture
def second_host(app, tmp_path, monkeypatch):
    """Another app host as production runs one: its own instance folder, the same database
    and the same shared folder (UPLOAD_DIR) as `app`."""
    monkeypatch.setenv("REUSE_INSTANCE_PATH", str(tmp_path / "host-b"))
    host = create_app(dict(app.config))
    host.test_client_class = app.test_client_class
    assert host.instance_path != app.instance_path
    yield host
    with host.app_context():
        _db.engine.dispose()


def test_a_file_one_host_writes_is_read_and_served_by_another(app, second_host):
    with app.app_context():
        storage.store().write("AAAAAAAAAAAAAAAAAAAAAA.jpg", b"\xff\xd8written on host A")
    with second_host.test_request_context("/"):
        assert storage.store().read("AAAAAAAAAAAAAAAAAAAAAA.jpg") == b"\xff\xd8written on host A"
        response = storage.store().response("AAAAAAAAAAAAAAAAAAAAAA.jpg", "image/jpeg")
        response.direct_passthrough = False
        assert (response.status_code, response.mimetype) == (200, "image/jpeg")
        assert response.get_data() == b"\xff\xd8written on host A"
    assert not list(Path(second_host.instance_path).glob("*.jpg"))


def test_a_photo_uploaded_to_one_host_is_served_by_the_other(second_host, people, make_item,
                                                             log_in, db):
    item = make_item(people.member)
    host_a = log_in(people.member)
    uploaded = host_a.submit(f"/items/{item.id}/photos",
                             {"photos": (io.BytesIO(jpeg_bytes()), "stol.jpg")},
                             content_type="multipart/form-data")
    assert uploaded.status_code == 302
    db.session.refresh(item)
    [photo] = item.photos
    host_b = second_host.test_client()
    assert login(host_b, people.outsider).status_code == 302

    for name in (photo.filename, photo.thumbnail_filename):
        from_a, from_b = host_a.get(f"/photos/{name}"), host_b.get(f"/photos/{name}")
        assert (from_a.status_code, from_b.status_code) == (200, 200)
        assert from_b.get_data() == from_a.get_data()
        assert from_b.get_data()[:2] == b"\xff\xd8"
        # A copy the browser kept from host A is confirmed by host B, not sent again.
        again = host_b.get(f"/photos/{name}", headers={"If-None-Match": from_a.headers["ETag"]})
        assert again.status_code == 304
