"""CSV and XLSX files of the records behind a report and of its summary.

Headings, sheet names and yes/no follow the user's language (bokmål by default); the data
(names, titles, categories) is as recorded. CSV is written the way Norwegian Excel reads it:
UTF-8 with a byte order mark, semicolons between fields, decimal commas, dates as YYYY-MM-DD.
In XLSX every figure is a number cell (with a display format) and every date a date cell.

Text comes from people (item titles, unit names, reversal reasons), so a spreadsheet must
never run it: every text value of both formats goes through spreadsheet_text(), and XLSX
text cells are written as text cells, never as formulas or error values.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reuse.clock import OSLO
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.services import (
    categories,
    checks,
    claims,
    dispositions,
    goals,
    purchase_rules,
    quantities,
    units,
)
from reuse.services.reports import figures as figure_names
from reuse.services.reports import purchases as purchase_groups
from reuse.services.reports.breakdowns import TreeRow
from reuse.services.reports.figures import Figures
from reuse.services.reports.records import RecordPage
from reuse.services.reports.report import Report
from reuse.services.reports.scope import (
    FROM,
    GIVING_UNIT,
    RECEIVING_UNIT,
    TO,
    TREE,
    TREE_LABELS,
    WHOLE_MUNICIPALITY,
    Scope,
)
from reuse.services.reports.waste_hierarchy import FRACTION_LABELS, LEVEL_LABELS

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NOK_FORMAT = "#,##0.00"
KG_FORMAT = "#,##0.000"
INT_FORMAT = "0"
DATE_FORMAT = "dd.mm.yyyy"
TIME_FORMAT = "dd.mm.yyyy hh:mm"

# Headings both the CSV summary and the workbook use.
CHECKS = _l("Gjenbrukssjekker")
ENDED_REUSED = _l("Endte i gjenbruk")
ENDED_BOUGHT_NEW = _l("Endte i kjøp av nytt")
UNDECIDED = _l("Ikke avgjort")


def _check_rows(report: Report) -> list[tuple[str, int]]:
    """The check figures both exports give, as the report counts them: total = reused +
    bought new + not decided (claimed included) + dropped."""
    counts = report.checks
    return [(str(CHECKS), counts.total), (str(ENDED_REUSED), counts.reused),
            (str(ENDED_BOUGHT_NEW), counts.bought_new), (str(UNDECIDED), counts.open),
            (str(checks.STATUS_LABELS["dropped"]), counts.dropped)]
MONTH = _l("Måned")
TOTAL = _l("Totalt")
PART = _l("Del")  # the section of a long table's row
DATE = _l("Dato")
SUMMARY = _l("Sammendrag")
PER_MONTH = _l("Per måned")
RANKING = _l("Rangering")
MEASURE = _l("Nøkkeltall")
VALUE = _l("Verdi")
GOALS = _l("Mål")  # the section and sheet of goals; a goal's target is goals.TARGET_LABEL


def figure_headings() -> list[str]:
    return [str(heading) for heading in (
        figure_names.ITEMS_REUSED, figure_names.AVOIDED_COST, figure_names.AVOIDED_CO2E,
        figure_names.AVOIDED_WASTE, figure_names.RECORDS)]


FIGURE_FORMATS = [INT_FORMAT, NOK_FORMAT, KG_FORMAT, KG_FORMAT, INT_FORMAT]


def record_headings() -> list[str]:
    return [
        _("Føring"), _("Tidspunkt"), str(DATE), _("Korrigerer føring"),
        _("Årsak til korrigering"), str(claims.LABEL), _("Ting"), str(GIVING_UNIT),
        str(RECEIVING_UNIT), str(categories.LABEL), str(quantities.LABEL),
        _("Erstattet innkjøp"), _("Kostnader (kr)"), _("Nypris brukt (kr per stk.)"),
        _("Vekt brukt (kg per stk.)"), _("CO2e brukt (kg per stk.)"),
        str(figure_names.AVOIDED_COST), str(figure_names.AVOIDED_CO2E),
        str(figure_names.AVOIDED_WASTE),
    ]


RECORD_FORMATS = [INT_FORMAT, TIME_FORMAT, DATE_FORMAT, INT_FORMAT, None, INT_FORMAT, None,
                  None, None, None, INT_FORMAT, None, NOK_FORMAT, NOK_FORMAT, KG_FORMAT,
                  KG_FORMAT, NOK_FORMAT, KG_FORMAT, KG_FORMAT]


# Text a spreadsheet would evaluate (OWASP "CSV injection"): a formula or DDE call starts with
# =, +, - or @, possibly after blanks, and tab or CR first also make Excel re-read a field.
_FORMULA_START = re.compile(r"\s*[=+\-@]|[\t\r]")
# C0 control characters other than tab, LF and CR: XLSX (XML 1.0) cannot hold them at all.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_text(text: str) -> str:
    """Text as it may go into a CSV field or an XLSX cell: a leading single quote (OWASP's
    advice) when a spreadsheet would take it for a formula, and without characters a
    workbook cannot store. Only for text: numbers are written as numbers, minus and all."""
    text = _UNSTORABLE.sub("", text)
    return f"'{text}" if _FORMULA_START.match(text) else text


def filename(stem: str, scope: Scope, kind: str, unit_name: str | None = None) -> str:
    """'gjenbruksføringer-2026-01-01-2026-12-31-møhlenpris-skole.csv': the period, and the
    receiving unit by its name (letters æøå kept) when the export is narrowed to one."""
    unit = f"-{_slug(unit_name)}" if unit_name else ""
    return f"{stem}-{scope.period.start.isoformat()}-{scope.period.end.isoformat()}{unit}.{kind}"


def _slug(name: str) -> str:
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-_") or "enhet"


# Norwegian letters as Norwegians spell them without æøå; NFKD would drop ø altogether.
_ASCII_SPELLING = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe",
                                 "Å": "Aa"})


def content_disposition(name: str) -> str:
    """An attachment header that keeps æøå (RFC 6266 filename*, UTF-8) with a plain-ASCII
    filename= for clients that read only that: 'møhlenpris' becomes 'moehlenpris' there."""
    fallback = unicodedata.normalize("NFKD", name.translate(_ASCII_SPELLING))
    fallback = re.sub(r'[^\x20-\x7e]|["\\]', "", fallback)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _yes_no(value: bool) -> str:
    return _("Ja") if value else _("Nei")


def _whole_municipality() -> str:
    return str(WHOLE_MUNICIPALITY)


def _figure_values(figures: Figures) -> list:
    return [figures.items_reused, figures.avoided_cost_nok, figures.avoided_co2e_kg,
            figures.avoided_waste_kg, figures.records]


def _record_row(record) -> list:
    local = record.recorded_at.astimezone(OSLO)
    return [
        record.id, local.replace(tzinfo=None), local.date(), record.reverses_id,
        record.reason, record.claim_id, record.claim.item.title, record.from_unit.name,
        record.to_unit.name, record.category.name_nb, record.quantity,
        _yes_no(record.replaces_purchase), record.costs_nok,
        record.new_price_nok_used, record.weight_kg_used, record.co2e_kg_used,
        record.avoided_cost_nok, record.avoided_co2e_kg, record.avoided_waste_kg,
    ]


# -- CSV -------------------------------------------------------------------------------------

def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | Decimal):
        return str(value)
    return spreadsheet_text(str(value))


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def records_csv(page: RecordPage) -> bytes:
    return _csv([record_headings(), *(_record_row(record) for record in page.records)])


def _summary_rows(report: Report) -> list[tuple[str, str, str, object]]:
    """(section, name, measure, value): every figure of the summary in one long table."""
    scope_name = report.unit.name if report.unit else _whole_municipality()
    period = _("Periode")
    rows: list[tuple[str, str, str, object]] = [
        (period, scope_name, str(FROM), report.scope.period.start),
        (period, scope_name, str(TO), report.scope.period.end),
        (period, scope_name, str(TREE), str(TREE_LABELS[report.scope.tree])),
    ]
    headings = figure_headings()

    def figures(section: str, name: str, found: Figures) -> None:
        rows.extend((section, name, heading, value)
                    for heading, value in zip(headings, _figure_values(found)))

    figures(str(TOTAL), scope_name, report.totals)
    for heading, value in _check_rows(report):
        rows.append((str(CHECKS), scope_name, heading, value))
    for progress in report.goals:
        name = progress.goal.unit.name if progress.goal.unit else _whole_municipality()
        label = str(goals.METRIC_LABELS[progress.goal.metric])
        section = str(GOALS)
        rows.append((section, name, _("%(metric)s: mål", metric=label), progress.goal.target))
        rows.append((section, name, _("%(metric)s: oppnådd", metric=label), progress.achieved))
        rows.append((section, name, _("%(metric)s: andel av målet", metric=label),
                     progress.share))
    for month in report.months:
        figures(str(MONTH), f"{month.period.start:%Y-%m}", month.figures)
    for section, tree in _trees(report):
        for row in tree:
            figures(section, _row_name(row), row.figures)
    for row in report.ranking:
        figures(str(RANKING), f"{row.rank}. {row.name}", row.figures)
    for name, pieces, waste_kg, amount in _waste_rows(report):
        rows.append((str(WASTE_HIERARCHY), name.strip(), str(PIECES), pieces))
        rows.append((str(WASTE_HIERARCHY), name.strip(), str(KILOGRAMS), waste_kg))
        if amount is not None:
            rows.append((str(WASTE_HIERARCHY), name, str(AMOUNT_RECEIVED), amount))
    for name, pieces, waste_kg, cost, co2e in _partner_rows(report):
        for measure, value in ((PIECES, pieces), (KILOGRAMS, waste_kg),
                               (PARTNER_AVOIDED_COST, cost), (PARTNER_AVOIDED_CO2E, co2e)):
            rows.append((str(OUTSIDE), name, str(measure), value))
    return rows


WASTE_HIERARCHY = _l("Avfallshierarkiet")
OUTSIDE = _l("Utenfor kommunen")
PIECES = _l("Stykk")
KILOGRAMS = _l("Kilo")
AMOUNT_RECEIVED = dispositions.AMOUNT_RECEIVED
PARTNER_AVOIDED_COST = _l("Partnerens unngåtte innkjøp (kr)")
PARTNER_AVOIDED_CO2E = _l("Partnerens unngåtte CO2e (kg)")


def _waste_rows(report: Report) -> list[list]:
    """(level, pieces, kg, amount received) in the hierarchy's order, fractions under
    recycling; then (partner, pieces, kg, avoided kroner, avoided CO2e) for each partner."""
    waste = report.waste
    rows: list[list] = []
    for level, amounts in waste.levels.items():
        rows.append([str(LEVEL_LABELS[level]), amounts.pieces, amounts.waste_kg,
                     waste.sold_amount_nok if level == "sold" else None])
        if level == "recycled":
            rows.extend(["  " + str(FRACTION_LABELS[fraction]), found.pieces, found.waste_kg,
                         None] for fraction, found in waste.fractions.items())
    return rows


def _partner_rows(report: Report) -> list[list]:
    return [[row.name, row.amounts.pieces, row.amounts.waste_kg, row.avoided_cost_nok,
             row.avoided_co2e_kg] for row in report.waste.partners]


def _trees(report: Report) -> list[tuple[str, list[TreeRow]]]:
    """The breakdowns, each with its heading: receiving unit, giving unit, category."""
    return [(str(RECEIVING_UNIT), report.receiving), (str(GIVING_UNIT), report.giving),
            (str(categories.LABEL), report.categories)]


def summary_csv(report: Report) -> bytes:
    return _csv([[str(PART), _("Navn"), str(MEASURE), str(VALUE)],
                 *map(list, _summary_rows(report))])


# -- XLSX ------------------------------------------------------------------------------------

def _sheet(workbook: Workbook, title: str, headings: list[str], rows, formats: list,
           *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    _append(sheet, headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
    for index, number_format in enumerate(formats, start=1):
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(heading) + 2)
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet, values) -> None:
    """Add a row; text as text cells (openpyxl alone would make "=…" a formula and "#N/A" an
    error value)."""
    sheet.append([spreadsheet_text(value) if isinstance(value, str) else value
                  for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def records_xlsx(page: RecordPage) -> bytes:
    workbook = Workbook()
    _sheet(workbook, _("Føringer"), record_headings(),
           (_record_row(record) for record in page.records), RECORD_FORMATS, first=True)
    return _bytes(workbook)


def _row_name(row: TreeRow) -> str:
    """A tree row's name as recorded; a closed unit says so."""
    return units.label(row.name, row.closed)


def _tree_rows(tree: list[TreeRow]):
    return ([("  " * row.depth) + _row_name(row), row.depth, *_figure_values(row.figures)]
            for row in tree)


def summary_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    period = report.scope.period
    scope_name = report.unit.name if report.unit else _whole_municipality()
    headings = figure_headings()
    facts = [(str(units.LABEL), scope_name, None), (str(FROM), period.start, DATE_FORMAT),
             (str(TO), period.end, DATE_FORMAT),
             (str(TREE), str(TREE_LABELS[report.scope.tree]), None),
             *zip(headings, _figure_values(report.totals), FIGURE_FORMATS),
             *((heading, value, INT_FORMAT) for heading, value in _check_rows(report))]
    summary = _sheet(workbook, str(SUMMARY), [str(MEASURE), str(VALUE)],
                     ((label, value) for label, value, _format in facts), [None, None], first=True)
    for row, (_label, _value, number_format) in enumerate(facts, start=2):
        if number_format:
            summary.cell(row, 2).number_format = number_format
    summary.column_dimensions["B"].width = 24
    _sheet(workbook, str(GOALS), [str(goals.APPLIES_TO), _("Mål for"), str(goals.TARGET_LABEL),
                                  _("Oppnådd"), _("Andel av målet")], (
        (progress.goal.unit.name if progress.goal.unit else _whole_municipality(),
         str(goals.METRIC_LABELS[progress.goal.metric]), progress.goal.target, progress.achieved,
         progress.share) for progress in report.goals),
        [None, None, None, None, "0.0%"])
    _sheet(workbook, str(PER_MONTH), [str(MONTH), str(FROM), str(TO), *headings], (
        (f"{row.period.start:%Y-%m}", row.period.start, row.period.end,
         *_figure_values(row.figures)) for row in report.months),
        [None, DATE_FORMAT, DATE_FORMAT, *FIGURE_FORMATS])
    for title, tree in _trees(report):
        _sheet(workbook, title, [title, _("Nivå"), *headings], _tree_rows(tree),
               [None, INT_FORMAT, *FIGURE_FORMATS])
    _sheet(workbook, str(RANKING), [_("Plass"), str(units.LABEL), *headings], (
        (row.rank, row.name, *_figure_values(row.figures)) for row in report.ranking),
        [INT_FORMAT, None, *FIGURE_FORMATS])
    _sheet(workbook, str(WASTE_HIERARCHY), [str(WASTE_HIERARCHY), str(PIECES), str(KILOGRAMS),
                                            str(AMOUNT_RECEIVED)], _waste_rows(report),
           [None, INT_FORMAT, KG_FORMAT, NOK_FORMAT])
    _sheet(workbook, str(OUTSIDE), [_("Organisasjon"), str(PIECES), str(KILOGRAMS),
                                    str(PARTNER_AVOIDED_COST), str(PARTNER_AVOIDED_CO2E)],
           _partner_rows(report), [None, INT_FORMAT, KG_FORMAT, NOK_FORMAT, KG_FORMAT])
    return _bytes(workbook)


# -- purchases without a reuse check ---------------------------------------------------------

PURCHASE_LINES = _l("Innkjøpslinjer")
AMOUNT_NOK = _l("Beløp (kr)")


def purchase_figure_headings() -> list[str]:
    groups = purchase_groups.GROUP_LABELS
    return [str(PURCHASE_LINES), str(AMOUNT_NOK), _("Gjenbrukbare linjer"),
            str(groups[purchase_groups.COVERED]), _("Andel med sjekk (%)"),
            str(groups[purchase_groups.UNCOVERED]), _("Uten sjekk (kr)"),
            str(groups[purchase_groups.WITH_ALTERNATIVE]),
            _("Uten sjekk, men noe var ledig (kr)"), str(groups[purchase_groups.UNMAPPED]),
            str(groups[purchase_groups.NOT_REUSABLE]), str(groups[purchase_groups.CREDIT])]


PURCHASE_FIGURE_FORMATS = [INT_FORMAT, NOK_FORMAT, INT_FORMAT, INT_FORMAT, "0.00", INT_FORMAT,
                           NOK_FORMAT, INT_FORMAT, NOK_FORMAT, INT_FORMAT, INT_FORMAT,
                           INT_FORMAT]


def _purchase_values(totals) -> list:
    return [totals.lines, totals.amount_nok, totals.reusable_lines, totals.covered_lines,
            totals.coverage_percent if totals.reusable_lines else None,
            totals.uncovered_lines, totals.uncovered_amount_nok,
            totals.uncovered_with_alternative, totals.uncovered_with_alternative_amount_nok,
            totals.unmapped_lines, totals.not_reusable_lines, totals.credit_lines]


def _purchase_sections(shown) -> list[tuple[str, str, object]]:
    """(section, name, totals) for the whole, each month, unit and category."""
    return [(str(TOTAL), "", shown.totals),
            *((str(MONTH), f"{month:%Y-%m}", totals) for month, totals in shown.months),
            *((str(units.LABEL), unit.name, totals) for unit, totals in shown.units),
            *((str(categories.LABEL), category.name_nb, totals)
              for category, totals in shown.categories)]


def purchases_csv(shown, unit_name: str | None) -> bytes:
    """Every figure of the purchases report in one table: a row per total, month, unit and
    category, a column per figure."""
    period = shown.scope.period
    rows: list[list] = [[str(units.LABEL), unit_name or _whole_municipality()],
                        [str(FROM), period.start], [str(TO), period.end], [],
                        [str(PART), _("Navn"), *purchase_figure_headings()]]
    rows += [[section, name, *_purchase_values(totals)]
             for section, name, totals in _purchase_sections(shown)]
    return _csv(rows)


def purchase_line_headings() -> list[str]:
    return [str(DATE), str(units.LABEL), _("Leverandør"), _("Varebeskrivelse"),
            str(categories.LABEL), _("Klassifisering"), str(quantities.LABEL),
            str(AMOUNT_NOK), _("Gruppe"), _("Sjekken som dekker linjen"),
            _("Hvordan dekket"), _("Ledige stykk da det ble bestilt"), _("Ordrenummer"),
            _("Innkjøpssystem"), _("Linje-id")]


PURCHASE_LINE_FORMATS = [DATE_FORMAT, None, None, None, None, None, "#,##0.###", NOK_FORMAT,
                         None, None, None, INT_FORMAT, None, None, None]


def _purchase_line_row(line, details) -> list:
    # Each line is in exactly one of these; one without a check but with something free
    # is named by that.
    group = next(name for name in (purchase_groups.COVERED, purchase_groups.WITH_ALTERNATIVE,
                                   purchase_groups.UNCOVERED, purchase_groups.UNMAPPED,
                                   purchase_groups.NOT_REUSABLE, purchase_groups.CREDIT)
                 if line.in_group(name))
    category = details.categories.get(line.category_id)
    check = details.checks.get(line.check_id) if line.check_id else None
    return [line.ordered_on, details.units.get(line.unit_id, ""), line.supplier,
            line.description, category.name_nb if category else "",
            str(purchase_rules.CLASSIFICATION_LABELS.get(line.classification, line.classification)),
            line.quantity, line.amount_nok, str(purchase_groups.GROUP_LABELS[group]),
            check[0] if check else "",
            str(purchase_groups.COVERAGE_LABELS[line.covered_by]) if line.covered_by else "",
            line.available_pieces if line.reusable else None, line.order_number,
            line.source, line.line_id]


def purchase_lines_csv(lines, details) -> bytes:
    return _csv([purchase_line_headings(),
                 *(_purchase_line_row(line, details) for line in lines)])


def _purchase_line_sheet(workbook, lines, details, *, first: bool) -> None:
    _sheet(workbook, str(PURCHASE_LINES), purchase_line_headings(),
           (_purchase_line_row(line, details) for line in lines), PURCHASE_LINE_FORMATS,
           first=first)


def purchase_lines_xlsx(lines, details) -> bytes:
    workbook = Workbook()
    _purchase_line_sheet(workbook, lines, details, first=True)
    return _bytes(workbook)


def purchases_xlsx(shown, unit_name: str | None, lines, details) -> bytes:
    """Sheets: the summary, per month, per unit, per category, and every line."""
    workbook = Workbook()
    period = shown.scope.period
    headings = purchase_figure_headings()
    facts = [(str(units.LABEL), unit_name or _whole_municipality(), None),
             (str(FROM), period.start, DATE_FORMAT), (str(TO), period.end, DATE_FORMAT),
             *zip(headings, _purchase_values(shown.totals), PURCHASE_FIGURE_FORMATS)]
    summary = _sheet(workbook, str(SUMMARY), [str(MEASURE), str(VALUE)],
                     ((label, value) for label, value, _format in facts), [None, None],
                     first=True)
    for row, (_label, _value, number_format) in enumerate(facts, start=2):
        if number_format:
            summary.cell(row, 2).number_format = number_format
    summary.column_dimensions["B"].width = 24
    _sheet(workbook, str(PER_MONTH), [str(MONTH), *headings], (
        (f"{month:%Y-%m}", *_purchase_values(totals)) for month, totals in shown.months),
        [None, *PURCHASE_FIGURE_FORMATS])
    _sheet(workbook, _("Per enhet"), [str(units.LABEL), *headings], (
        (unit.name, *_purchase_values(totals)) for unit, totals in shown.units),
        [None, *PURCHASE_FIGURE_FORMATS])
    _sheet(workbook, _("Per kategori"), [str(categories.LABEL), *headings], (
        (category.name_nb, *_purchase_values(totals)) for category, totals in shown.categories),
        [None, *PURCHASE_FIGURE_FORMATS])
    _purchase_line_sheet(workbook, lines, details, first=False)
    return _bytes(workbook)
