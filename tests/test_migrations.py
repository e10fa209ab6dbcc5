"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import importlib.util
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
