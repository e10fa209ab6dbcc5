"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from reuse.models import Base
from reuse.services.fulltext import include_in_schema_comparison


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": include_in_schema_comparison})
        assert compare_metadata(context, Base.metadata) == []


def test_quantity_can_never_be_overdrawn_even_by_raw_sql(db, people, make_item):
    """The database itself refuses an item whose reservations exceed its quantity."""
    item = make_item(people.member, quantity=2)
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE item SET quantity_reserved = 3 WHERE id = :id"),
                           {"id": item.id})
        db.session.flush()
    db.session.rollback()


def test_every_table_has_its_constraints_named(db):
    inspector = inspect(db.engine)
    for table in ("item", "user_account"):
        names = [c["name"] for c in inspector.get_check_constraints(table)]
        assert all(name and name.startswith(f"ck_{table}_") for name in names)
        assert names


def run_migration(name: str) -> None:
    """Run one migration's upgrade() on the test database, found by the end of its file
    name whatever its number: for tests of what a migration does to existing rows."""
    from reuse.extensions import db

    [path] = Path(__file__).parent.parent.glob(f"migrations/versions/*_{name}.py")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Fresh connections: a pooled SQLite connection may still read the schema as it was.
    db.engine.dispose()
    with db.engine.begin() as connection, \
            Operations.context(MigrationContext.configure(connection)):
        module.upgrade()


def test_the_photo_count_migration_counts_the_photos_items_already_have(app, db, people,
                                                                        make_item):
    """Down to the revision before it (the column goes) and up again: counted from the rows."""
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade

    from reuse.models import Item
    from reuse.services import photos
    from tests.conftest import jpeg_bytes

    shelf, chair = make_item(people.member), make_item(people.member)
    photos.add_photos(people.member, shelf, [photos.Upload(io.BytesIO(jpeg_bytes()), "a.jpg")
                                             for _ in range(3)])
    shelf_id, chair_id = shelf.id, chair.id
    db.session.commit()
    db.session.remove()
    [path] = Path(__file__).parent.parent.glob("migrations/versions/*_photo_count.py")
    migrations = ScriptDirectory(str(path.parent.parent))
    downgrade(revision=migrations.get_revision(path.stem).down_revision)
    try:
        assert "photo_count" not in {c["name"] for c in inspect(db.engine).get_columns("item")}
    finally:
        upgrade()
    assert db.session.get(Item, shelf_id).photo_count == 3
    assert db.session.get(Item, chair_id).photo_count == 0
