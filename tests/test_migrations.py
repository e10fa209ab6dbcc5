"""The migrations build exactly the schema the models describe, from empty and back, and are
history: they import nothing of the application, so what they did never changes."""

from __future__ import annotations

import ast
import importlib.util
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from reuse import create_app
from reuse.models import Base, Item, MonthTotal
from reuse.services import ledger
from reuse.services.fulltext import include_in_schema_comparison


def migrations_directory() -> Path:
    """Where the application finds its migrations (the current app's Flask-Migrate folder)."""
    return Path(current_app.extensions["migrate"].directory)


def migration_path(name: str) -> Path:
    """A migration's file, found by the end of its name whatever its number."""
    [path] = (migrations_directory() / "versions").glob(f"*_{name}.py")
    return path


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


def run_migration(name: str, step: str = "upgrade") -> None:
    """Run one migration's upgrade() (or another of its functions, `step`) on the test
    database, found by the end of its file name whatever its number: for tests of what a
    migration does to existing rows."""
    from reuse.extensions import db

    path = migration_path(name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # Fresh connections: a pooled SQLite connection may still read the schema as it was.
    db.engine.dispose()
    # As flask db upgrade runs it: with the models' metadata, whose naming convention decides
    # the names of the constraints the migration creates (and later drops).
    with db.engine.begin() as connection, Operations.context(MigrationContext.configure(
            connection, opts={"target_metadata": db.metadata})):
        getattr(module, step)()


def test_the_photo_count_migration_counts_the_photos_items_already_have(app, db, people,
                                                                        make_item):
    """Down to the revision before it (the column goes) and up again: counted from the rows."""
    from reuse.services import photos
    from tests.conftest import jpeg_bytes

    shelf, chair = make_item(people.member), make_item(people.member)
    photos.add_photos(people.member, shelf, [photos.Upload(io.BytesIO(jpeg_bytes()), "a.jpg")
                                             for _ in range(3)])
    shelf_id, chair_id = shelf.id, chair.id
    db.session.commit()
    db.session.remove()
    downgrade(revision=revision_before("photo_count"))
    try:
        assert "photo_count" not in {c["name"] for c in inspect(db.engine).get_columns("item")}
    finally:
        upgrade()
    assert db.session.get(Item, shelf_id).photo_count == 3
    assert db.session.get(Item, chair_id).photo_count == 0


def revision_before(name: str) -> str:
    path = migration_path(name)
    return ScriptDirectory(str(migrations_directory())).get_revision(path.stem).down_revision


def test_no_migration_imports_the_application(app):
    """A migration that imports application code would change what it did whenever that code
    changes; each one carries what it needs."""
    importing = []
    for path in sorted(migrations_directory().rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            importing += [f"{path.name}: {module}" for module in modules
                          if module == "reuse" or module.startswith("reuse.")]
    assert list(migrations_directory().glob("versions/*.py"))
    assert importing == []


@pytest.fixture
def empty_database(app, tmp_path):
    """Settings for a database with nothing in it, of the kind the suite runs on: a new SQLite
    file, or on PostgreSQL a schema of its own in the test database."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}"}
        return
    schema = "migration_round_trip"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        engine.dispose()


def schema_differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": include_in_schema_comparison})
        return compare_metadata(context, Base.metadata)


def test_every_migration_runs_from_empty_to_head_and_back(app, empty_database, tmp_path):
    from reuse.extensions import db as extension

    fresh = create_app({"TESTING": True, "SECRET_KEY": "test-secret-key",
                        "UPLOAD_DIR": str(tmp_path / "uploads"), **empty_database})
    with fresh.app_context():
        engine = extension.engine
        try:
            upgrade()
            assert schema_differences(engine) == []
            downgrade(revision="base")
            # Nothing left behind that a second upgrade would trip over or keep by mistake.
            inspector = inspect(engine)
            assert inspector.get_table_names() == ["alembic_version"]
            if engine.dialect.name == "postgresql":
                assert inspector.get_sequence_names() == []
            upgrade()
            assert schema_differences(engine) == []
        finally:
            engine.dispose()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_full_text_and_month_totals_migrations_rebuild_what_the_application_keeps(
        app, db, people, make_item, hand_over):
    """Down past 0007 and 0008 (the lexemes and the month totals go) and up again: the frozen
    copies in those migrations compute the same lexemes and totals the application keeps."""
    stools = make_item(people.member, title="Kontorstoler HÅG",
                       location_building="Bøker på hylla")
    make_item(people.member, title="Hev-senk-skrivebord 160 cm")
    first = hand_over(people.admin, people.unit_admin, quantity=3,
                      new_price_nok=Decimal("1234.56"), costs_nok=Decimal("0.01"),
                      when=utc(2025, 3, 14, 10))
    # 22:30 UTC on 31 March is 1 April in Oslo: the record counts in April.
    hand_over(people.admin, people.unit_admin, new_price_nok=Decimal("0.10"),
              when=utc(2025, 3, 31, 22, 30))
    hand_over(people.admin, people.outsider, category="besoksstol", when=utc(2025, 6, 1))
    ledger.reverse(people.admin, first, "Feil antall").recorded_at = utc(2025, 5, 2, 8)
    db.session.commit()

    def lexemes():
        return {row.id: (row.search_lexemes, row.location_lexemes)
                for row in db.session.execute(select(Item.id, Item.search_lexemes,
                                                     Item.location_lexemes))}

    def month_totals():
        # Records are written today and moved to their day: today's month keeps zero rows.
        return {(row.month, row.dimension, row.node_id):
                (row.quantity, row.avoided_cost_ore, row.avoided_co2e_g, row.avoided_waste_g,
                 row.records)
                for row in db.session.scalars(select(MonthTotal))
                if (row.quantity, row.avoided_cost_ore, row.avoided_co2e_g,
                    row.avoided_waste_g) != (0, 0, 0, 0)}

    kept_lexemes, kept_totals = lexemes(), month_totals()
    stools_id, receiver = stools.id, people.unit_admin.unit_id
    db.session.remove()
    downgrade(revision=revision_before("fulltext_search"))
    try:
        assert "search_lexemes" not in {c["name"] for c in inspect(db.engine).get_columns("item")}
        assert "month_total" not in inspect(db.engine).get_table_names()
    finally:
        upgrade()

    assert lexemes() == kept_lexemes
    assert kept_lexemes[stools_id][0].startswith(
        "^kontorstoler kontorstoler ontorstoler ntorstoler torstoler orstoler rstoler stoler "
        "toler oler ler ^kontorstol kontorstol ontorstol ntorstol torstol orstol rstol stol tol "
        "^håg håg ")
    assert month_totals() == kept_totals
    assert kept_totals[(date(2025, 3, 1), "receiver", receiver)] == (
        3, 370_367, 216_000, 52_500, 1)
    assert kept_totals[(date(2025, 4, 1), "receiver", receiver)] == (1, 10, 72_000, 17_500, 1)
    assert kept_totals[(date(2025, 5, 1), "receiver", receiver)] == (
        -3, -370_367, -216_000, -52_500, 1)
    assert len(kept_totals) == 4 * 3  # March, April, May (the reversal), June


def test_migrations_that_rebuild_tables_keep_the_rows_that_refer_to_them(app, db, people,
                                                                         make_item):
    """SQLite rebuilds a table to change a constraint (0019 changes reuse_check's): dropping
    the old table must neither fail on the claims that refer to it nor cascade into the
    matches. Down past 0019 and up again with a linked claim and stored matches."""
    from reuse.models import Claim, ReuseCheck, ReuseCheckMatch
    from reuse.services import checks

    chairs = make_item(people.member, title="Kontorstoler", quantity=4)
    make_item(people.member, title="Kontorstol med armlener")
    check = checks.create_check(people.outsider, "kontorstol")
    checks.claim_match(people.outsider, check, chairs, 1)
    db.session.commit()
    check_id = check.id

    def kept():
        return (db.session.scalar(select(func.count()).select_from(ReuseCheckMatch)),
                db.session.scalar(select(Claim.reuse_check_id)),
                db.session.get(ReuseCheck, check_id).outcome)

    before = kept()
    assert before[0] >= 2 and before[1] == check_id and before[2] == "claimed"
    db.session.remove()
    downgrade(revision=revision_before("check_outcomes"))
    upgrade()
    db.session.remove()
    assert kept() == before
    # The application's connections check references again after the migration.
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_the_photo_order_migration_numbers_photos_in_the_order_they_were_shown(
        app, db, people, make_item):
    """Removing photos used to leave gaps and, after a later upload, two photos at one
    position; 0016 numbers each item's photos 0, 1, 2 … in the order they were shown
    (position, then id), so the cover stays the cover."""
    from reuse.models import Photo
    from reuse.services import photos
    from tests.conftest import jpeg_bytes

    shelf = make_item(people.member)
    added = photos.add_photos(people.member, shelf, [
        photos.Upload(io.BytesIO(jpeg_bytes()), f"{n}.jpg") for n in range(4)])
    db.session.commit()
    ids, shelf_id = [photo.id for photo in added], shelf.id
    # As the old code could leave them: gaps, and two at one position.
    old_positions = {ids[0]: 4, ids[1]: 2, ids[2]: 7, ids[3]: 2}
    for photo_id, position in old_positions.items():
        db.session.execute(text("UPDATE photo SET position = :p WHERE id = :i"),
                           {"p": position, "i": photo_id})
    db.session.commit()
    shown = sorted(ids, key=lambda i: (old_positions[i], i))
    db.session.remove()
    downgrade(revision=revision_before("photo_order"))
    upgrade()
    after = dict(db.session.execute(select(Photo.id, Photo.position)
                                    .where(Photo.item_id == shelf_id)).all())
    assert [after[photo_id] for photo_id in shown] == [0, 1, 2, 3]


def test_the_unit_placement_migration_places_every_unit_under_its_parent_from_the_start(
        app, db, people):
    """Down before it (the table goes) and up again: one open placement per unit, under its
    current parent, from 1970."""
    from reuse.models import Unit, UnitPlacement

    expected = dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())
    db.session.commit()
    db.session.remove()
    downgrade(revision=revision_before("unit_placement"))
    try:
        assert "unit_placement" not in inspect(db.engine).get_table_names()
    finally:
        upgrade()
    rows = db.session.execute(select(UnitPlacement.unit_id, UnitPlacement.parent_id,
                                     UnitPlacement.valid_from, UnitPlacement.valid_to)).all()
    assert {row.unit_id: row.parent_id for row in rows} == expected
    assert len(rows) == len(expected)
    assert {(row.valid_from, row.valid_to) for row in rows} == {(utc(1970, 1, 1), None)}


def test_the_cascade_migration_keeps_people_and_claims_and_starts_items_at_their_stage(
        app, db, people, make_item):
    """Down before 0025 and up again with claims, people and items: SQLite builds
    user_account and claim anew, and every row (and every reference to it) survives; items
    start internal until their period ends, and one stage on after it."""
    from reuse.models import Claim, Partner, User
    from reuse.services import claims

    current = make_item(people.member, title="Reol", quantity=2,
                        internal_until=date.today() + timedelta(days=5))
    past = make_item(people.member, title="Tavle")
    past.internal_until = date.today() - timedelta(days=3)
    claims.claim_item(people.outsider, current, 1)
    db.session.commit()
    current_id, past_id, school_id = current.id, past.id, people.school.id

    def kept():
        return (sorted(db.session.execute(select(User.id, User.email, User.unit_id,
                                                 User.role, User.open_claims)).all()),
                sorted(db.session.execute(select(Claim.id, Claim.unit_id, Claim.item_id,
                                                 Claim.status)).all()))

    before = kept()
    db.session.remove()
    downgrade(revision=revision_before("cascade"))
    upgrade()
    db.session.remove()
    assert kept() == before
    stages = dict(db.session.execute(select(Item.id, Item.stage)).all())
    assert stages[current_id] == "internal" and stages[past_id] == "public_bodies"
    # Never offered outside before: a whole public-bodies stage from the migration on.
    assert db.session.get(Item, past_id).stage_ends_on == date.today() + timedelta(days=14)
    assert db.session.get(Item, current_id).stage_ends_on == date.today() + timedelta(days=5)
    # The rebuilt tables hold their new rules: a partner's person has an organisation and no
    # unit, and a claim is a unit's or a partner's.
    partner = Partner(name="Askøy kommune", org_number="964338531", kind="public_body")
    db.session.add(partner)
    db.session.flush()
    for wrong in (dict(unit_id=school_id, partner_id=partner.id),
                  dict(unit_id=None, partner_id=None)):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(User(email="p@askoy.example", name="P", role="partner",
                                **wrong))
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(text("UPDATE claim SET partner_id = :partner"),
                           {"partner": partner.id})
    db.session.rollback()
    if db.engine.dialect.name == "sqlite":
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
