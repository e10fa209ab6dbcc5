"""The organisation from its register: a CSV of units by code, read, planned and applied.

parse() reads the file, plan() compares it with the units there are (pure: no database),
apply() carries the plan out in the caller's transaction. Every refusal is one line that
names the offending code and the file's line, and nothing is changed.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Unit, User
from reuse.models.base import utcnow
from reuse.services import audit, characters
from reuse.services import units as units_service
from reuse.services.errors import InvalidInput
from reuse.services.units import MAX_CODE, MAX_NAME

HEADER = ["code", "name", "parent_code"]
LINE = _l("linje %(line)s")  # where in a file a refusal points


class ImportRefused(InvalidInput):
    code = "import_refused"


@dataclass(frozen=True)
class Row:
    line: int
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class Existing:
    """A unit as it is, for planning: plain values, no session."""

    id: int
    code: str | None
    name: str
    parent_id: int | None
    closed: bool


@dataclass
class Plan:
    created: list[Row] = field(default_factory=list)
    renamed: list[tuple[Existing, str]] = field(default_factory=list)
    moved: list[tuple[Existing, str | None]] = field(default_factory=list)  # new parent code
    closed: list[Existing] = field(default_factory=list)
    reopened: list[Existing] = field(default_factory=list)
    unchanged: int = 0
    # The parent's name for a plan line (by code), filled by plan().
    names: dict[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.created or self.renamed or self.moved or self.closed or self.reopened)

    def lines(self) -> list[str]:
        """One readable line per change."""
        def parent(code: str | None) -> str:
            return (_("øverst") if code is None
                    else _("under %(code)s %(name)s", code=code, name=self.names.get(code, "")))
        out = [_("opprettes: %(code)s %(name)s, %(parent)s", code=row.code, name=row.name,
                 parent=parent(row.parent_code)) for row in self.created]
        out += [_("gis nytt navn: %(code)s %(old)s → %(new)s", code=unit.code, old=unit.name,
                  new=name) for unit, name in self.renamed]
        out += [_("flyttes: %(code)s %(name)s, %(parent)s", code=unit.code, name=unit.name,
                  parent=parent(code)) for unit, code in self.moved]
        out += [_("gjenåpnes: %(code)s %(name)s", code=unit.code, name=unit.name)
                for unit in self.reopened]
        out += [_("legges ned: %(code)s %(name)s", code=unit.code, name=unit.name)
                for unit in self.closed]
        return out

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "renamed": len(self.renamed),
                "moved": len(self.moved), "closed": len(self.closed),
                "unchanged": self.unchanged}

    def summary(self) -> str:
        """The last line of the command's output (a fixed, English format for scripts)."""
        return ", ".join(f"{key} {value}" for key, value in self.counts().items())


def _refuse(line: int | None, code: str | None, message: str) -> ImportRefused:
    where = str(LINE) % {"line": line} if line is not None else ""
    subject = ", ".join(part for part in (where, code and _("kode %(code)s", code=code)) if part)
    return ImportRefused(f"{subject}: {message}" if subject else message, field="file")


def parse(data: bytes | str) -> list[Row]:
    """The file's rows; ImportRefused for a bad header, bad characters or a duplicate code."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _refuse(None, None, _("Filen er ikke UTF-8.")) from None
    data = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        header = next(reader, None)
        if header is None or [cell.strip().lower() for cell in header] != HEADER:
            raise _refuse(1, None, _("Første linje må være «code,name,parent_code»."))
        rows: list[Row] = []
        seen: dict[str, int] = {}
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(HEADER):
                raise _refuse(line, cells[0].strip() or None,
                              _("Linjen må ha tre felt: code, name, parent_code."))
            code, name, parent_code = (cell.strip() for cell in cells)
            for value, label, limit in ((code, "code", MAX_CODE), (name, "name", MAX_NAME),
                                        (parent_code, "parent_code", MAX_CODE)):
                try:
                    characters.check(value, label, field="file")
                except InvalidInput as error:
                    raise _refuse(line, code or None, error.message) from None
                if len(value) > limit:
                    raise _refuse(line, code or None, _("%(field)s er lengre enn %(limit)s "
                                                        "tegn.", field=label, limit=limit))
            if not code:
                raise _refuse(line, None, _("Koden mangler."))
            if not name:
                raise _refuse(line, code, _("Navnet mangler."))
            if code in seen:
                raise _refuse(line, code, _("Koden står også på linje %(other)s.",
                                            other=seen[code]))
            seen[code] = line
            rows.append(Row(line, code, name, parent_code or None))
    except csv.Error as error:
        raise _refuse(reader.line_num, None, str(error)) from None
    return rows


def plan(rows: list[Row], existing: list[Existing], *, close_missing: bool = False) -> Plan:
    """What importing these rows would change; ImportRefused for an unknown parent, a cycle
    or a name two units would share. Pure: works on plain values only."""
    by_code = {unit.code: unit for unit in existing if unit.code}
    by_id = {unit.id: unit for unit in existing}
    listed = {row.code: row for row in rows}
    result = Plan(names={code: row.name for code, row in listed.items()})
    for unit in existing:
        if unit.code and unit.code not in listed:
            result.names[unit.code] = unit.name

    # Where every unit ends up, keyed by code, or by "#id" for units without one.
    def key(unit: Existing) -> str:
        return unit.code or f"#{unit.id}"

    parent_of: dict[str, str | None] = {}
    closing = {unit.code for unit in existing
               if close_missing and unit.code and unit.code not in listed and not unit.closed}
    for unit in existing:
        if key(unit) not in listed:
            parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
            parent_of[key(unit)] = key(parent) if parent is not None else None
    for row in rows:
        if row.parent_code is not None:
            if row.parent_code == row.code:
                raise _refuse(row.line, row.code, _("Enheten kan ikke ligge under seg selv."))
            known = by_code.get(row.parent_code)
            if row.parent_code not in listed and (
                    known is None or known.closed or row.parent_code in closing):
                raise _refuse(row.line, row.code, _("Ukjent overordnet enhet %(parent)s.",
                                                    parent=row.parent_code))
        parent_of[row.code] = row.parent_code

    for row in rows:  # a cycle: walking up from a row comes back to it
        seen, current = set(), row.code
        while current is not None:
            if current in seen:
                raise _refuse(row.line, row.code, _("Enhetene ligger under hverandre i ring."))
            seen.add(current)
            current = parent_of.get(current)

    # A unit without a code is left as it is; under a unit that closes it would be stranded.
    for unit in existing:
        if not unit.code and not unit.closed and parent_of.get(key(unit)) in closing:
            code = parent_of[key(unit)]
            raise _refuse(None, code, _("Enheten «%(child)s» under den har ingen kode og ville "
                                        "ligge under en nedlagt enhet.", child=unit.name))

    final_names: dict[str, str] = {}
    for unit in existing:
        if key(unit) not in listed:
            final_names[unit.name.casefold()] = key(unit)
    for row in rows:
        holder = final_names.get(row.name.casefold())
        if holder is not None:
            raise _refuse(row.line, row.code, _("Navnet «%(name)s» er også navnet på "
                                                "%(other)s.", name=row.name, other=holder))
        final_names[row.name.casefold()] = row.code

    for row in rows:
        unit = by_code.get(row.code)
        if unit is None:
            result.created.append(row)
            continue
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        current_parent = key(parent) if parent is not None else None
        changed = False
        if unit.name != row.name:
            result.renamed.append((unit, row.name))
            changed = True
        if current_parent != row.parent_code:
            result.moved.append((unit, row.parent_code))
            changed = True
        if unit.closed:
            result.reopened.append(unit)
            changed = True
        if not changed:
            result.unchanged += 1
    result.closed = [by_code[code] for code in sorted(closing)]
    return result


def existing_units() -> list[Existing]:
    """Every unit, in one query."""
    return [Existing(row.id, row.code, row.name, row.parent_id, row.closed_at is not None)
            for row in db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id,
                                                 Unit.closed_at))]


def prepare(data: bytes | str, *, close_missing: bool = False) -> Plan:
    return plan(parse(data), existing_units(), close_missing=close_missing)


def apply(actor: User | None, result: Plan) -> None:
    """Carry a plan out (flushes; the caller commits), auditing every change."""
    if not result.changes:
        return
    units = {unit.id: unit for unit in db.session.scalars(select(Unit))}
    by_code = {unit.code: unit for unit in units.values() if unit.code}
    now: datetime = utcnow()
    events: list[tuple[str, Unit, dict]] = []

    # Names first, through temporary ones when two units swap or pass a name on: the
    # unique index is checked row by row.
    taken = {unit.name for unit in units.values()}
    renames = [(units[unit.id], name) for unit, name in result.renamed]
    if any(name in taken for _unit, name in renames):
        for unit, _name in renames:
            unit.name = f"~{unit.id}~{unit.name}"[:MAX_NAME]
        db.session.flush()
    for (unit, name), (before, _new) in zip(renames, result.renamed, strict=True):
        unit.name = name
        events.append(("unit.renamed", unit, {"old": before.name, "new": name}))

    # New units level by level, parents first: each level is one batched INSERT, its
    # parents' ids already known.
    created, waiting = [], list(result.created)
    while waiting:
        level = [row for row in waiting if row.parent_code is None or row.parent_code in by_code]
        if not level:  # plan() refuses unknown parents and cycles; never loop on them
            raise _refuse(waiting[0].line, waiting[0].code, _("Ukjent overordnet enhet."))
        placed = {row.code for row in level}
        waiting = [row for row in waiting if row.code not in placed]
        for row in level:
            parent = by_code[row.parent_code] if row.parent_code else None
            unit = Unit(code=row.code, name=row.name, parent=parent)
            created.append((row, unit))
        db.session.add_all([unit for row, unit in created[-len(level):]])
        db.session.flush()
        for row, unit in created[-len(level):]:
            by_code[row.code] = unit
    # Every new unit's first placement and every moved unit's new one, in one batch.
    units_service.place([(unit, by_code[row.parent_code] if row.parent_code else None)
                         for row, unit in created] +
                        [(units[before.id], by_code[parent_code] if parent_code else None)
                         for before, parent_code in result.moved])
    for before in result.reopened:
        units[before.id].closed_at = None
    for before in result.closed:
        units[before.id].closed_at = now
    db.session.flush()

    for _row, unit in created:
        events.append(("unit.created", unit, {"name": unit.name, "code": unit.code,
                                              "parent_id": unit.parent_id, "source": "import"}))
    for before, _code in result.moved:
        unit = units[before.id]
        events.append(("unit.moved", unit, {"old_parent_id": before.parent_id,
                                            "new_parent_id": unit.parent_id}))
    events += [("unit.reopened", units[before.id], {}) for before in result.reopened]
    events += [("unit.closed", units[before.id], {}) for before in result.closed]
    for action, unit, details in events:
        audit.record(actor, action, unit, via="import-units", **details)
    db.session.flush()
