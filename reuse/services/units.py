"""The organisation tree."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, literal, select

from reuse.extensions import db
from reuse.models import Unit
from reuse.services import characters
from reuse.services.errors import InvalidInput, NotFound
from reuse.services.trees import depth_first, nodes, subtree_ids

LABEL = _l("Enhet")


def find_by_name(name: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.name == name.strip()))


def get_by_name(name: str) -> Unit:
    unit = find_by_name(name)
    if unit is None:
        raise NotFound(_("Fant ingen enhet med navnet «%(name)s».", name=name), field="unit")
    return unit


def create_unit(*, name: str, parent: Unit | None = None, code: str | None = None) -> Unit:
    name = name.strip()
    code = (code or "").strip() or None
    if not name:
        raise InvalidInput(_("Enheten må ha et navn."), field="name")
    characters.check(name, _("Navn"), field="name")
    characters.check(code, _("Ansvarsnummer"), field="code")
    if find_by_name(name):
        raise InvalidInput(_("Det finnes allerede en enhet som heter «%(name)s».", name=name),
                           field="name")
    if code and db.session.scalar(select(Unit).where(Unit.code == code)):
        raise InvalidInput(_("Ansvarsnummer %(code)s er allerede brukt.", code=code),
                           field="code")
    unit = Unit(name=name, parent=parent, code=code)
    db.session.add(unit)
    db.session.flush()
    return unit


def all_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.name)))


def tree_options() -> list[tuple[int, str, int]]:
    """(id, name, depth) in tree order, for indented select lists."""
    return [(unit.id, unit.name, depth) for unit, depth in depth_first(nodes(Unit, "name"))]


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
