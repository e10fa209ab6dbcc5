"""Warm page timings over HTTP, each page beside a baseline measured in the same run.

`measure()` warms every page up, then requests them in rounds (one request of each page and
baseline in turn), one request at a time, so each is timed alone on the server; it reports
p50 and p95 of the wall time per request as the client sees it. The client is on the same
machine and talks over loopback, where the network itself adds tens of microseconds: the
figures are server time. What is spent outside the app (gunicorn, the connection, the
client's parsing) is measured too, as the gap between the wall time and the app's own time
(X-Bench-Server-Ms): `outside_app_ms`, about 1.5 ms per request on the 2-core machine.

Baselines, measured in the same run so that a noisy machine moves both sides alike:
- browse, item and check: bench.baseline_app's in-memory pages (same templates, same
  number of cards, no database work); the ratio page p95 / baseline p95 is what the
  database work adds to the framework's own cost;
- reports: the raw SQL aggregate behind the figures (sum of the ledger for the year, and
  for the unit's subtree), timed on a direct connection: the database's own cost.

Try it against a server that is already running, or let it start one:

    .venv/bin/python -m bench.http_pages --fixture F.json --database-url URL [--requests 50]
    .venv/bin/python -m bench.http_pages --fixture F.json --base-url http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, create_engine, text

from bench.server import Client, Response, form_token, login, serve
from reuse.models.base import UTCDateTime

TARGET_RATIO = 2.0  # page p95 at most twice its bare-framework baseline's
TARGET_REPORT_MS = 200.0  # a report page's p95, absolute
# Against the bare Flask + Jinja page (bench.bare_app): browse, search and the item page p50
# at most three times its p50; the year's report p95 and the API list p50, absolute.
TARGET_BARE_RATIO = 3.0
TARGET_YEAR_REPORT_MS = 150.0
TARGET_API_LIST_MS = 30.0
BARE = "bare"  # the bare page's probe
BARE_COMPILED = "bare_compiled"  # the same page, its template compiled once: the floor
# Closed loop: this many clients without think time, each page for CLOSED_LOOP_SECONDS in
# two turns alternating with the others; share of the bare page's throughput targeted.
CLOSED_LOOP_CLIENTS = 16
CLOSED_LOOP_SECONDS = 10.0
THROUGHPUT_TARGETS = {"browse": 0.25, "search_common": 0.15}
SIZE_TOLERANCE = 0.15  # a baseline page this much smaller or larger than its page is unfair
OSLO = ZoneInfo("Europe/Oslo")
T = TypeVar("T")
DEFAULT_CONDITION = "good"


class MeasurementError(RuntimeError):
    """A page answered something other than expected: the figures would be meaningless."""


@dataclass(frozen=True)
class Target:
    # "ratio": p95 / baseline p95 at most `limit`; "bare": p50 / the bare page's p50 at most
    # `limit`; "ms": p95 at most `limit`; "p50_ms": p50 at most `limit`.
    kind: str
    limit: float

    def describe(self) -> str:
        return {"ratio": f"p95 ≤ {self.limit:g}× baseline",
                "bare": f"p50 ≤ {self.limit:g}× bare",
                "ms": f"p95 ≤ {self.limit:g} ms",
                "p50_ms": f"p50 ≤ {self.limit:g} ms"}[self.kind]


@dataclass(frozen=True)
class Page:
    """One page to time: how to send it, what it must answer, and what it is compared to."""

    name: str
    label: str
    send: Callable[[Client, int], Response]  # (client, request number) -> response
    client: str  # "member", "lead", "api" or "anonymous"
    expect: frozenset[int] = frozenset({200})
    baseline: str | None = None
    target: Target | None = None
    # The bare page with the same template, when the baseline is not one (the reports):
    # for reading, and to check that the bare page is the same size as the real one.
    template: str | None = None


@dataclass
class Series:
    """The timings of one page or baseline, and what its answers looked like."""

    requests: int
    p50_ms: float
    p95_ms: float
    mean_ms: float
    min_ms: float
    max_ms: float
    queries: float | None = None  # SQL statements per request (median), from X-Bench-Queries
    query_p50_ms: float | None = None  # time spent in them (median), from X-Bench-Query-Ms
    app_p50_ms: float | None = None  # the app's own time (median), from X-Bench-Server-Ms
    bytes: int | None = None  # body size (median)
    workers: int | None = None  # distinct gunicorn workers seen during the warm-up
    extra: dict[str, Any] = field(default_factory=dict)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), interpolating between the nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(times_s: list[float], **details: Any) -> Series:
    ms = [t * 1000 for t in times_s]
    return Series(len(ms), round(percentile(ms, 50), 3), round(percentile(ms, 95), 3),
                  round(statistics.fmean(ms), 3), round(min(ms), 3), round(max(ms), 3),
                  **details)


# -- the pages ---------------------------------------------------------------------------------

def _get(path_of: Callable[[int], str]) -> Callable[[Client, int], Response]:
    return lambda client, number: client.get(path_of(number))


def pages(fixture: dict[str, Any], receipts: list[str]) -> list[Page]:
    """The measured pages, in the order they are measured.

    `receipts` collects the addresses the check POSTs redirect to; the receipt page cycles
    through them, so it is measured after the creation.
    """
    year = int(fixture["report_year"])
    period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
    item_ids = list(fixture["sample_item_ids"])
    filtered = {"category": fixture["filter_category_slug"],
                "condition": fixture.get("filter_condition", DEFAULT_CONDITION)}
    check_form: dict[str, str] = {}

    def create_check(client: Client, number: int) -> Response:
        if not check_form:  # the session's CSRF token does not expire (WTF_CSRF_TIME_LIMIT)
            check_form.update(csrf_token=form_token(client, "/checks/new"),
                              need=fixture["common_word"], category="", quantity="")
        response = client.post_form("/checks/new", check_form)
        if response.location:
            receipts.append(response.location)
        return response

    def receipt(client: Client, number: int) -> Response:
        if not receipts:
            raise MeasurementError("no reuse check was created, so there is no receipt")
        return client.get(receipts[number % len(receipts)])

    ratio = Target("ratio", TARGET_RATIO)
    bare = Target("bare", TARGET_BARE_RATIO)
    report_ms = Target("ms", TARGET_REPORT_MS)
    return [
        Page("browse", "browse /", _get(lambda n: "/"), "member",
             baseline="browse", target=bare),
        Page("search_common", "search, common word",
             _get(lambda n: "/?" + urlencode({"q": fixture["common_word"]})), "member",
             baseline="browse", target=bare),
        Page("search_rare", "search, rare word",
             _get(lambda n: "/?" + urlencode({"q": fixture["rare_word"]})), "member",
             baseline="browse", target=bare),
        Page("filtered", "browse, category + condition",
             _get(lambda n: "/?" + urlencode(filtered)), "member",
             baseline="browse", target=ratio),
        Page("item", "item page", _get(lambda n: f"/items/{item_ids[n % len(item_ids)]}"),
             "member", baseline="item", target=bare),
        Page("check_create", "reuse check, POST", create_check, "member",
             expect=frozenset({302, 303}), baseline="check", target=ratio),
        Page("check_receipt", "reuse check receipt", receipt, "member",
             baseline="check", target=ratio),
        Page("report_year", f"report {year}", _get(lambda n: "/reports?" + urlencode(period)),
             "lead", baseline="report_sql", target=Target("ms", TARGET_YEAR_REPORT_MS),
             template="report"),
        Page("report_unit", f"report {year}, one unit",
             _get(lambda n: "/reports?" + urlencode(
                 {**period, "unit": fixture["report_unit_id"]})),
             "lead", baseline="report_unit_sql", target=report_ms, template="report"),
        Page("api_items", "API GET /api/v1/items", _get(lambda n: "/api/v1/items"), "api",
             baseline="browse", target=Target("p50_ms", TARGET_API_LIST_MS)),
    ]


def baseline_pages(fixture: dict[str, Any]) -> list[Page]:
    """bench.baseline_app's in-memory pages; no login (they sign in from memory)."""
    item_ids = list(fixture["sample_item_ids"])
    return [
        Page(BARE, "bare Flask + Jinja, 24 cards", _get(lambda n: "/_bare/cards"),
             "anonymous"),
        Page(BARE_COMPILED, "bare, template compiled once",
             _get(lambda n: "/_bare/cards-compiled"), "anonymous"),
        Page("browse", "bare browse", _get(lambda n: "/_baseline/browse"), "anonymous"),
        Page("item", "bare item page",
             _get(lambda n: f"/_baseline/item/{item_ids[n % len(item_ids)]}"), "anonymous"),
        Page("check", "bare check receipt", _get(lambda n: "/_baseline/check"), "anonymous"),
        Page("report", "bare report", _get(lambda n: "/_baseline/report"), "anonymous"),
    ]


# -- probes: one timed thing each, a page over HTTP or a statement on a connection ---------------

@dataclass(frozen=True)
class Sample:
    seconds: float
    bytes: int | None = None
    queries: float | None = None
    query_ms: float | None = None
    app_ms: float | None = None


@dataclass
class Probe:
    """Something to time, with how to warm it up; collects its samples."""

    name: str
    label: str
    once: Callable[[int], Sample]  # request number -> one timed sample (raises on failure)
    warm: Callable[[int], int | None]  # count -> distinct workers seen (None: not known)
    samples: list[Sample] = field(default_factory=list)
    workers: int | None = None
    error: str | None = None

    def series(self) -> Series:
        queries = [s.queries for s in self.samples if s.queries is not None]
        query_ms = [s.query_ms for s in self.samples if s.query_ms is not None]
        sizes = [s.bytes for s in self.samples if s.bytes is not None]
        app_ms = [s.app_ms for s in self.samples if s.app_ms is not None]
        return summarise(
            [s.seconds for s in self.samples], workers=self.workers,
            bytes=int(statistics.median(sizes)) if sizes else None,
            queries=statistics.median(queries) if queries else None,
            query_p50_ms=round(statistics.median(query_ms), 3) if query_ms else None,
            app_p50_ms=round(statistics.median(app_ms), 3) if app_ms else None,
            extra={"queries_max": max(queries)} if queries else {})


def _checked(page: Page, response: Response) -> Response:
    if response.status not in page.expect:
        snippet = re.sub(r"\s+", " ", response.text)[:300]
        raise MeasurementError(
            f"{page.name}: answered {response.status}, expected "
            f"{'/'.join(map(str, sorted(page.expect)))}: {snippet}")
    return response


def _header_number(response: Response, name: str) -> float | None:
    value = response.headers.get(name)
    return float(value) if value is not None else None


def _clone(client: Client) -> Client:
    """Another connection with the same session (for warming workers up in parallel)."""
    return Client(client.base_url, headers=dict(client.headers), cookies=dict(client.cookies))


def http_probe(page: Page, client: Client, workers: int) -> Probe:
    def once(number: int) -> Sample:
        started = time.perf_counter()
        response = page.send(client, number)
        elapsed = time.perf_counter() - started
        _checked(page, response)
        return Sample(elapsed, len(response.body), _header_number(response, "X-Bench-Queries"),
                      _header_number(response, "X-Bench-Query-Ms"),
                      _header_number(response, "X-Bench-Server-Ms"))

    return Probe(page.name, page.label, once,
                 lambda count: _warm_up(page, client, count, workers))


def _warm_up(page: Page, client: Client, count: int, workers: int) -> int | None:
    """`count` requests from as many parallel connections as there are workers.

    Sequential requests might all land on one worker; parallel ones reach them all, so no
    worker renders a template or fills a cache for the first time while being timed.
    Goes on (a few rounds at most) until every worker has answered, if the server says
    which worker it is. Returns how many distinct workers answered.
    """
    seen: set[str] = set()
    lock = threading.Lock()
    clients = [_clone(client) for _ in range(workers)]

    def run(slot: int, first: int) -> None:
        # Each thread its own connection: http.client connections are not thread-safe.
        for number in range(first + slot, first + count, workers):
            response = _checked(page, page.send(clients[slot], number))
            with lock:
                seen.add(response.headers.get("X-Bench-Worker", ""))

    try:
        for round_ in range(5):
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, range(workers), [round_ * count] * workers))
            if "" in seen or len(seen) >= workers:
                break
    finally:
        for other in clients:
            other.close()
    return None if "" in seen else len(seen)


# -- the database's own cost -------------------------------------------------------------------

_YEAR_SUMS = """
SELECT count(*), coalesce(sum(quantity), 0), coalesce(sum(avoided_cost_nok), 0),
       coalesce(sum(avoided_co2e_kg), 0), coalesce(sum(avoided_waste_kg), 0)
FROM reuse_record
WHERE recorded_at >= :start AND recorded_at < :end
"""

_UNIT_SUMS = """
WITH RECURSIVE subtree(id) AS (
    SELECT id FROM unit WHERE id = :unit
    UNION ALL
    SELECT unit.id FROM unit JOIN subtree ON unit.parent_id = subtree.id
)
SELECT count(*), coalesce(sum(quantity), 0), coalesce(sum(avoided_cost_nok), 0),
       coalesce(sum(avoided_co2e_kg), 0), coalesce(sum(avoided_waste_kg), 0)
FROM reuse_record
WHERE recorded_at >= :start AND recorded_at < :end
  AND to_unit_id IN (SELECT id FROM subtree)
"""


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The year as the report counts it: Oslo midnight to Oslo midnight (bound as UTC)."""
    return datetime(year, 1, 1, tzinfo=OSLO), datetime(year + 1, 1, 1, tzinfo=OSLO)


def sql_probes(connection: Connection, fixture: dict[str, Any]) -> list[Probe]:
    """The raw aggregates behind the year's report and the unit's, on one connection."""
    start, end = year_bounds(int(fixture["report_year"]))
    # Bound through the app's column type, so SQLite compares its stored text form.
    bounds = [bindparam("start", start, type_=UTCDateTime()),
              bindparam("end", end, type_=UTCDateTime())]
    statements = {
        "report_sql": ("SQL: the year's sums", text(_YEAR_SUMS).bindparams(*bounds), {}),
        "report_unit_sql": ("SQL: the unit subtree's sums",
                            text(_UNIT_SUMS).bindparams(*bounds),
                            {"unit": int(fixture["report_unit_id"])}),
    }

    def probe(name: str, label: str, statement, values: dict[str, Any]) -> Probe:
        def once(number: int) -> Sample:
            started = time.perf_counter()
            connection.execute(statement, values).one()
            elapsed = time.perf_counter() - started
            connection.rollback()  # no snapshot held open between the page requests
            return Sample(elapsed)

        def warm(count: int) -> None:
            for number in range(count):
                once(number)

        return Probe(name, label, once, warm)

    return [probe(name, *details) for name, details in statements.items()]


# -- everything ----------------------------------------------------------------------------------

@contextmanager
def _clients(base_url: str, fixture: dict[str, Any]) -> Iterator[dict[str, Client]]:
    password = fixture["password"]
    clients = {
        "member": login(base_url, fixture["member_email"], password),
        "lead": login(base_url, fixture["lead_email"], password),
        "api": Client(base_url, headers={"Authorization": f"Bearer {fixture['api_token']}"}),
        "anonymous": Client(base_url),
    }
    try:
        yield clients
    finally:
        for client in clients.values():
            client.close()


@contextmanager
def _connection(database_url: str | None) -> Iterator[Connection | None]:
    if not database_url:
        yield None
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def measure(base_url: str, fixture: dict[str, Any], *, requests_per_page: int = 200,
            warmup: int = 20, database_url: str | None = None, workers: int = 4,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    """Time every page and baseline; ratios and targets alongside.

    After each probe's warm-up, the timed requests go round-robin: one request of each
    page and baseline in turn, `requests_per_page` rounds. A burst of load on the machine
    then hits a page and its baseline alike, which is what keeps the ratios steady on a
    noisy machine. Within a round each request is still alone on the server.

    A probe that fails (a wrong status, a baseline that queries the database) is recorded
    under "errors" and dropped; the others go on. Without `database_url` the SQL baselines
    (and so the reports' ratios) are left out.
    """
    receipts: list[str] = []
    measured = pages(fixture, receipts)
    with _clients(base_url, fixture) as clients, _connection(database_url) as connection:
        baselines = [http_probe(page, clients[page.client], workers)
                     for page in baseline_pages(fixture)]
        baselines += sql_probes(connection, fixture) if connection is not None else []
        probes = [*baselines, *(http_probe(page, clients[page.client], workers)
                                for page in measured)]
        log(f"warming up ({warmup} requests each, {workers} connections in parallel)")
        for probe in probes:
            probe.workers = _attempt(probe, probe.warm, warmup)
        log(f"timing {requests_per_page} rounds of {len(probes)} probes")
        for number in range(requests_per_page):
            for probe in probes:
                sample = _attempt(probe, probe.once, warmup * 5 + number)
                if sample is not None:
                    probe.samples.append(sample)
        log(f"closed loop: {CLOSED_LOOP_CLIENTS} clients without think time")
        loop = closed_loop(clients, fixture)
    result: dict[str, Any] = {
        "base_url": base_url, "requests_per_page": requests_per_page, "warmup": warmup,
        "pages": {}, "baselines": {}, "errors": [], "closed_loop": loop}
    for probe in probes:
        into = result["baselines"] if probe in baselines else result["pages"]
        if probe.error is not None:
            result["errors"].append({"page": probe.name, "error": probe.error})
            log(f"  {probe.name:<16} FAILED: {probe.error}")
            continue
        series = probe.series()
        into[probe.name] = {"label": probe.label, **asdict(series)}
        queries = f"{series.queries:g} queries" if series.queries is not None else ""
        log(f"  {probe.name:<16} p50 {series.p50_ms:8.2f} ms   p95 {series.p95_ms:8.2f} ms   "
            f"{queries}")
        if into is result["baselines"] and series.queries:
            result["errors"].append({"page": f"baseline {probe.name}", "error": (
                f"ran {series.queries:g} queries per request; a baseline must not touch "
                "the database")})
    _compare(result, measured)
    result["outside_app_ms"] = transport_overhead(result)
    return result


def closed_loop(clients: dict[str, Client], fixture: dict[str, Any], *,
                users: int = CLOSED_LOOP_CLIENTS,
                seconds: float = CLOSED_LOOP_SECONDS) -> dict[str, Any]:
    """Requests per second with `users` clients and no think time, for the bare page, browse
    and the common-word search: each in two turns of seconds / 2, taking turns with the
    others, so a busy moment on the machine falls on all of them alike."""
    targets = {BARE: (clients["anonymous"], "/_bare/cards"),
               BARE_COMPILED: (clients["anonymous"], "/_bare/cards-compiled"),
               "browse": (clients["member"], "/"),
               "search_common": (clients["member"],
                                 "/?" + urlencode({"q": fixture["common_word"]}))}
    done = {name: [0, 0, 0.0] for name in targets}  # answered 200, failed, seconds
    for _turn in range(2):
        for name, (client, path) in targets.items():
            answered, failed, took = _closed_turn(client, path, users, seconds / 2)
            done[name][0] += answered
            done[name][1] += failed
            done[name][2] += took
    pages: dict[str, Any] = {}
    bare_rps = done[BARE][0] / done[BARE][2] if done[BARE][2] else None
    for name, (answered, failed, took) in done.items():
        rps = answered / took if took else 0.0
        entry: dict[str, Any] = {"rps": round(rps, 1), "errors": failed}
        if name not in (BARE, BARE_COMPILED) and bare_rps:
            entry["share"] = round(rps / bare_rps, 3)
            if name in THROUGHPUT_TARGETS:
                entry["target"] = THROUGHPUT_TARGETS[name]
                entry["met"] = failed == 0 and entry["share"] >= entry["target"]
        pages[name] = entry
    return {"clients": users, "seconds": seconds, "pages": pages}


def _closed_turn(client: Client, path: str, users: int, seconds: float
                 ) -> tuple[int, int, float]:
    """`users` threads, each its own connection, requesting `path` back to back."""
    answered, failed = [0] * users, [0] * users
    connections = [_clone(client) for _ in range(users)]
    started = time.perf_counter()
    deadline = started + seconds

    def run(slot: int) -> None:
        while time.perf_counter() < deadline:
            try:
                ok = connections[slot].get(path).status == 200
            except OSError:
                ok = False
            if ok:
                answered[slot] += 1
            else:
                failed[slot] += 1

    try:
        with ThreadPoolExecutor(users) as pool:
            list(pool.map(run, range(users)))
    finally:
        for connection in connections:
            connection.close()
    return sum(answered), sum(failed), time.perf_counter() - started


def _attempt(probe: Probe, step: Callable[[int], T], argument: int) -> T | None:
    """A step of a probe; a failure marks the probe failed instead of ending the run."""
    if probe.error is not None:
        return None
    try:
        return step(argument)
    except Exception as error:  # one page failing must not hide the others' figures
        probe.error = f"{type(error).__name__}: {error}"
        return None


def _compare(result: dict[str, Any], measured: list[Page]) -> None:
    """Each page's baseline, ratio, target and verdict, and how its size compares."""
    baselines = result["baselines"]
    bare = baselines.get(BARE)
    for page in measured:
        entry = result["pages"].get(page.name)
        if entry is None:
            continue
        base = baselines.get(page.baseline) if page.baseline else None
        ratio = (round(entry["p95_ms"] / base["p95_ms"], 2)
                 if base and base["p95_ms"] > 0 else None)
        bare_ratio = (round(entry["p50_ms"] / bare["p50_ms"], 2)
                      if bare and bare["p50_ms"] > 0 else None)
        entry.update(baseline=page.baseline, baseline_p95_ms=base["p95_ms"] if base else None,
                     ratio=ratio, bare_ratio=bare_ratio,
                     target=page.target.describe() if page.target else None,
                     target_kind=page.target.kind if page.target else None,
                     met=_met(page.target, entry, ratio, bare_ratio))
        same_template = baselines.get(page.template) if page.template else base
        if same_template and same_template.get("bytes") and entry.get("bytes"):
            entry["size_vs_template"] = round(entry["bytes"] / same_template["bytes"], 2)
        if page.template and same_template and same_template["p95_ms"] > 0:
            entry.update(template=page.template, template_p95_ms=same_template["p95_ms"],
                         template_ratio=round(entry["p95_ms"] / same_template["p95_ms"], 2))


def _met(target: Target | None, entry: dict[str, Any], ratio: float | None,
         bare_ratio: float | None) -> bool | None:
    if target is None:
        return None
    if target.kind == "ms":
        return entry["p95_ms"] <= target.limit
    if target.kind == "p50_ms":
        return entry["p50_ms"] <= target.limit
    found = ratio if target.kind == "ratio" else bare_ratio
    return None if found is None else found <= target.limit


def unfair_sizes(result: dict[str, Any]) -> list[str]:
    """Pages whose bare twin renders a clearly different amount of HTML (it should not).

    Only where the two show the same data: browse (search and filters show other cards),
    the item pages, the receipt, and the year's report.
    """
    like_for_like = ("browse", "item", "check_receipt", "report_year")
    return [f"{name}: page {entry['bytes']} bytes, bare page "
            f"{round(entry['bytes'] / entry['size_vs_template'])} bytes"
            for name, entry in result["pages"].items()
            if name in like_for_like and entry.get("size_vs_template")
            and abs(entry["size_vs_template"] - 1) > SIZE_TOLERANCE]


def format_table(result: dict[str, Any]) -> str:
    """The pages with their baselines, ratios and targets; then the baselines themselves.

    "SQL ms" is the median time a request spent in its queries, "KB" the page's size.
    """
    header = (f"{'page':<30}{'p50 ms':>8}{'p95 ms':>9}{'÷ bare':>8}{'queries':>8}{'SQL ms':>8}"
              f"{'KB':>7}  {'baseline':<16}{'base p95':>9}{'ratio':>7}  {'target':<22}met?")
    lines = [header, "-" * len(header)]
    for name, entry in result["pages"].items():
        lines.append(f"{entry['label'] or name:<30}{entry['p50_ms']:8.2f}{entry['p95_ms']:9.2f}"
                     f"{_cell(entry.get('bare_ratio'), 8, '.1f')}"
                     f"{_cell(entry.get('queries'), 8, 'g')}"
                     f"{_cell(entry.get('query_p50_ms'), 8, '.1f')}"
                     f"{_cell(_kb(entry.get('bytes')), 7, '.0f')}  "
                     f"{entry.get('baseline') or '–':<16}"
                     f"{_cell(entry.get('baseline_p95_ms'), 9, '.2f')}"
                     f"{_cell(entry.get('ratio'), 7, '.2f')}  {entry.get('target') or '–':<22}"
                     f"{ {True: 'yes', False: 'NO', None: '–'}[entry.get('met')]}")
    for error in result["errors"]:
        lines.append(f"{error['page']:<30}FAILED: {error['error'][:200]}")
    lines.append("")
    overhead = transport_overhead(result)
    if overhead is not None:
        lines.append(f"outside the app (gunicorn, loopback, client): {overhead:.2f} ms per "
                     "request (median over the pages of p50 minus the app's own p50)")
    lines.append("baselines (p50 / p95 ms): " + "; ".join(
        f"{name} {series['p50_ms']:.2f} / {series['p95_ms']:.2f}"
        for name, series in result["baselines"].items()))
    loop = result.get("closed_loop")
    if loop:
        lines.append(f"closed loop, {loop['clients']} clients without think time, "
                     f"{loop['seconds']:g} s each: " + "; ".join(
                         f"{name} {entry['rps']:.0f} req/s"
                         + (f" ({entry['share']:.0%} of bare"
                            + (f", target ≥ {entry['target']:.0%}: "
                               f"{'yes' if entry['met'] else 'NO'}" if entry.get('target')
                               else "") + ")" if entry.get("share") is not None else "")
                         + (f", {entry['errors']} errors" if entry["errors"] else "")
                         for name, entry in loop["pages"].items()))
    return "\n".join(lines)


def transport_overhead(result: dict[str, Any]) -> float | None:
    """How much of a request's wall time is spent outside the app, typically.

    The median, over every page and HTTP baseline, of the client's p50 minus the app's own
    p50 (X-Bench-Server-Ms): gunicorn, the loopback connection and the client together.
    """
    gaps = [entry["p50_ms"] - entry["app_p50_ms"]
            for entry in [*result["pages"].values(), *result["baselines"].values()]
            if entry.get("app_p50_ms") is not None]
    return round(statistics.median(gaps), 3) if gaps else None


def _cell(value: float | None, width: int, spec: str) -> str:
    return f"{'–':>{width}}" if value is None else f"{value:>{width}{spec}}"


def _kb(size: int | None) -> float | None:
    return None if size is None else size / 1024


def main(argv: list[str] | None = None) -> int:
    from bench.baseline_app import settings_from_fixture

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixture", required=True, type=Path, help="the generator's fixture")
    parser.add_argument("--base-url", help="a running server with bench.baseline_app")
    parser.add_argument("--database-url", help="for the SQL baselines, and to start a server")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    fixture = json.loads(args.fixture.read_text())
    if args.base_url:
        result = measure(args.base_url, fixture, requests_per_page=args.requests,
                         warmup=args.warmup, database_url=args.database_url)
    elif args.database_url:
        with serve(args.database_url, env=settings_from_fixture(fixture)) as server:
            result = measure(server.base_url, fixture, requests_per_page=args.requests,
                             warmup=args.warmup, database_url=args.database_url,
                             workers=server.workers)
    else:
        parser.error("give --base-url or --database-url")
    print(format_table(result))
    for problem in unfair_sizes(result):
        print(f"warning: baseline size differs: {problem}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
