"""The organisation tree."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, case, false, func, literal, or_, select, update
from sqlalchemy.orm import joinedload

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Claim, Item, Unit, UnitPlacement, User
from reuse.models.base import utcnow
from reuse.models.claims import OPEN_CLAIM_STATUSES
from reuse.services import audit, characters
from reuse.services.errors import Conflict, InvalidInput, NotFound
from reuse.services.trees import depth_first, plain_rows, subtree_ids

LABEL = _l("Enhet")
CLOSED_SUFFIX = _l("(nedlagt)")
NAME_MISSING = _l("Enheten må ha et navn.")
CODE = _l("Ansvarsnummer")
# The columns' sizes: a longer name or code is refused here, not by the database.
MAX_NAME = Unit.__table__.c.name.type.length
MAX_CODE = Unit.__table__.c.code.type.length
# Where a unit's first placement begins: nothing older is known, and a record dated before its
# unit was registered (imported history) still has a place in the tree.
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def find_by_name(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == name.strip()))


def get_by_name(name: str) -> Unit:
    unit = find_by_name(name)
    if unit is None:
        raise NotFound(_("Fant ingen enhet med navnet «%(name)s».", name=name), field="unit")
    return unit


def name_taken(name: str) -> str:
    return _("Det finnes allerede en enhet som heter «%(name)s».", name=name)


def name_too_long(limit: int) -> str:
    """The refusal of a name (a unit's, a person's, a partner organisation's) longer than its
    column."""
    return _("Navnet kan ha høyst %(limit)s tegn.", limit=limit)


def _checked_name(name: str, *, other_than: Unit | None = None) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput(str(NAME_MISSING), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(name_too_long(MAX_NAME), field="name")
    characters.check(name, _("Navn"), field="name")
    holder = find_by_name(name)
    if holder is not None and holder is not other_than:
        raise InvalidInput(name_taken(name), field="name")
    return name


def require_open(unit: Unit, *, field: str = "unit") -> None:
    """Refuse to place anyone or anything new in a closed unit."""
    if unit.closed_at is not None:
        raise Conflict(_("Enheten «%(name)s» er nedlagt: ingen nye personer, annonser eller "
                         "underenheter kan legges til den.", name=unit.name),
                       field=field, code="unit_closed")


def create_unit(*, name: str, parent: Unit | None = None, code: str | None = None,
                actor: User | None = None) -> Unit:
    code = (code or "").strip() or None
    name = _checked_name(name)
    characters.check(code, str(CODE), field="code")
    if code and len(code) > MAX_CODE:
        raise InvalidInput(_("Ansvarsnummeret kan ha høyst %(limit)s tegn.", limit=MAX_CODE),
                           field="code")
    if code and db.session.scalar(select(Unit).where(Unit.code == code)):
        raise InvalidInput(_("Ansvarsnummer %(code)s er allerede brukt.", code=code),
                           field="code")
    if parent is not None:
        require_open(parent, field="parent")
    unit = Unit(name=name, parent=parent, code=code)
    db.session.add(unit)
    db.session.flush()
    place([(unit, parent)])
    audit.record(actor, "unit.created", unit, name=name, code=code,
                 parent_id=parent.id if parent is not None else None)
    return unit


def rename_unit(actor: User | None, unit: Unit, name: str) -> None:
    old = unit.name
    name = _checked_name(name, other_than=unit)
    if name == old:
        return
    unit.name = name
    db.session.flush()
    audit.record(actor, "unit.renamed", unit, old=old, new=name)


def would_cycle(parent_of: dict[int, int | None], unit_id: int, parent_id: int | None) -> bool:
    """Whether placing unit_id under parent_id puts it under itself."""
    return parent_id is not None and unit_id in ancestors(parent_of, parent_id)


def move_unit(actor: User | None, unit: Unit, parent: Unit | None) -> None:
    """Place the unit (and everything under it) under another parent, or at the top."""
    new_parent_id = parent.id if parent is not None else None
    if new_parent_id == unit.parent_id:
        return
    if would_cycle(parents(), unit.id, new_parent_id):
        raise InvalidInput(_("«%(name)s» kan ikke legges under seg selv eller en av sine "
                             "underenheter.", name=unit.name), field="parent")
    if parent is not None:
        require_open(parent, field="parent")
    old = unit.parent_id
    place([(unit, parent)])
    audit.record(actor, "unit.moved", unit, old_parent_id=old, new_parent_id=new_parent_id)


def place(changes: Iterable[tuple[Unit, Unit | None]]) -> None:
    """Put each (flushed) unit under its new parent (None: at the top) and write where it
    stands in the placement history: the one place a unit's parent is set, for new units and
    moved ones alike (create_unit, move_unit and the import all come here).

    A unit's open placement is closed now and a new one opened from now; a unit without one
    (a new unit) gets its first, from BEGINNING. Flushes; the caller's transaction commits."""
    changes = list(changes)
    if not changes:
        return
    now = utcnow()
    ids = [unit.id for unit, _parent in changes]
    placed = set(db.session.scalars(select(UnitPlacement.unit_id).where(
        UnitPlacement.unit_id.in_(ids), UnitPlacement.valid_to.is_(None))))
    for unit, parent in changes:
        unit.parent = parent
    db.session.flush()
    if placed:
        db.session.execute(update(UnitPlacement).where(
            UnitPlacement.unit_id.in_(placed), UnitPlacement.valid_to.is_(None))
            .values(valid_to=now).execution_options(synchronize_session=False))
    db.session.add_all([UnitPlacement(unit_id=unit.id, parent_id=unit.parent_id,
                                      valid_from=now if unit.id in placed else BEGINNING)
                        for unit, _parent in changes])
    db.session.flush()


def placed_at(moment: datetime) -> list:
    """The conditions for the placements in force at `moment` (exactly one per unit)."""
    return [UnitPlacement.valid_from <= moment,
            or_(UnitPlacement.valid_to.is_(None), UnitPlacement.valid_to > moment)]


def subtree_ids_at(root_id: int, moment: datetime | None, name: str | None = None):
    """A selectable of root_id and the id of every unit under it: in today's tree (moment
    None) or in the tree as it stood at `moment` (a recursive CTE; one query).

    The one definition of "a unit and everything under it" that every report figure, list,
    export and the API share, so a report's pages can never disagree with each other."""
    if moment is None:
        return subtree_ids(Unit, root_id, name)
    tree = select(Unit.id).where(Unit.id == root_id).cte(
        name=name or "subtree_unit_at", recursive=True)
    tree = tree.union_all(select(UnitPlacement.unit_id).where(
        UnitPlacement.parent_id == tree.c.id, *placed_at(moment)))
    return select(tree.c.id)


def subtree_id_list_at(root_id: int, moment: datetime | None) -> list[int]:
    return list(db.session.scalars(subtree_ids_at(root_id, moment)))


def nodes_at(moment: datetime | None) -> list:
    """(id, parent_id, name, closed) of every unit by name, each under its parent today
    (moment None) or at `moment`; closed: closed by then. Plain rows, for the report's unit
    tables (a thousand units or more)."""
    if moment is None:
        return plain_rows(db.session.execute(
            select(Unit.id, Unit.parent_id, Unit.name, Unit.closed_at.is_not(None).label(
                "closed")).order_by(Unit.name)))
    closed = and_(Unit.closed_at.is_not(None), Unit.closed_at <= moment)
    return plain_rows(db.session.execute(
        select(Unit.id, UnitPlacement.parent_id, Unit.name,
               case((closed, True), else_=False).label("closed"))
        .join(UnitPlacement, and_(UnitPlacement.unit_id == Unit.id, *placed_at(moment)))
        .order_by(Unit.name)))


def close_unit(actor: User | None, unit: Unit) -> None:
    """Close a unit: it stays, with its history; nobody and nothing new is placed in it.
    Its open sub-units must be moved or closed first."""
    if unit.closed_at is not None:
        return
    open_children = db.session.scalar(select(func.count()).select_from(Unit).where(
        Unit.parent_id == unit.id, Unit.closed_at.is_(None)))
    if open_children:
        raise Conflict(_("«%(name)s» har enheter under seg som ikke er nedlagt. Flytt eller "
                         "legg ned dem først.", name=unit.name), code="open_sub_units")
    unit.closed_at = utcnow()
    db.session.flush()
    audit.record(actor, "unit.closed", unit)


def reopen_unit(actor: User | None, unit: Unit) -> None:
    if unit.closed_at is None:
        return
    if unit.parent is not None and unit.parent.closed_at is not None:
        raise Conflict(_("Enheten over, «%(name)s», er nedlagt. Gjenåpne den eller flytt "
                         "enheten først.", name=unit.parent.name), code="unit_closed")
    unit.closed_at = None
    db.session.flush()
    audit.record(actor, "unit.reopened", unit)


def open_items(unit: Unit) -> list[Item]:
    """The unit's listings that are not withdrawn and not wholly handed over."""
    return list(db.session.scalars(select(Item).where(
        Item.unit_id == unit.id, Item.withdrawn_at.is_(None),
        Item.quantity_handed_over < Item.quantity).order_by(Item.id)))


def open_claims(unit: Unit) -> list[Claim]:
    """Pending and approved claims on the unit's items or made for the unit."""
    return list(db.session.scalars(select(Claim).where(
        Claim.status.in_([status.value for status in OPEN_CLAIM_STATUSES]),
        or_(Claim.unit_id == unit.id,
            Claim.item_id.in_(select(Item.id).where(Item.unit_id == unit.id))))
        # The pages list each claim with its item, claimant and unit: loaded with it.
        .options(joinedload(Claim.item), joinedload(Claim.claimant), joinedload(Claim.unit))
        .order_by(Claim.id)))


def people_in(unit: Unit) -> list[User]:
    return list(db.session.scalars(select(User).where(User.unit_id == unit.id)
                                   .order_by(User.name)))


def move_open_items(actor: User | None, unit: Unit, target: Unit) -> int:
    """Hand the unit's open listings (with their claims) to another, open unit."""
    if target.id == unit.id:
        raise InvalidInput(_("Velg en annen enhet."), field="target")
    require_open(target, field="target")
    moved = open_items(unit)
    if not moved:
        return 0
    for item in moved:
        item.unit_id = target.id
        audit.record(actor, "item.unit_changed", item, old_unit_id=unit.id,
                     new_unit_id=target.id)
    db.session.flush()
    return len(moved)


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def tree_rows(*, include_closed: bool = False) -> list[tuple]:
    """(row, depth) in tree order of (id, parent_id, name, code, closed_at) rows. Without
    closed units, a closed unit's subtree is left out with it."""
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.name, Unit.code,
                                     Unit.closed_at).order_by(Unit.name)).all()
    ordered = depth_first(rows)
    if include_closed:
        return ordered
    shown, hidden_depth = [], None
    for row, depth in ordered:
        if hidden_depth is not None and depth > hidden_depth:
            continue
        hidden_depth = None
        if row.closed_at is not None:
            hidden_depth = depth
            continue
        shown.append((row, depth))
    return shown


def label(name: str, closed: bool) -> str:
    return f"{name} {CLOSED_SUFFIX}" if closed else name


def tree_options(*, include_closed: bool = False) -> list[tuple[int, str, int]]:
    """(id, name, depth) in tree order, for indented select lists: open units only, unless
    asked (reports of past periods), then closed ones say so."""
    return [(row.id, label(row.name, row.closed_at is not None), depth)
            for row, depth in tree_rows(include_closed=include_closed)]


def filter_options(*focus: int | None, include_closed: bool = False
                   ) -> list[tuple[int, str, int]]:
    """tree_options pruned for a filter: the top two levels, and the units around each
    focus unit (the one chosen, the viewer's own): every unit above it with the units beside
    them, and the units under it. A municipality's thousand units would otherwise be a
    60 KB list on every catalogue page; choosing a unit opens the level under it.

    Only the rows shown are read, in one statement: the open units under the top level or
    under a unit of the focus units' chains (a recursive part of a few rows by primary key).
    With include_closed (reports of past periods) closed units are offered too, saying so."""
    focus_ids = [unit for unit in focus if unit is not None]
    tops = select(Unit.id).where(Unit.parent_id.is_(None)).scalar_subquery()
    query = select(Unit.id, Unit.parent_id, Unit.name, Unit.closed_at).where(
        or_(Unit.parent_id.is_(None), Unit.parent_id.in_(tops),
            Unit.parent_id.in_(select(_chains(focus_ids).c.id)) if focus_ids else false()))
    if not include_closed:
        query = query.where(Unit.closed_at.is_(None))
    rows = db.session.execute(query.order_by(Unit.name)).all()
    return [(row.id, label(row.name, row.closed_at is not None), depth)
            for row, depth in depth_first(rows)]


def _chains(unit_ids: list[int]):
    """The units and every unit above them: a recursive common table expression (id)."""
    chain = select(Unit.id, Unit.parent_id).where(Unit.id.in_(unit_ids)).cte(
        "chain", recursive=True)
    return chain.union(select(Unit.id, Unit.parent_id).join(chain, Unit.id == chain.c.parent_id))


def ancestors(parent_of: dict[int, int | None], unit_id: int) -> list[int]:
    """The unit, its parent, and so on up to the top of the tree."""
    chain = []
    current: int | None = unit_id
    while current is not None and current in parent_of:
        chain.append(current)
        current = parent_of[current]
    return chain


def parents() -> dict[int, int | None]:
    """Every unit's parent (None at the top), by unit id."""
    return dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())


def nearness(own_chain: list[int], other_chain: list[int]) -> float:
    """How near another unit is in the organisation, from ancestors(): 4 for the unit itself
    and those under it, 3 for a sibling unit (same etat), less the further up the tree they
    first meet, 0 for units that meet only far up or not at all."""
    shared = set(own_chain) & set(other_chain)
    if not shared:
        return 0.0
    steps_up = min(own_chain.index(unit_id) for unit_id in shared)
    return max(0.0, 4.0 - steps_up)


def nearness_to(unit_id: int, unit_column) -> ColumnElement[float]:
    """nearness() of the unit in unit_column to unit_id, as SQL, for sorting by it."""
    own_chain = ancestors(parents(), unit_id)
    whens = []
    for steps_up, ancestor in enumerate(own_chain):
        # The units under this ancestor but not under a nearer one first meet unit_id's chain
        # here: their own chains end with own_chain[steps_up:], and nearness() scores them.
        score = nearness(own_chain, own_chain[steps_up:])
        if score <= 0:
            break
        whens.append((unit_column.in_(subtree_ids(Unit, ancestor, name=f"near_{steps_up}")),
                      literal(score)))
    return case(*whens, else_=literal(0.0)) if whens else literal(0.0)
