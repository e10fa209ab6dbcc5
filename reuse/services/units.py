"""The organisation tree."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reuse.extensions import db
from reuse.models import Unit
from reuse.services import characters
from reuse.services.errors import InvalidInput, NotFound
from reuse.services.trees import depth_first, nodes

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
