"""`make bench`: the pages against their baselines at growing scale, a load run and photos.

For each scale (items; ten reuse records per item) on PostgreSQL: recreate the benchmark
database, fill it with bench.generate, serve it with gunicorn (bench.baseline_app: the real
app plus the in-memory baselines), time every page (bench.http_pages), stop. At the target
scale (100 000 items, or the middle one) the load run (bench.load) follows the page timings
while the same server runs. Then one SQLite point, to show the generator and pages work
there too, the photo pipeline (bench.photo), posting with and without 10 000 wanted
requests (bench.wanted), and importing a year of purchase lines twice (bench.purchases).
Prints a table per scale, the scale curve and the targets; writes everything to
bench/results/latest.json (after each scale, too, so a long run that breaks keeps what it
measured).

Settings (environment):
    BENCH_SCALES            items per scale, "10000 100000 1000000"
    BENCH_DATABASE_URL      postgresql+psycopg://postgres@127.0.0.1:5432/reuse_bench
                            (dropped and recreated per scale; its name must start reuse_bench)
    BENCH_ADMIN_DATABASE    database to connect to for DROP/CREATE DATABASE, "postgres"
    BENCH_REQUESTS          timed requests per page, 200; BENCH_WARMUP, 20
    BENCH_LOAD_SECONDS      60 (0 skips the load run); BENCH_LOAD_USERS, 50
    BENCH_LOAD_SCALE        the scale for the load run and the targets, default 100000
                            if measured, else the middle scale
    BENCH_SQLITE_SCALE      10000 (0 skips the SQLite point)
    BENCH_PHOTO_REPEATS     5 (0 skips the photo benchmark)
    BENCH_WANTED_POSTS      40 page and 40 API posts per side (0 skips the wanted benchmark);
                            BENCH_WANTED_REQUESTS, 10000
    BENCH_PURCHASE_LINES    100000 lines in the generated year of purchases (0 skips it)
    BENCH_STRICT            1: exit non-zero when a target is missed, not only on failures
    BENCH_WORKERS, BENCH_WORKER_CLASS   gunicorn (see bench.server)

The exit status is non-zero when anything failed to run or measure (generation, a page
answering the wrong status, a baseline touching the database, load or photo crashing).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import http_pages
from bench.baseline_app import settings_from_fixture
from bench.generate import generate
from bench.photo import report_worst
from bench.purchases import TARGET_SECONDS as PURCHASES_TARGET_SECONDS
from bench.server import PROJECT_ROOT, serve
from bench.wanted import TARGET_RATIO as WANTED_TARGET_RATIO

RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "latest.json"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/reuse_bench"
DATABASE_PREFIX = "reuse_bench"  # the only databases this runner will drop
RECORDS_PER_ITEM = 10
TARGET_SCALE = 100_000  # the targets: PostgreSQL at 100k items / 1M records
TARGET_GROWTH = 1.5  # p95 from the first to the last scale
SECRET_FIXTURE_KEYS = {"password", "api_token", "database_url"}  # kept out of the JSON


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def _int_list(raw: str) -> list[int]:
    return [int(part.replace("_", "")) for part in raw.replace(",", " ").split()]


@dataclass(frozen=True)
class Settings:
    scales: list[int]
    database_url: str
    admin_database: str
    requests: int
    warmup: int
    load_seconds: float
    load_users: int
    load_scale: int | None
    sqlite_scale: int
    photo_repeats: int
    wanted_posts: int
    wanted_requests: int
    purchase_lines: int
    strict: bool

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        scales = _int_list(env("BENCH_SCALES") or "10000 100000 1000000")
        if not scales or any(scale < 1 for scale in scales):
            raise SystemExit("BENCH_SCALES must list positive item counts")
        database_url = env("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
        check_database_url(database_url)
        load_scale = int(env("BENCH_LOAD_SCALE") or 0) or (
            TARGET_SCALE if TARGET_SCALE in scales else scales[len(scales) // 2])
        return cls(
            scales=scales,
            database_url=database_url,
            admin_database=env("BENCH_ADMIN_DATABASE") or "postgres",
            requests=int(env("BENCH_REQUESTS") or 200),
            warmup=int(env("BENCH_WARMUP") or 20),
            load_seconds=float(env("BENCH_LOAD_SECONDS") or 60),
            load_users=int(env("BENCH_LOAD_USERS") or 50),
            load_scale=load_scale if load_scale in scales else None,
            sqlite_scale=int(env("BENCH_SQLITE_SCALE") or 10_000),
            photo_repeats=int(env("BENCH_PHOTO_REPEATS") or 5),
            wanted_posts=int(env("BENCH_WANTED_POSTS") or 40),
            wanted_requests=int(env("BENCH_WANTED_REQUESTS") or 10_000),
            purchase_lines=int(env("BENCH_PURCHASE_LINES") or 100_000),
            strict=env("BENCH_STRICT", "") not in {"", "0"},
        )


# -- databases ----------------------------------------------------------------------------------

def check_database_url(database_url: str) -> None:
    """Only a PostgreSQL database named reuse_bench… is ever dropped by this runner."""
    url = make_url(database_url)
    if not url.get_backend_name().startswith("postgresql"):
        raise SystemExit(f"BENCH_DATABASE_URL must be PostgreSQL, got {url.get_backend_name()}")
    if not (url.database or "").startswith(DATABASE_PREFIX):
        raise SystemExit(f"refusing to drop {url.database!r}: the benchmark database's name "
                         f"must start with {DATABASE_PREFIX!r}")


def recreate_postgres(database_url: str, admin_database: str) -> None:
    """Drop the benchmark database (ending its other connections) and create it empty."""
    check_database_url(database_url)
    url = make_url(database_url)
    name = url.database or ""
    admin = create_engine(url.set(database=admin_database), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            quoted = admin.dialect.identifier_preparer.quote(name)
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
            connection.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))
            connection.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        admin.dispose()


def database_facts(database_url: str) -> dict[str, Any]:
    """Row counts of the big tables (and the size, on PostgreSQL): what was measured."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            facts: dict[str, Any] = {
                table: connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("item", "reuse_record", "unit", "user_account", "reuse_check")}
            if engine.dialect.name == "postgresql":
                facts["size_mb"] = round(connection.scalar(
                    text("SELECT pg_database_size(current_database())")) / 2**20)
                facts["server_version"] = connection.scalar(text("SHOW server_version"))
            return facts
    finally:
        engine.dispose()


# -- one scale ------------------------------------------------------------------------------------

def run_scale(settings: Settings, items: int, database_url: str, *, kind: str,
              with_load: bool) -> dict[str, Any]:
    """Generate, serve and measure one scale; failures are recorded, never raised."""
    records = items * RECORDS_PER_ITEM
    entry: dict[str, Any] = {"database": kind, "items": items, "records": records,
                             "errors": []}
    log(f"== {kind}: {items:,} items, {records:,} records ==")
    try:
        started = time.perf_counter()
        fixture = generate(database_url, items=items, records=records, seed=42,
                           log=lambda message: log(f"   generate: {message}"))
        entry["generate_s"] = round(time.perf_counter() - started, 1)
        entry["fixture"] = {k: v for k, v in fixture.items() if k not in SECRET_FIXTURE_KEYS}
        entry["database_facts"] = database_facts(database_url)
        log(f"   generated in {entry['generate_s']} s: {entry['database_facts']}")
        with serve(database_url, env=settings_from_fixture(fixture)) as server:
            entry["server"] = {"workers": server.workers,
                               "worker_class": os.environ.get("BENCH_WORKER_CLASS", "sync")}
            log(f"   serving at {server.base_url}; timing pages")
            entry["http"] = http_pages.measure(
                server.base_url, fixture, requests_per_page=settings.requests,
                warmup=settings.warmup, database_url=database_url, workers=server.workers,
                log=lambda message: log("  " + message))
            entry["errors"] += entry["http"]["errors"]
            if with_load:
                entry["load"] = run_load(settings, server.base_url, fixture, entry["errors"])
    except Exception as error:  # recorded and reported; the other scales still run
        traceback.print_exc()
        entry["errors"].append({"page": "scale", "error": f"{type(error).__name__}: {error}"})
    return entry


def run_load(settings: Settings, base_url: str, fixture: dict[str, Any],
             errors: list[dict[str, str]]) -> dict[str, Any] | None:
    log(f"   load run: {settings.load_users} users for {settings.load_seconds:g} s")
    try:
        # Imported here: a load module that does not even import is reported like a load
        # run that fails, and the page figures still come out.
        from bench import load

        return load.run(base_url, fixture, duration_s=settings.load_seconds,
                        users=settings.load_users, think_s=1.0)
    except Exception as error:
        traceback.print_exc()
        errors.append({"page": "load", "error": f"{type(error).__name__}: {error}"})
        return None


def run_photo(settings: Settings, errors: list[dict[str, str]]) -> dict[str, Any] | None:
    """bench.photo.run in a fresh, small interpreter.

    Linux carries a process's peak RSS across fork and exec, and this process is big by now
    (the app's modules, the load run's threads): photo children started from here would
    report our peak, not theirs. A fresh interpreter has a small peak to pass on.
    """
    log(f"== photo pipeline, {settings.photo_repeats} repeats ==")
    code = ("import json, sys\nfrom bench import photo\n"
            "print(json.dumps(photo.run(repeats=int(sys.argv[1]))))")
    try:
        done = subprocess.run([sys.executable, "-c", code, str(settings.photo_repeats)],
                              cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.strip()[-2000:] or f"exit status {done.returncode}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    except Exception as error:
        errors.append({"page": "photo", "error": f"{type(error).__name__}: {error}"})
        log(f"   photo FAILED: {error}")
        return None


def run_wanted(settings: Settings, errors: list[dict[str, str]]) -> dict[str, Any] | None:
    """bench.wanted in a child process, on two databases of its own beside the scales' one
    (…_wanted_none and …_wanted_full), so the last scale's database stays for inspection."""
    log(f"== wanted requests: {settings.wanted_posts} posts with 0 and with "
        f"{settings.wanted_requests:,} active requests ==")
    url = make_url(settings.database_url)
    urls = [url.set(database=f"{url.database}_wanted_{side}").render_as_string(
        hide_password=False) for side in ("none", "full")]
    try:
        for side_url in urls:
            recreate_postgres(side_url, settings.admin_database)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run(
                [sys.executable, "-m", "bench.wanted", "--empty-url", urls[0], "--full-url",
                 urls[1], "--posts", str(settings.wanted_posts), "--wanted",
                 str(settings.wanted_requests), "--json", out.name],
                cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr.strip()[-2000:] or
                                   f"exit status {done.returncode}")
            for line in done.stdout.splitlines():
                if line.startswith("   "):
                    log(line)
            return json.loads(Path(out.name).read_text())
    except Exception as error:
        errors.append({"page": "wanted", "error": f"{type(error).__name__}: {error}"})
        log(f"   wanted FAILED: {error}")
        return None


def run_purchases(settings: Settings, errors: list[dict[str, str]]) -> dict[str, Any] | None:
    """bench.purchases in a child process, on its own database (…_purchases)."""
    log(f"== purchases: a year of {settings.purchase_lines:,} lines, imported twice ==")
    url = make_url(settings.database_url)
    purchases_url = url.set(database=f"{url.database}_purchases").render_as_string(
        hide_password=False)
    try:
        recreate_postgres(purchases_url, settings.admin_database)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            done = subprocess.run(
                [sys.executable, "-m", "bench.purchases", "--url", purchases_url, "--lines",
                 str(settings.purchase_lines), "--json", out.name],
                cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise RuntimeError(done.stderr.strip()[-2000:] or
                                   f"exit status {done.returncode}")
            return json.loads(Path(out.name).read_text())
    except Exception as error:
        errors.append({"page": "purchases", "error": f"{type(error).__name__}: {error}"})
        log(f"   purchases FAILED: {error}")
        return None


# -- what it all means ---------------------------------------------------------------------------

def growth_pages(scales: list[dict[str, Any]]) -> list[str]:
    """The pages held to the growth target: those held to a target against a bare page."""
    for entry in scales:
        found = entry.get("http", {}).get("pages", {})
        if found:
            return [name for name, page in found.items()
                    if page.get("target_kind") in {"ratio", "bare"}]
    return []


def _growth(values: list[float | None]) -> float | None:
    """Last over first, when both were measured."""
    if len(values) < 2 or not values[0] or values[-1] is None:
        return None
    return round(values[-1] / values[0], 2)


def scale_curve(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """p95 per page at each PostgreSQL scale, and its growth from the first to the last.

    The scales are measured minutes apart, so a busy moment on the machine can bend the
    curve either way. The growth of the ratio to the bare baseline (whose work does not
    depend on the scale) damps that and is printed beside it, for reading; the target is
    on the p95 itself, as the issue says.
    """
    measured = [entry for entry in scales if entry.get("http")]
    names: list[str] = []
    for entry in measured:
        names += [name for name in entry["http"]["pages"] if name not in names]
    held = set(growth_pages(measured))
    curve: dict[str, Any] = {"items": [entry["items"] for entry in measured], "pages": {}}
    for name in names:
        found = [entry["http"]["pages"].get(name, {}) for entry in measured]
        p95 = [page.get("p95_ms") for page in found]
        growth = _growth(p95)
        curve["pages"][name] = {
            "p95_ms": p95, "growth": growth,
            "ratio_growth": _growth([page.get("ratio") for page in found]) if name in held
            else None,
            "target": f"≤ {TARGET_GROWTH:g}×" if name in held else None,
            "met": (growth <= TARGET_GROWTH if growth is not None else None)
            if name in held else None}
    return curve


def verdict(result: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """Every target of the issue with its figure and whether it was met (None: not measured)."""
    checks: list[dict[str, Any]] = []
    at_target = next((entry for entry in result["scales"]
                      if entry["items"] == settings.load_scale), None)
    pages = (at_target or {}).get("http", {}).get("pages", {})
    for page in pages.values():
        if page.get("target"):
            figure = {"ratio": f"{page['ratio']}× baseline",
                      "bare": f"p50 {page['p50_ms']:.1f} ms, {page['bare_ratio']}× bare",
                      "p50_ms": f"p50 {page['p50_ms']:.1f} ms"}.get(
                          page["target_kind"], f"p95 {page['p95_ms']:.1f} ms")
            checks.append({"target": f"{page['label']} {page['target']} "
                                     f"at {settings.load_scale:,} items",
                           "figure": figure, "met": page.get("met")})
    loop = (at_target or {}).get("http", {}).get("closed_loop") or {}
    for name, entry in loop.get("pages", {}).items():
        if entry.get("target"):
            checks.append({"target": f"{name}: closed-loop throughput ≥ {entry['target']:.0%} "
                                     f"of the bare page's, {loop['clients']} clients",
                           "figure": f"{entry['rps']:.0f} req/s, {entry['share']:.0%}",
                           "met": entry.get("met")})
    curve = result.get("curve", {})
    if len(curve.get("items", [])) > 1:  # growth needs two scales
        for name, page in curve["pages"].items():
            if page.get("target"):
                checks.append({"target": f"{name} p95 growth {page['target']} over "
                                         f"{_scale_span(curve['items'])}",
                               "figure": f"{page['growth']}×", "met": page.get("met")})
    load = (at_target or {}).get("load")
    if settings.load_seconds and settings.load_scale:
        checks.append({"target": f"load run at {settings.load_scale:,} items: 0 errors, "
                                 "p95 < 300 ms",
                       "figure": (f"{load['errors']} errors, p95 {load['p95_ms']} ms"
                                  if load else "not measured"),
                       "met": (load["errors"] == 0 and load["p95_ms"] is not None
                               and load["p95_ms"] < 300) if load else None})
    wanted = result.get("wanted")
    if settings.wanted_posts:
        checks.append({"target": f"posting with {settings.wanted_requests:,} wanted requests: "
                                 f"p50 and p95 ≤ {WANTED_TARGET_RATIO:g}× posting with none",
                       "figure": _wanted_figure(wanted) if wanted else "not measured",
                       "met": wanted.get("met") if wanted else None})
    purchases = result.get("purchases")
    if settings.purchase_lines:
        checks.append({"target": f"importing a year of {settings.purchase_lines:,} purchase "
                                 f"lines, and again: each < {PURCHASES_TARGET_SECONDS} s",
                       "figure": (f"{purchases['first']['seconds']} s, then "
                                  f"{purchases['again']['seconds']} s; peak "
                                  f"{purchases['first']['peak_mb']} MB"
                                  if purchases else "not measured"),
                       "met": purchases.get("met") if purchases else None})
    photo = result.get("photo")
    if settings.photo_repeats:
        checks.append({"target": "photo: < 1 s and < 250 MB",
                       "figure": (f"{photo['time_s']['median']:.2f} s median, "
                                  f"{photo['peak_rss_mb']['max']:.0f} MB peak"
                                  if photo else "not measured"),
                       "met": photo.get("met") if photo else None})
        worst = (photo or {}).get("worst")
        checks.append({"target": "photo: worst accepted PNG, WebP, GIF and JPEG < 250 MB peak",
                       "figure": (", ".join(f"{fmt} {peak:.0f} MB" for fmt, peak
                                            in worst["peak_rss_mb_by_format"].items())
                                  if worst else "not measured"),
                       "met": worst["met"] if worst else None})
    return checks


def _wanted_figure(wanted: dict[str, Any]) -> str:
    figure = ", ".join(f"{label} p50 {wanted[kind]['ratio']['p50']}× p95 "
                       f"{wanted[kind]['ratio']['p95']}×"
                       for kind, label in (("page", "page"), ("api", "API")))
    if wanted.get("job"):
        figure += f"; matching one item {wanted['job']['match']['p50_ms']:.0f} ms"
    return figure


def _times(value: float | None, width: int) -> str:
    return f"{value:>{width - 1}.2f}×" if value is not None else f"{'–':>{width}}"


def _scale_span(items: list[int]) -> str:
    return f"{items[0]:,}→{items[-1]:,} items" if items else "no scales"


# -- printing -------------------------------------------------------------------------------------

def print_report(result: dict[str, Any]) -> None:
    print()
    for entry in [*result["scales"], *filter(None, [result.get("sqlite")])]:
        print(f"== {entry['database']}: {entry['items']:,} items, {entry['records']:,} records"
              + (f" (generated in {entry['generate_s']} s)" if "generate_s" in entry else "")
              + " ==")
        if entry.get("http"):
            print(http_pages.format_table(entry["http"]))
            for note in _report_template_notes(entry["http"]):
                print(note)
            for problem in http_pages.unfair_sizes(entry["http"]):
                print(f"warning: baseline size differs: {problem}")
        for error in entry["errors"]:
            if error["page"] in {"scale", "load"}:
                print(f"FAILED ({error['page']}): {error['error']}")
        if entry.get("load"):
            load = entry["load"]
            print(f"load: {load['users']} users, {load['requests']} requests, "
                  f"{load['throughput_rps']} req/s, p50 {load['p50_ms']} ms, "
                  f"p95 {load['p95_ms']} ms, errors {load['errors']}")
        print()
    curve = result.get("curve", {})
    if len(curve.get("items", [])) > 1:
        print("== scale curve (PostgreSQL, p95 ms) ==")
        header = f"{'page':<16}" + "".join(f"{n:>11,}" for n in curve["items"]) + \
            f"{'growth':>9}  {'target':<8} met?  {'vs baseline':>11}"
        print(header)
        print("-" * len(header))
        for name, page in curve["pages"].items():
            cells = "".join(f"{v:>11.2f}" if v is not None else f"{'–':>11}"
                            for v in page["p95_ms"])
            met = {True: "yes", False: "NO", None: "–"}[page["met"]]
            print(f"{name:<16}{cells}{_times(page['growth'], 9)}  {page['target'] or '–':<8} "
                  f"{met:<4}{_times(page['ratio_growth'], 12)}")
        print("(vs baseline: growth of the ratio to the bare page, which damps the effect of "
              "a busy machine; for reading)")
        print()
    photo = result.get("photo")
    if photo:
        print(f"== photo: {photo['time_s']['median']:.2f} s median "
              f"({photo['time_s']['max']:.2f} s max), peak {photo['peak_rss_mb']['max']:.0f} MB"
              f"; naive {photo['naive']['time_s']['median']:.2f} s, "
              f"{photo['naive']['peak_rss_mb']['max']:.0f} MB ==")
        print()
        print(report_worst(photo["worst"]))
        print()
    if result.get("wanted"):
        from bench.wanted import format_report

        print(format_report(result["wanted"]))
        print()
    if result.get("purchases"):
        from bench.purchases import format_report as purchases_report

        print(purchases_report(result["purchases"]))
        print()
    print("== targets ==")
    for check in result["verdict"]:
        met = {True: "met", False: "NOT MET", None: "not measured"}[check["met"]]
        print(f"{met:>12}  {check['target']}: {check['figure']}")
    for error in result["errors"]:
        print(f"FAILED: {error['where']}: {error['page']}: {error['error'][:300]}")


def _report_template_notes(http: dict[str, Any]) -> list[str]:
    """The report pages against the bare report template too (not a target; for reading)."""
    return [f"{page['label']}: {page['template_ratio']:.2f}× the bare report template "
            f"(p95 {page['template_p95_ms']:.2f} ms); not a target, for reading"
            for page in http["pages"].values() if page.get("template_ratio") is not None]


def environment(settings: Settings) -> dict[str, Any]:
    """What the figures were measured on."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                                capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ""
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "git_commit": commit or None,
            "workers": int(os.environ.get("BENCH_WORKERS", 4)),
            "worker_class": os.environ.get("BENCH_WORKER_CLASS", "sync")}


def write(result: dict[str, Any]) -> None:
    RESULTS_PATH.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))


def main() -> int:
    settings = Settings.from_env()
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": asdict(settings) | {"database_url": _without_password(
            settings.database_url)},
        "environment": environment(settings),
        "scales": [], "sqlite": None, "photo": None, "wanted": None, "purchases": None}
    log(f"benchmark: scales {settings.scales}, {settings.requests} requests per page; "
        f"results in {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    for items in settings.scales:
        result["scales"].append(run_postgres_scale(settings, items))
        write(result)
    if settings.sqlite_scale:
        with tempfile.TemporaryDirectory(prefix="reuse-bench-sqlite-") as scratch:
            result["sqlite"] = run_scale(settings, settings.sqlite_scale,
                                         f"sqlite:///{Path(scratch) / 'reuse_bench.db'}",
                                         kind="SQLite", with_load=False)
        write(result)
    photo_errors: list[dict[str, str]] = []
    if settings.photo_repeats:
        result["photo"] = run_photo(settings, photo_errors)
    wanted_errors: list[dict[str, str]] = []
    if settings.wanted_posts:
        result["wanted"] = run_wanted(settings, wanted_errors)
    purchase_errors: list[dict[str, str]] = []
    if settings.purchase_lines:
        result["purchases"] = run_purchases(settings, purchase_errors)

    result["curve"] = scale_curve(result["scales"])
    result["verdict"] = verdict(result, settings)
    result["errors"] = [
        {"where": f"{entry['database']} {entry['items']:,} items", **error}
        for entry in [*result["scales"], *filter(None, [result["sqlite"]])]
        for error in entry["errors"]] + [{"where": "photo", **error} for error in photo_errors] \
        + [{"where": "wanted", **error} for error in wanted_errors] \
        + [{"where": "purchases", **error} for error in purchase_errors]
    result["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    write(result)
    print_report(result)
    print(f"\nwritten: {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    missed = [check for check in result["verdict"] if check["met"] is False]
    if result["errors"]:
        print(f"{len(result['errors'])} failure(s): exit status 1")
        return 1
    if missed and settings.strict:
        print(f"{len(missed)} target(s) missed and BENCH_STRICT is set: exit status 1")
        return 1
    return 0


def run_postgres_scale(settings: Settings, items: int) -> dict[str, Any]:
    try:
        recreate_postgres(settings.database_url, settings.admin_database)
    except Exception as error:
        return {"database": "PostgreSQL", "items": items, "records": items * RECORDS_PER_ITEM,
                "errors": [{"page": "scale", "error": f"recreating the database: {error}"}]}
    return run_scale(settings, items, settings.database_url, kind="PostgreSQL",
                     with_load=items == settings.load_scale and settings.load_seconds > 0)


def _without_password(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
