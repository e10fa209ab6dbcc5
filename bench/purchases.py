"""Importing a generated year of purchase lines, and reconciling it, against reading the same
file with the csv module alone.

One database of its own (recreated by bench.run): the demo organisation and categories, then
`reuse/purchase_year.py`'s year of LINES lines imported through the import service (what
`import-purchases` runs), then the same file again (every line unchanged), then the year's
purchase report for the whole municipality. The baseline is the bare cost of the format:
csv.DictReader over the same bytes, in the same process. Peak memory is the process's own
(resource.getrusage), read after each step.

Alone: `python -m bench.purchases --url postgresql+psycopg://…/reuse_bench_purchases`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import secrets
import tempfile
import time
from typing import Any

LINES = 100_000
YEAR = 2026
# The import must stay well under a minute for a year of lines (issue 18).
TARGET_SECONDS = 60


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(database_url: str, lines: int = LINES) -> dict[str, Any]:
    from reuse import create_app, demo, purchase_year

    with tempfile.TemporaryDirectory(prefix="reuse-bench-purchases-") as uploads:
        app = create_app({"REUSE_ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                          "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_DIR": uploads,
                          "BASE_URL": "https://gjenbruk.bench"})
        with app.app_context():
            from flask_migrate import upgrade

            from reuse.extensions import db
            from reuse.services import categories, purchase_rules, purchases, units
            from reuse.services.reports import purchases as report
            from reuse.services.reports.scope import Scope, year_period

            upgrade()
            categories.load_defaults()
            purchase_rules.load_defaults()
            parents = {}
            for name, parent, code in demo.UNIT_TREE:
                parents[name] = units.find_by_name(name) or units.create_unit(
                    name=name, parent=parents.get(parent), code=code)
            db.session.commit()
            codes = [code for _name, _parent, code in demo.UNIT_TREE]
            data = purchase_year.csv_bytes(YEAR, codes, lines)

            started = time.perf_counter()
            parsed = sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8-sig")),
                                                   delimiter=";"))
            baseline_s = time.perf_counter() - started

            timings: dict[str, Any] = {}
            for step in ("first", "again"):
                started = time.perf_counter()
                result = purchases.import_file(None, "Bench", data, "year.csv", via="bench")
                db.session.commit()
                timings[step] = {"seconds": round(time.perf_counter() - started, 2),
                                 "summary": result.summary(), "peak_mb": round(_peak_mb())}
            started = time.perf_counter()
            totals = report.summary(Scope(year_period(YEAR)))
            report_s = time.perf_counter() - started
    first = timings["first"]["seconds"]
    return {
        "lines": lines, "parsed": parsed, "bytes": len(data),
        "baseline_csv_s": round(baseline_s, 3),
        "first": timings["first"], "again": timings["again"],
        "ratio_first": round(first / baseline_s, 1) if baseline_s else None,
        "report_year_s": round(report_s, 2),
        "report": {"lines": totals.lines, "reusable": totals.reusable_lines,
                   "covered": totals.covered_lines, "unmapped": totals.unmapped_lines},
        "met": first < TARGET_SECONDS and timings["again"]["seconds"] < TARGET_SECONDS,
    }


def format_report(result: dict[str, Any]) -> str:
    return "\n".join([
        f"== purchases: a year of {result['lines']:,} lines ({result['bytes'] / 1e6:.1f} MB) ==",
        f"   csv module alone (baseline): {result['baseline_csv_s']:.2f} s",
        f"   import, first time: {result['first']['seconds']:.2f} s "
        f"({result['ratio_first']}× the baseline), peak {result['first']['peak_mb']} MB; "
        f"{result['first']['summary']}",
        f"   import, again: {result['again']['seconds']:.2f} s; {result['again']['summary']}",
        f"   the year's purchase report, whole municipality: {result['report_year_s']:.2f} s",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--lines", type=int, default=LINES)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    result = run(args.url, args.lines)
    print(format_report(result))
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
