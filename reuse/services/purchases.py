"""Purchase lines in: read a CSV or XLSX file (or an integration's batch), check every line,
plan what would be created, updated, left unchanged or refused, and write the plan.

The format is ../shared/API.md "Purchases": a header row naming the ten fields (any order),
comma or semicolon separated, UTF-8 with or without a byte-order mark, decimal comma or
point, dates 2026-03-01 or 01.03.2026. A line is identified by (source, line_id): the same
line again changes nothing; a changed line is updated and audited with what changed. A bad
line is refused with its line number and the reason; the good ones still go in, unless the
caller asks for all or nothing.

prepare() reads and plans without writing (the browser's preview shows it); apply() writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, PurchaseLine, Unit, User
from reuse.models.base import utcnow
from reuse.models.purchases import (
    MAX_DESCRIPTION,
    MAX_LINE_ID,
    MAX_ORDER_NUMBER,
    MAX_PURCHASE_AMOUNT,
    MAX_PURCHASE_QUANTITY,
    MAX_SOURCE,
    MAX_SUPPLIER,
    MAX_UNIT_CODE,
    MAX_UNSPSC,
)
from reuse.services import audit, characters, purchase_history
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import can_manage_purchases
from reuse.services.purchase_rules import Rules
from reuse.services.unit_import import LINE

FIELDS = ("line_id", "order_number", "ordered_on", "unit_code", "supplier", "description",
          "unspsc", "category", "quantity", "amount_nok")
REQUIRED = ("line_id", "ordered_on", "unit_code", "quantity", "amount_nok")
# The columns an update compares and writes (the line's own facts, not what is derived).
FACTS = ("order_number", "ordered_on", "unit_id", "supplier", "description", "unspsc",
         "file_category_id", "quantity", "amount_nok")
MAX_BATCH = 5000  # lines in one API request
CHUNK = 1000  # lines per INSERT, UPDATE or lookup
ANALYZE_AFTER = 10_000  # new lines after which PostgreSQL's statistics are refreshed
MAX_EXPONENT = 15  # a number's power of ten, either way (amounts are below 10^12)
EMPTY_FILE = _l("Filen er tom.")
UNREADABLE_SHEET = _l("Regnearket kan ikke leses. Lagre det som .xlsx og prøv igjen.")
SOURCE_LABEL = _l("Kilde")
NO_SOURCE = _l("Oppgi kilden, for eksempel navnet på innkjøpssystemet.")
UNKNOWN_FIELDS = _l("ukjent %(names)s")
EARLIEST_ORDER = date(2000, 1, 1)
LATEST_ORDER = date(2100, 12, 31)


class FileRefused(InvalidInput):
    """The file as a whole cannot be read (not a line of it)."""

    code = "import_refused"


@dataclass(frozen=True)
class Refusal:
    line: int  # the file's line (the header is line 1), or the batch's position from 1
    line_id: str
    message: str

    def text(self) -> str:
        where = str(LINE) % {"line": self.line}
        if self.line_id:
            where += f" ({self.line_id})"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Line:
    """A line that passed every check, with its unit and file category resolved."""

    line: int
    line_id: str
    order_number: str
    ordered_on: date
    unit_id: int
    unit_code: str
    supplier: str
    description: str
    unspsc: str
    file_category_id: int | None
    quantity: Decimal
    amount_nok: Decimal

    def facts(self) -> dict:
        return {name: getattr(self, name) for name in FACTS}


@dataclass
class Plan:
    source: str
    created: list[Line] = field(default_factory=list)
    updated: list[tuple[int, Line, dict[str, tuple]]] = field(default_factory=list)
    unchanged: int = 0
    refused: list[Refusal] = field(default_factory=list)
    # False when all or nothing was asked and a line was refused: nothing was created or
    # updated, whatever the plan says would have been.
    written: bool = True

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created) if self.written else 0,
                "updated": len(self.updated) if self.written else 0,
                "unchanged": self.unchanged, "refused": len(self.refused)}

    def summary(self) -> str:
        """The command's last line (a fixed, English format for scripts; API.md)."""
        return ", ".join(f"{key} {value}" for key, value in self.counts().items())

    @property
    def changes(self) -> bool:
        return bool(self.created or self.updated)


def _require(user: User | None) -> None:
    if user is not None and not can_manage_purchases(user):
        raise PermissionDenied(_("Bare bærekraftsansvarlig og administratorer kan importere "
                                 "innkjøp."))


def checked_source(source: str) -> str:
    source = (source or "").strip()
    characters.check(source, str(SOURCE_LABEL), field="source")
    if not source:
        raise InvalidInput(str(NO_SOURCE), field="source")
    if len(source) > MAX_SOURCE:
        raise InvalidInput(_("Kilden kan være høyst %(limit)s tegn.", limit=MAX_SOURCE),
                           field="source")
    return source


# -- reading a file -------------------------------------------------------------------------

def _header(cells: Iterable) -> list[str]:
    names = [str(cell or "").strip().lower().removeprefix("\ufeff") for cell in cells]
    missing = [name for name in FIELDS if name not in names]
    unknown = [name for name in names if name and name not in FIELDS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("mangler %(names)s", names=", ".join(missing)))
        if unknown:
            parts.append(str(UNKNOWN_FIELDS) % {"names": ", ".join(unknown)})
        raise FileRefused(_("Første linje må navngi feltene %(fields)s (%(problem)s).",
                            fields=",".join(FIELDS), problem="; ".join(parts)), field="file")
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if duplicated:
        raise FileRefused(_("Feltet %(name)s står to ganger i første linje.",
                            name=duplicated[0]), field="file")
    return names


def _csv_rows(data: bytes) -> Iterator[tuple[int, dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(_("Filen er ikke UTF-8. Lagre den som «CSV UTF-8» og prøv igjen."),
                          field="file") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise FileRefused(str(EMPTY_FILE), field="file")
        names = _header(header)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            yield reader.line_num, {"__cells": len(cells), "__expected": len(names),
                                    **dict(zip(names, cells, strict=False))}
    except csv.Error as error:
        raise FileRefused(_("Linje %(line)s kan ikke leses: %(error)s", line=reader.line_num,
                            error=str(error)), field="file") from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, dict]]:
    from openpyxl import load_workbook

    # A damaged workbook fails in openpyxl in many ways (a bad zip, bad XML, a missing part,
    # a chart where a sheet should be), when it is opened and also while its sheet is read:
    # whatever it raises, the file is refused as a whole, never a server error.
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (see above)
        raise FileRefused(str(UNREADABLE_SHEET), field="file") from None
    try:
        sheet = book.worksheets[0]
        # A read-only sheet trusts the size the file declares; programs that write XLSX
        # declare it wrong, and the columns beyond it would be lost. Measure it instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise FileRefused(str(EMPTY_FILE), field="file")
        names = _header(header)
        for number, cells in enumerate(rows, start=2):
            if not any(cell not in (None, "") and str(cell).strip() for cell in cells):
                continue
            yield number, dict(zip(names, cells, strict=False))
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 (see above)
        raise FileRefused(str(UNREADABLE_SHEET), field="file") from None
    finally:
        book.close()


def read(data: bytes, filename: str = "") -> Iterator[tuple[int, dict]]:
    """(line number, raw fields) of every non-empty line; FileRefused for an unreadable file."""
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _xlsx_rows(data)
    return _csv_rows(data)


# -- checking a line ------------------------------------------------------------------------

def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a spreadsheet's number 4711 for a line id, not "4711.0"
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return str(raw).strip()


def _scalar_text(raw) -> str:
    return "" if isinstance(raw, dict | list) else _text(raw)


def _number(raw) -> Decimal:
    """A number written with decimal comma or point (and perhaps thousands separators)."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        # A spreadsheet keeps 89.85 as 89.850000000000009: its 15 significant digits are
        # what the cell shows.
        return _bounded(Decimal(format(raw, ".15g")), raw)
    if isinstance(raw, Decimal):
        return _bounded(raw, raw)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if "," in text and "." in text:  # the last one is the decimal mark
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not text or len(text) > 30 or text.count(".") > 1:
        raise ValueError(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    return _bounded(value, raw)


def _bounded(value: Decimal, raw) -> Decimal:
    # "1e1000000" is a finite number no sum or rounding can handle: nothing bought is that
    # large or that small.
    if not value.is_finite() or (value and not -MAX_EXPONENT <= value.adjusted() <=
                                 MAX_EXPONENT):
        raise ValueError(raw)
    return value


def _written_decimals(raw) -> int:
    """How many digits a written number has after its decimal mark (0 for a number cell)."""
    if not isinstance(raw, str):
        return 0
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace("." if text.rfind(",") > text.rfind(".") else ",", "")
    text = text.replace(",", ".")
    return len(text.rsplit(".", 1)[1]) if "." in text else 0


def parse_date(raw) -> date:
    """A date as the format allows it: 2026-03-01, 01.03.2026 (or a spreadsheet's date)."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if "." in text:
        day, month, year = text.split(".")
        return date(int(year), int(month), int(day))
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return date.fromisoformat(text)


@dataclass
class Lookups:
    units: dict[str, int]  # unit code → id
    categories: dict[str, int]  # slug → id

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            dict(db.session.execute(select(Unit.code, Unit.id)
                                    .where(Unit.code.is_not(None))).all()),
            dict(db.session.execute(select(Category.slug, Category.id)).all()))


def check_line(number: int, raw: dict, lookups: Lookups) -> Line | Refusal:
    """The line checked, or why not (every problem of the line, in one message)."""
    if not isinstance(raw, dict) or raw.get("__unknown"):
        return Refusal(number, _scalar_text(raw.get("line_id")) if isinstance(raw, dict)
                       else "",
                       _("Linjen må være et objekt med feltene %(fields)s (%(problem)s).",
                         fields=", ".join(FIELDS),
                         problem=str(UNKNOWN_FIELDS) % {"names": ", ".join(raw["__unknown"])}
                         if isinstance(raw, dict) else _("ikke et objekt")))
    line_id = _scalar_text(raw.get("line_id"))[:MAX_LINE_ID + 20]
    nested = [name for name in FIELDS if isinstance(raw.get(name), dict | list)]
    if nested:
        return Refusal(number, line_id, _("%(fields)s må være tekst eller tall, ikke en liste "
                                          "eller et objekt.", fields=", ".join(nested)))
    problems: list[str] = []
    if "__cells" in raw and raw["__cells"] != raw["__expected"]:
        return Refusal(number, line_id, _("Linjen har %(found)s felt, ikke %(expected)s.",
                                          found=raw["__cells"], expected=raw["__expected"]))
    values = {name: _text(raw.get(name)) for name in FIELDS}
    for name in REQUIRED:
        if not values[name]:
            problems.append(_("%(field)s mangler", field=name))
    limits = {"line_id": MAX_LINE_ID, "order_number": MAX_ORDER_NUMBER,
              "unit_code": MAX_UNIT_CODE, "supplier": MAX_SUPPLIER,
              "description": MAX_DESCRIPTION, "category": 80}
    for name, limit in limits.items():
        if len(values[name]) > limit:
            problems.append(_("%(field)s er lengre enn %(limit)s tegn", field=name,
                              limit=limit))
        found = characters.first_refused(values[name], multiline=name == "description")
        if found is not None:
            problems.append(characters.message(name, *found).rstrip("."))
        elif not values[name].isascii():
            try:  # a lone surrogate from a JSON escape cannot be stored as UTF-8
                values[name].encode("utf-8")
            except UnicodeEncodeError:
                problems.append(_("%(field)s har et ugyldig tegn", field=name))

    ordered_on = None
    if values["ordered_on"]:
        try:
            ordered_on = parse_date(raw.get("ordered_on"))
        except (ValueError, TypeError):
            problems.append(_("ordered_on «%(value)s» er ikke en dato (2026-03-01 eller "
                              "01.03.2026)", value=values["ordered_on"][:20]))
        else:
            if not EARLIEST_ORDER <= ordered_on <= LATEST_ORDER:
                problems.append(_("ordered_on %(value)s er utenfor årene %(first)s–%(last)s",
                                  value=ordered_on.isoformat(), first=EARLIEST_ORDER.year,
                                  last=LATEST_ORDER.year))
    quantity = amount = None
    if values["quantity"]:
        try:
            quantity = _number(raw.get("quantity"))
        except ValueError:
            problems.append(_("quantity «%(value)s» er ikke et tall",
                              value=values["quantity"][:20]))
        else:
            if not 0 < quantity <= MAX_PURCHASE_QUANTITY or quantity != round(quantity, 3):
                problems.append(_("quantity må være større enn 0 og høyst %(max)s, med høyst "
                                  "tre desimaler", max=MAX_PURCHASE_QUANTITY))
    if values["amount_nok"]:
        try:
            amount = _number(raw.get("amount_nok"))
        except ValueError:
            problems.append(_("amount_nok «%(value)s» er ikke et tall",
                              value=values["amount_nok"][:20]))
        else:
            if _written_decimals(raw.get("amount_nok")) == 3:
                # "12.000" is twelve thousand to a Norwegian, twelve kroner to a parser.
                problems.append(_("amount_nok «%(value)s» kan leses både som kroner med "
                                  "desimaler og med tusenskille; skriv beløpet uten "
                                  "tusenskille", value=values["amount_nok"][:20]))
            elif abs(amount) >= MAX_PURCHASE_AMOUNT or amount != round(amount, 2) or \
                    _written_decimals(raw.get("amount_nok")) > 2:
                problems.append(_("amount_nok må være et kronebeløp med høyst to desimaler"))
    unspsc = values["unspsc"].replace(" ", "").replace("-", "")
    if unspsc and not (unspsc.isascii() and unspsc.isdigit() and len(unspsc) <= MAX_UNSPSC):
        problems.append(_("unspsc «%(value)s» er ikke en UNSPSC-kode (opptil 8 sifre)",
                          value=values["unspsc"][:20]))
    unit_id = lookups.units.get(values["unit_code"])
    if values["unit_code"] and unit_id is None:
        problems.append(_("ukjent enhet %(code)s", code=values["unit_code"][:MAX_UNIT_CODE]))
    file_category_id = None
    if values["category"]:
        file_category_id = lookups.categories.get(values["category"].lower())
        if file_category_id is None:
            problems.append(_("ukjent kategori %(slug)s", slug=values["category"][:80]))
    if problems:
        return Refusal(number, line_id, "; ".join(problems) + ".")
    assert ordered_on is not None and quantity is not None and amount is not None
    assert unit_id is not None
    return Line(number, values["line_id"], values["order_number"], ordered_on, unit_id,
                values["unit_code"], values["supplier"], values["description"], unspsc,
                file_category_id, quantity, amount)


# -- planning and writing -------------------------------------------------------------------

def _same(name: str, old, new) -> bool:
    if name in ("quantity", "amount_nok"):
        return Decimal(old) == Decimal(new)
    return old == new


def plan(source: str, rows: Iterable[tuple[int, dict]], *,
         progress: Callable[[int], None] | None = None) -> Plan:
    """What writing these lines would do: reads the database, writes nothing."""
    source = checked_source(source)
    lookups = Lookups.load()
    result = Plan(source)
    seen: dict[str, int] = {}
    pending: list[Line] = []

    def settle(batch: list[Line]) -> None:
        existing = {row.line_id: row for row in db.session.execute(
            select(PurchaseLine.id, PurchaseLine.line_id,
                   *(getattr(PurchaseLine, name) for name in FACTS))
            .where(PurchaseLine.source == source,
                   PurchaseLine.line_id.in_([line.line_id for line in batch])))}
        for line in batch:
            row = existing.get(line.line_id)
            if row is None:
                result.created.append(line)
                continue
            changes = {name: (getattr(row, name), getattr(line, name)) for name in FACTS
                       if not _same(name, getattr(row, name), getattr(line, name))}
            if changes:
                result.updated.append((row.id, line, changes))
            else:
                result.unchanged += 1
        if progress is not None:
            progress(len(batch))

    for number, raw in rows:
        checked = check_line(number, raw, lookups)
        if isinstance(checked, Refusal):
            result.refused.append(checked)
            if progress is not None:
                progress(1)
            continue
        if checked.line_id in seen:
            result.refused.append(Refusal(number, checked.line_id, _(
                "line_id står også på linje %(other)s.", other=seen[checked.line_id])))
            if progress is not None:
                progress(1)
            continue
        seen[checked.line_id] = number
        pending.append(checked)
        if len(pending) >= CHUNK:
            settle(pending)
            pending = []
    if pending:
        settle(pending)
    return result


def _chunks(values: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def apply(actor: User | None, result: Plan, *, via: str) -> None:
    """Write a plan (flushes; the caller commits): new lines in batched INSERTs, changed
    lines in batched UPDATEs, each change audited with its old and new values."""
    _require(actor)
    if not result.changes:
        return
    rules = Rules.load()
    lines = list(result.created) + [line for _id, line, _c in result.updated]
    classified = {id(line): rules.classify(line.unspsc, line.description,
                                           line.file_category_id) for line in lines}
    history = purchase_history.History.load(
        {found.category_id for found in classified.values() if found.category_id is not None})
    now = utcnow()

    def derived(line: Line) -> dict:
        found = classified[id(line)]
        return {"category_id": found.category_id, "classification": found.classification,
                "rule_id": found.rule_id,
                "available_pieces": history.available(found.category_id, line.ordered_on)
                if found.category_id is not None else 0,
                "updated_at": now}

    for batch in _chunks(result.created):
        try:
            db.session.execute(insert(PurchaseLine), [
                {"source": result.source, "line_id": line.line_id, "created_at": now,
                 **line.facts(), **derived(line)} for line in batch])
        except IntegrityError:
            # Another import of the same source wrote one of these lines since the plan was
            # made: the unique (source, line_id) refuses it, and the caller rolls back.
            raise Conflict(_("En annen import fra %(source)s skrev de samme linjene samtidig. "
                             "Ingenting ble skrevet; prøv igjen.", source=result.source),
                           code="concurrent_import") from None
    if len(result.created) >= ANALYZE_AFTER and db.session.get_bind().dialect.name == \
            "postgresql":
        # A bulk load leaves the planner's statistics behind the table: without them the next
        # import's lookups by (source, line_id) were planned for an almost empty table.
        db.session.execute(text("ANALYZE purchase_line"))
    for batch in _chunks(result.updated):
        db.session.execute(update(PurchaseLine), [
            {"id": line_id, **line.facts(), **derived(line)} for line_id, line, _c in batch])
        for line_id, line, changes in batch:
            audit.record_row(actor, "purchase_line.updated", PurchaseLine.__tablename__,
                             line_id, via=via, source=result.source, line_id=line.line_id,
                             **{name: {"old": old, "new": new}
                                for name, (old, new) in changes.items()})
    db.session.flush()


def import_file(actor: User | None, source: str, data: bytes, filename: str = "", *,
                all_or_nothing: bool = False, via: str,
                progress: Callable[[int], None] | None = None) -> Plan:
    """Read, plan and write (unless all or nothing was asked and a line was refused)."""
    _require(actor)
    result = plan(source, read(data, filename), progress=progress)
    if all_or_nothing and result.refused:
        result.written = False
    else:
        apply(actor, result, via=via)
    return result


def import_batch(actor: User, source: str, lines: list) -> Plan:
    """An integration's batch (POST /api/v1/purchase-lines): the same checks, per line."""
    _require(actor)
    if not isinstance(lines, list) or not lines:
        raise InvalidInput(_("lines må være en liste med minst én linje."), field="lines")
    if len(lines) > MAX_BATCH:
        raise InvalidInput(_("Send høyst %(max)s linjer i én forespørsel.", max=MAX_BATCH),
                           field="lines")
    rows = [(number, {"__unknown": sorted(set(map(str, raw)) - set(FIELDS)),
                      **{name: raw.get(name) for name in FIELDS}}
             if isinstance(raw, dict) else raw) for number, raw in enumerate(lines, start=1)]
    result = plan(source, rows)
    apply(actor, result, via="api")
    return result
