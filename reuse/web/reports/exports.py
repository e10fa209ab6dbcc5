"""CSV and XLSX files of the records behind a report and of its summary.

Headings are Norwegian. CSV is written the way Norwegian Excel reads it: UTF-8 with a byte
order mark, semicolons between fields, decimal commas, dates as YYYY-MM-DD. In XLSX every
figure is a number cell (with a display format) and every date a date cell.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reuse.clock import OSLO
from reuse.services import goals
from reuse.services.reports import Figures, RecordPage, Report, Scope, TreeRow

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NOK_FORMAT = "#,##0.00"
KG_FORMAT = "#,##0.000"
INT_FORMAT = "0"
DATE_FORMAT = "dd.mm.yyyy"
TIME_FORMAT = "dd.mm.yyyy hh:mm"

FIGURE_HEADINGS = ["Ting gjenbrukt", "Unngått kostnad (kr)", "Unngått CO2e (kg)",
                   "Unngått avfall (kg)", "Antall føringer"]
FIGURE_FORMATS = [INT_FORMAT, NOK_FORMAT, KG_FORMAT, KG_FORMAT, INT_FORMAT]

RECORD_HEADINGS = [
    "Føring", "Tidspunkt", "Dato", "Korrigerer føring", "Årsak til korrigering",
    "Forespørsel", "Ting", "Givende enhet", "Mottakende enhet", "Kategori", "Antall",
    "Erstattet innkjøp", "Kostnader (kr)", "Nypris brukt (kr per stk.)",
    "Vekt brukt (kg per stk.)", "CO2e brukt (kg per stk.)", "Unngått kostnad (kr)",
    "Unngått CO2e (kg)", "Unngått avfall (kg)",
]
RECORD_FORMATS = [INT_FORMAT, TIME_FORMAT, DATE_FORMAT, INT_FORMAT, None, INT_FORMAT, None,
                  None, None, None, INT_FORMAT, None, NOK_FORMAT, NOK_FORMAT, KG_FORMAT,
                  KG_FORMAT, NOK_FORMAT, KG_FORMAT, KG_FORMAT]


def filename(stem: str, scope: Scope, kind: str) -> str:
    unit = f"-enhet{scope.unit_id}" if scope.unit_id else ""
    return f"{stem}-{scope.period.start.isoformat()}-{scope.period.end.isoformat()}{unit}.{kind}"


def _figure_values(figures: Figures) -> list:
    return [figures.items_reused, figures.avoided_cost_nok, figures.avoided_co2e_kg,
            figures.avoided_waste_kg, figures.records]


def _record_row(record) -> list:
    local = record.recorded_at.astimezone(OSLO)
    return [
        record.id, local.replace(tzinfo=None), local.date(), record.reverses_id,
        record.reason, record.claim_id, record.claim.item.title, record.from_unit.name,
        record.to_unit.name, record.category.name_nb, record.quantity,
        "Ja" if record.replaces_purchase else "Nei", record.costs_nok,
        record.new_price_nok_used, record.weight_kg_used, record.co2e_kg_used,
        record.avoided_cost_nok, record.avoided_co2e_kg, record.avoided_waste_kg,
    ]


# -- CSV -------------------------------------------------------------------------------------

def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nei"
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def records_csv(page: RecordPage) -> bytes:
    return _csv([RECORD_HEADINGS, *(_record_row(record) for record in page.records)])


def _summary_rows(report: Report) -> list[tuple[str, str, str, object]]:
    """(section, name, measure, value): every figure of the summary in one long table."""
    scope_name = report.unit.name if report.unit else "Hele kommunen"
    rows: list[tuple[str, str, str, object]] = [
        ("Periode", scope_name, "Fra og med", report.scope.period.start),
        ("Periode", scope_name, "Til og med", report.scope.period.end),
    ]

    def figures(section: str, name: str, found: Figures) -> None:
        rows.extend((section, name, heading, value)
                    for heading, value in zip(FIGURE_HEADINGS, _figure_values(found)))

    figures("Totalt", scope_name, report.totals)
    for heading, value in (("Gjenbrukssjekker", report.checks.total),
                           ("Endte i gjenbruk", report.checks.reused),
                           ("Endte i kjøp av nytt", report.checks.bought_new),
                           ("Ikke avgjort", report.checks.open)):
        rows.append(("Gjenbrukssjekker", scope_name, heading, value))
    for progress in report.goals:
        name = progress.goal.unit.name if progress.goal.unit else "Hele kommunen"
        label = goals.METRIC_LABELS[progress.goal.metric]
        rows.append(("Mål", name, f"{label}: mål", progress.goal.target))
        rows.append(("Mål", name, f"{label}: oppnådd", progress.achieved))
        rows.append(("Mål", name, f"{label}: andel av målet", progress.share))
    for month in report.months:
        figures("Måned", f"{month.period.start:%Y-%m}", month.figures)
    for section, tree in (("Mottakende enhet", report.receiving),
                          ("Givende enhet", report.giving), ("Kategori", report.categories)):
        for row in tree:
            figures(section, row.name, row.figures)
    for row in report.ranking:
        figures("Rangering", f"{row.rank}. {row.name}", row.figures)
    return rows


def summary_csv(report: Report) -> bytes:
    return _csv([["Del", "Navn", "Nøkkeltall", "Verdi"], *map(list, _summary_rows(report))])


# -- XLSX ------------------------------------------------------------------------------------

def _sheet(workbook: Workbook, title: str, headings: list[str], rows, formats: list,
           *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, number_format in enumerate(formats, start=1):
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(heading) + 2)
    sheet.freeze_panes = "A2"
    return sheet


def _bytes(workbook: Workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def records_xlsx(page: RecordPage) -> bytes:
    workbook = Workbook()
    _sheet(workbook, "Føringer", RECORD_HEADINGS,
           (_record_row(record) for record in page.records), RECORD_FORMATS, first=True)
    return _bytes(workbook)


def _tree_rows(tree: list[TreeRow]):
    return ([("  " * row.depth) + row.name, row.depth, *_figure_values(row.figures)]
            for row in tree)


def summary_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    period = report.scope.period
    scope_name = report.unit.name if report.unit else "Hele kommunen"
    facts = [("Enhet", scope_name, None), ("Fra og med", period.start, DATE_FORMAT),
             ("Til og med", period.end, DATE_FORMAT),
             *zip(FIGURE_HEADINGS, _figure_values(report.totals), FIGURE_FORMATS),
             ("Gjenbrukssjekker", report.checks.total, INT_FORMAT),
             ("Endte i gjenbruk", report.checks.reused, INT_FORMAT),
             ("Endte i kjøp av nytt", report.checks.bought_new, INT_FORMAT),
             ("Ikke avgjort", report.checks.open, INT_FORMAT)]
    summary = _sheet(workbook, "Sammendrag", ["Nøkkeltall", "Verdi"],
                     ((label, value) for label, value, _ in facts), [None, None], first=True)
    for row, (_, _, number_format) in enumerate(facts, start=2):
        if number_format:
            summary.cell(row, 2).number_format = number_format
    summary.column_dimensions["B"].width = 24
    _sheet(workbook, "Mål", ["Gjelder", "Mål for", "Mål", "Oppnådd", "Andel av målet"], (
        (progress.goal.unit.name if progress.goal.unit else "Hele kommunen",
         goals.METRIC_LABELS[progress.goal.metric], progress.goal.target, progress.achieved,
         progress.share) for progress in report.goals),
        [None, None, None, None, "0.0%"])
    _sheet(workbook, "Per måned", ["Måned", "Fra og med", "Til og med", *FIGURE_HEADINGS], (
        (f"{row.period.start:%Y-%m}", row.period.start, row.period.end,
         *_figure_values(row.figures)) for row in report.months),
        [None, DATE_FORMAT, DATE_FORMAT, *FIGURE_FORMATS])
    for title, tree in (("Mottakende enhet", report.receiving),
                        ("Givende enhet", report.giving), ("Kategori", report.categories)):
        _sheet(workbook, title, [title, "Nivå", *FIGURE_HEADINGS], _tree_rows(tree),
               [None, INT_FORMAT, *FIGURE_FORMATS])
    _sheet(workbook, "Rangering", ["Plass", "Enhet", *FIGURE_HEADINGS], (
        (row.rank, row.name, *_figure_values(row.figures)) for row in report.ranking),
        [INT_FORMAT, None, *FIGURE_FORMATS])
    return _bytes(workbook)
