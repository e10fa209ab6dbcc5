"""Load run: mixed journeys by concurrent, logged-in users for a bounded time.

The performance target: with 50 users, zero errors and a p95 latency under 300 ms.

Standard library only (no locust, no wrk): one thread per simulated person, each with its own
keep-alive connection and its own session, pausing between pages as people do when they read
(exponentially distributed think time). Logins go through the real form in a ramp-up before
the measured window: argon2 makes them slow on purpose, and they are not what is measured.

    python bench/load.py --base-url http://127.0.0.1:8765 --fixture fixture.json \\
        [--duration 60 --users 50 --think 1.0] [--json OUT]

The exit status is 0 when the targets are met, 1 when not.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

TARGET_P95_MS = 300
TARGET_ERRORS = 0
TIMEOUT_S = 10.0
OK = frozenset({200})
REDIRECT = frozenset({302, 303})  # what a form POST answers when it worked
USER_AGENT = "reuse-load/1.0"
# Logins are argon2 hashes, CPU-bound on the server: fifty at once would only queue behind the
# workers and risk the timeout. A few at a time gets everyone in as fast.
LOGIN_CONCURRENCY = 4
REPORT_SHARE = 0.05  # of the users, logged in as the sustainability lead
ITEM_LINK = re.compile(rb'href="[^"]*/items/(\d+)"')
TITLE = re.compile(rb"<title>(.*?)</title>", re.S)


# -- one request, one sample ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Sample:
    """One measured request: its journey step, status (0 if none came), latency and fault."""

    step: str
    status: int
    latency_ms: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer, body read."""

    status: int
    headers: Message
    body: bytes

    @property
    def location(self) -> str:
        """The redirect target as a path (the server may answer with an absolute URL)."""
        parts = urlsplit(self.headers.get("Location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")


class StepFailed(Exception):
    """A step got an unexpected answer (already recorded); the journey stops there."""


class WindowClosed(Exception):
    """The measured window is over: start nothing more."""


class _CsrfFinder(HTMLParser):
    """Finds the first hidden csrf_token input; attribute order does not matter."""

    def __init__(self) -> None:
        super().__init__()
        self.token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input" and self.token is None:
            values = dict(attrs)
            if values.get("name") == "csrf_token":
                self.token = values.get("value") or ""


def csrf_token(page: bytes) -> str:
    """The page's CSRF token, or "" (the POST then fails with a 400 and is counted)."""
    finder = _CsrfFinder()
    finder.feed(page.decode("utf-8", "replace"))
    return finder.token or ""


def _page_title(body: bytes) -> str:
    match = TITLE.search(body[:4096])
    return " ".join(match.group(1).decode("utf-8", "replace").split()) if match else ""


def _problem(reply: Reply, expect: frozenset[int]) -> str | None:
    """Why an answer is an error, or None if it is what a working site sends."""
    if reply.status not in expect:
        title = _page_title(reply.body)
        return f"HTTP {reply.status}" + (f" ({title})" if title else "")
    if reply.status in REDIRECT:
        if not reply.location:
            return f"HTTP {reply.status} without a Location"
        if reply.location.startswith("/login"):
            # A lost session redirects to the login page: a 302, but not a working POST.
            return f"HTTP {reply.status} to {reply.location} (session lost)"
    return None


# -- a browser: connection and cookies ------------------------------------------------------

class Browser:
    """One person's keep-alive connection and the cookies their browser would keep.

    The server runs with REUSE_ENV=production, so its session cookie is marked Secure. A
    browser (or http.cookiejar) never sends a Secure cookie over plain http, and the load run
    talks plain http to a loopback address where production has a TLS proxy in front. So the
    cookies are kept here by hand, Secure or not, and sent back on every request.
    """

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"base URL must be http(s)://host[:port], got {base_url!r}")
        if parts.path not in {"", "/"}:
            raise ValueError("the application must be served at the root of the base URL")
        connection = (http.client.HTTPSConnection if parts.scheme == "https"
                      else http.client.HTTPConnection)
        # One connection for the person's whole visit. When the server closes it after an
        # answer (gunicorn's sync workers do), http.client opens a new one for the next request.
        self.conn = connection(parts.hostname, parts.port, timeout=TIMEOUT_S)
        self.cookies: dict[str, str] = {}
        self.stale_retries = 0

    def exchange(self, method: str, path: str, *, form: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None,
                 send_cookies: bool = True) -> Reply:
        """Send one request and read the whole answer; network faults are raised.

        send_cookies=False is an API client: it neither sends nor keeps cookies.
        """
        body = urlencode(form).encode() if form is not None else None
        sent = {"User-Agent": USER_AGENT, "Accept": "text/html"}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if send_cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        sent.update(headers or {})
        reused = self.conn.sock is not None
        try:
            reply = self._once(method, path, body, sent)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            # The server closed a kept-alive connection while this person was reading (its
            # keep-alive timeout can be shorter than a long think). Browsers retry at once on a
            # new connection, so this does too, and counts it.
            self.conn.close()
            self.stale_retries += 1
            reply = self._once(method, path, body, sent)
        if send_cookies:
            self._keep_cookies(reply.headers)
        return reply

    def _once(self, method: str, path: str, body: bytes | None,
              headers: Mapping[str, str]) -> Reply:
        try:
            self.conn.request(method, path, body=body, headers=dict(headers))
            response = self.conn.getresponse()
            return Reply(response.status, response.headers, response.read())
        except BaseException:
            self.conn.close()  # a half-read answer would poison the next request
            raise

    def _keep_cookies(self, headers: Message) -> None:
        for raw in headers.get_all("Set-Cookie") or ():
            pair, _, attributes = raw.partition(";")
            name, _, value = pair.strip().partition("=")
            if "max-age=0" in attributes.lower().replace(" ", ""):
                self.cookies.pop(name, None)  # how Flask deletes a cookie
            else:
                self.cookies[name] = value

    def close(self) -> None:
        self.conn.close()


# -- a simulated person ---------------------------------------------------------------------

@dataclass
class Window:
    """The measured window, opened by the last user to finish logging in."""

    start: float = 0.0
    deadline: float = 0.0
    cpu_start: float = 0.0
    duration_s: float = 0.0

    def open(self) -> None:
        self.start = time.perf_counter()
        self.deadline = self.start + self.duration_s
        self.cpu_start = time.process_time()


Journey = Callable[["User"], None]


@dataclass
class User:
    """One thread's person: who they are, what they tend to do, and what they measured.

    Each user keeps its own lists, merged after the threads end: no locks while measuring.
    """

    email: str
    journeys: tuple[tuple[str, Journey, float], ...]
    browser: Browser
    fixture: Mapping[str, Any]
    think_s: float
    rng: random.Random
    window: Window
    samples: list[Sample] = field(default_factory=list)
    journey_counts: dict[str, int] = field(default_factory=dict)
    wake_lag_ms: list[float] = field(default_factory=list)
    login_error: str | None = None

    def request(self, step: str, method: str, path: str, *, expect: frozenset[int] = OK,
                **options: Any) -> Reply:
        """A measured request; an unexpected answer or a network fault is an error."""
        if time.perf_counter() >= self.window.deadline:
            raise WindowClosed
        started = time.perf_counter()
        try:
            reply = self.browser.exchange(method, path, **options)
        except (OSError, http.client.HTTPException) as exc:
            latency_ms = (time.perf_counter() - started) * 1000
            fault = "timeout" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
            self.samples.append(Sample(step, 0, latency_ms, f"{step} {method} {path}: {fault}"))
            raise StepFailed from exc
        latency_ms = (time.perf_counter() - started) * 1000
        problem = _problem(reply, expect)
        if problem is not None:
            self.samples.append(Sample(step, reply.status, latency_ms,
                                       f"{step} {method} {path}: {problem}"))
            raise StepFailed
        self.samples.append(Sample(step, reply.status, latency_ms))
        return reply

    def get(self, step: str, path: str, **options: Any) -> Reply:
        return self.request(step, "GET", path, **options)

    def post_form(self, step: str, path: str, form: Mapping[str, str]) -> Reply:
        return self.request(step, "POST", path, form=form, expect=REDIRECT)

    def think(self) -> None:
        """Read the page: an exponential pause, cut short at the end of the window."""
        remaining = self.window.deadline - time.perf_counter()
        if remaining <= 0:
            raise WindowClosed
        pause = min(self.rng.expovariate(1 / self.think_s), remaining) if self.think_s else 0
        before = time.perf_counter()
        time.sleep(pause)
        # Waking late means the client itself is short of CPU (or of the GIL).
        self.wake_lag_ms.append(max(0.0, (time.perf_counter() - before - pause) * 1000))
        if time.perf_counter() >= self.window.deadline:
            raise WindowClosed

    def log_in(self, password: str) -> None:
        """Through the real form, as a browser: GET the form, POST it, follow the redirect."""
        page = self.browser.exchange("GET", "/login")
        if page.status != 200:
            raise StepFailed(f"GET /login: HTTP {page.status}")
        done = self.browser.exchange("POST", "/login", form={
            "csrf_token": csrf_token(page.body), "email": self.email, "password": password})
        if done.status not in REDIRECT or done.location.startswith("/login"):
            title = _page_title(done.body)
            raise StepFailed(f"POST /login as {self.email}: HTTP {done.status} ({title})")
        landing = self.browser.exchange("GET", done.location or "/")
        if landing.status != 200:
            raise StepFailed(f"GET {done.location} after login: HTTP {landing.status}")

    def live(self, logins: threading.Semaphore, ramp_up: threading.Barrier) -> None:
        """Log in, wait for everyone, then do journeys until the window closes."""
        try:
            with logins:
                self.log_in(self.fixture["password"])
        except (StepFailed, OSError, http.client.HTTPException) as exc:
            self.login_error = str(exc) or type(exc).__name__
        finally:
            ramp_up.wait()
        if self.login_error is not None:
            return
        names = [name for name, _, _ in self.journeys]
        weights = [weight for _, _, weight in self.journeys]
        actions = {name: journey for name, journey, _ in self.journeys}
        try:
            while True:
                # Start with a pause too, so fifty people do not all click at once.
                self.think()
                name = self.rng.choices(names, weights)[0]
                self.journey_counts[name] = self.journey_counts.get(name, 0) + 1
                # A failed step is recorded already; like a person after an error page,
                # the user leaves that journey and starts another.
                with contextlib.suppress(StepFailed):
                    actions[name](self)
        except WindowClosed:
            pass
        finally:
            self.browser.close()


# -- the journeys ---------------------------------------------------------------------------

def _query(path: str, **params: object) -> str:
    return f"{path}?{urlencode(params)}"


def browse(user: User) -> None:
    """The front page, then the next page of it."""
    user.get("browse", "/")
    user.think()
    user.get("browse_page2", _query("/", page=2))


def search_and_open(user: User) -> None:
    """A search with a common word, then one of the items it found."""
    found = user.get("search_common", _query("/", q=user.fixture["common_word"]))
    ids = ITEM_LINK.findall(found.body)
    user.think()
    item_id = int(user.rng.choice(ids)) if ids else user.rng.choice(
        user.fixture["sample_item_ids"])
    user.get("item_detail", f"/items/{item_id}")


def search_rare(user: User) -> None:
    """A search with a word few items have."""
    user.get("search_rare", _query("/", q=user.fixture["rare_word"]))


def browse_category(user: User) -> None:
    user.get("browse_category", _query("/", category=user.fixture["filter_category_slug"]))


def reuse_check(user: User) -> None:
    """Register a reuse check before buying: the form, the POST, and the check it shows."""
    form = user.get("check_form", "/checks/new")
    user.think()  # typing the need
    common, rare = user.fixture["common_word"], user.fixture["rare_word"]
    need = user.rng.choice((common, f"{common} til møterom", rare))
    done = user.post_form("check_submit", "/checks/new", {
        "csrf_token": csrf_token(form.body), "need": need, "category": "", "quantity": ""})
    user.get("check_detail", done.location)


def api_items(user: User) -> None:
    """Another system lists the available items through the API (a bearer token, no cookie)."""
    user.get("api_items", _query("/api/v1/items", per_page=20), send_cookies=False,
             headers={"Authorization": f"Bearer {user.fixture['api_token']}",
                      "Accept": "application/json"})


def year_report(user: User) -> None:
    """The sustainability lead opens this year's report, as the "I år" link does."""
    year = user.fixture["report_year"]
    user.get("year_report", _query("/reports", **{"from": f"{year}-01-01",
                                                  "to": f"{year}-12-31"}))


# Weights in percent, as in the issue. The year report's 5 % are the lead sessions instead:
# about 5 % of the users, each reading the report again and again. As everyone makes about
# one request per think time, 5 % of the users make about 5 % of the requests.
MEMBER_JOURNEYS: tuple[tuple[str, Journey, float], ...] = (
    ("browse", browse, 30),
    ("search_and_open", search_and_open, 30),
    ("search_rare", search_rare, 10),
    ("browse_category", browse_category, 10),
    ("reuse_check", reuse_check, 10),
    ("api_items", api_items, 5),
)
LEAD_JOURNEYS: tuple[tuple[str, Journey, float], ...] = (("year_report", year_report, 1),)


# -- the run --------------------------------------------------------------------------------

def lead_sessions(users: int) -> int:
    """How many users are the sustainability lead: about 5 %, at least one, never all."""
    return min(users - 1, math.ceil(users * REPORT_SHARE)) if users > 1 else 0


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an already sorted list (None if empty)."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def run(base_url: str, fixture: dict, *, duration_s: float = 60, users: int = 50,
        think_s: float = 1.0) -> dict:
    """Log everyone in, run the journeys for duration_s seconds, and summarise.

    About 5 % of the users are sessions of the fixture's lead_email and open the year report;
    the rest are members from load_user_emails doing the member journeys. "errors" counts
    failed requests in the window and failed logins (also given apart, as "login_failures").
    """
    if users < 1 or duration_s <= 0 or think_s < 0:
        raise ValueError("need users >= 1, duration_s > 0 and think_s >= 0")
    leads = lead_sessions(users)
    members = list(fixture["load_user_emails"])[:users - leads]
    if len(members) < users - leads:
        raise ValueError(f"{users - leads} member users needed, the fixture has {len(members)}")
    cast = [(fixture["lead_email"], LEAD_JOURNEYS)] * leads + [
        (email, MEMBER_JOURNEYS) for email in members]

    window = Window(duration_s=duration_s)
    ramp_up = threading.Barrier(users, action=window.open)
    logins = threading.Semaphore(LOGIN_CONCURRENCY)
    people = [User(email, journeys, Browser(base_url), fixture, think_s,
                   random.Random(f"{email}/{index}"), window)
              for index, (email, journeys) in enumerate(cast)]
    threads = [threading.Thread(target=person.live, args=(logins, ramp_up),
                                name=f"user-{index}", daemon=True)
               for index, person in enumerate(people)]
    ramp_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed_s = time.perf_counter() - window.start
    client_cpu_s = time.process_time() - window.cpu_start

    return summarise(
        people, users=users, duration_s=duration_s, think_s=think_s,
        elapsed_s=elapsed_s, client_cpu_s=client_cpu_s,
        ramp_up_s=window.start - ramp_started, leads=leads)


def summarise(people: list[User], *, users: int, duration_s: float, think_s: float,
              elapsed_s: float, client_cpu_s: float, ramp_up_s: float, leads: int) -> dict:
    """The figures of a run, as run() returns them."""
    samples = [sample for person in people for sample in person.samples]
    latencies = sorted(sample.latency_ms for sample in samples)
    faults = [sample.error for sample in samples if sample.error is not None]
    login_failures = [f"login: {p.login_error}" for p in people if p.login_error is not None]
    steps: dict[str, list[Sample]] = {}
    for sample in samples:
        steps.setdefault(sample.step, []).append(sample)
    by_step: dict[str, dict] = {}
    for step, group in sorted(steps.items()):
        ordered = sorted(sample.latency_ms for sample in group)
        by_step[step] = {"count": len(group), "p50_ms": _ms(percentile(ordered, 50)),
                         "p95_ms": _ms(percentile(ordered, 95)),
                         "errors": sum(sample.error is not None for sample in group)}
    journeys: dict[str, int] = {}
    for person in people:
        for name, count in person.journey_counts.items():
            journeys[name] = journeys.get(name, 0) + count
    p95 = percentile(latencies, 95)
    lag = sorted(value for person in people for value in person.wake_lag_ms)
    return {
        "users": users,
        "duration_s": duration_s,
        "think_s": think_s,
        "requests": len(samples),
        "throughput_rps": round(len(samples) / elapsed_s, 1) if elapsed_s > 0 else 0.0,
        "p50_ms": _ms(percentile(latencies, 50)),
        "p95_ms": _ms(p95),
        "p99_ms": _ms(percentile(latencies, 99)),
        "max_ms": _ms(latencies[-1] if latencies else None),
        # A failed login counts too: that user never took part, so the run is not the one
        # asked for. (Logins are not timed, so they are in no step.)
        "errors": len(faults) + len(login_failures),
        # Distinct messages first: five copies of one fault would hide a second one.
        "error_samples": list(dict.fromkeys(login_failures + faults))[:5],
        "by_step": by_step,
        "targets": {"p95_ms": TARGET_P95_MS, "errors": TARGET_ERRORS},
        "met": p95 is not None and p95 < TARGET_P95_MS
        and len(faults) + len(login_failures) <= TARGET_ERRORS,
        # Beyond the figures: how the run went, and whether the client kept up.
        "window_s": round(elapsed_s, 1),
        "ramp_up_s": round(ramp_up_s, 1),
        "lead_sessions": leads,
        "login_failures": len(login_failures),
        "journeys": dict(sorted(journeys.items())),
        "client": {
            "cpus": os.cpu_count(),
            "cpu_s": round(client_cpu_s, 2),
            # Python threads share one GIL, so one core is all the client can ever use.
            "cpu_pct_of_one_core": round(100 * client_cpu_s / elapsed_s, 1) if elapsed_s else 0,
            "wake_lag_p95_ms": _ms(percentile(lag, 95)),
            "stale_connection_retries": sum(p.browser.stale_retries for p in people),
        },
    }


# -- command line ---------------------------------------------------------------------------

def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def format_summary(result: dict, base_url: str) -> str:
    """A readable report of run()'s result."""
    client = result["client"]
    think = (f"think time exponential with mean {result['think_s']:g} s" if result["think_s"]
             else "no think time")
    lines = [
        f"Load run against {base_url}: {result['users']} users "
        f"({result['lead_sessions']} as the sustainability lead), "
        f"{result['duration_s']:g} s after a {result['ramp_up_s']:g} s login ramp-up, {think}",
        f"Requests: {result['requests']} in {result['window_s']:g} s = "
        f"{result['throughput_rps']:g} req/s; errors: {result['errors']}"
        + (f", of them failed logins: {result['login_failures']}"
           if result["login_failures"] else ""),
        f"Latency: p50 {_fmt(result['p50_ms'])} ms, p95 {_fmt(result['p95_ms'])} ms, "
        f"p99 {_fmt(result['p99_ms'])} ms, max {_fmt(result['max_ms'])} ms",
        "",
        f"{'step':<18}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}",
    ]
    for step, figures in result["by_step"].items():
        lines.append(f"{step:<18}{figures['count']:>7}{_fmt(figures['p50_ms']):>9}"
                     f"{_fmt(figures['p95_ms']):>9}{figures['errors']:>8}")
    journeys = ", ".join(f"{name} {count}" for name, count in result["journeys"].items())
    lines += ["", f"Journeys: {journeys or 'none'}"]
    if result["requests"]:  # without requests, the window was too short to say anything
        lines.append(
            f"Client: {client['cpu_s']:g} s CPU = {client['cpu_pct_of_one_core']:g} % of one "
            f"core (the most Python threads can use); wake-up lag p95 "
            f"{_fmt(client['wake_lag_p95_ms'])} ms; stale keep-alive retries "
            f"{client['stale_connection_retries']}.")
        if client["cpu_pct_of_one_core"] > 50:
            lines.append("Warning: the client used over half a core; it may be the bottleneck.")
    host = urlsplit(base_url).hostname or ""
    if host == "localhost" or host == "::1" or host.startswith("127."):
        lines.append(
            f"The server is on this machine: client and server share its {client['cpus']} "
            "CPUs, so whatever CPU the client uses is taken from the server.")
    if result["error_samples"]:
        lines += ["", "Error samples:", *(f"  {text}" for text in result["error_samples"])]
    targets = result["targets"]
    p95_ok = result["p95_ms"] is not None and result["p95_ms"] < targets["p95_ms"]
    errors_ok = result["errors"] <= targets["errors"]
    lines += ["", f"Targets: p95 < {targets['p95_ms']:g} ms: {'yes' if p95_ok else 'no'}; "
                  f"errors = {targets['errors']}: {'yes' if errors_ok else 'no'} -> "
                  + ("MET" if result["met"] else "NOT MET")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8765")
    parser.add_argument("--fixture", required=True, help="JSON with the users, token and words")
    parser.add_argument("--duration", type=float, default=60, help="measured seconds")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--json", dest="json_out", help="also write the result to this file")
    args = parser.parse_args(argv)
    with open(args.fixture, encoding="utf-8") as handle:
        fixture = json.load(handle)
    result = run(args.base_url, fixture, duration_s=args.duration, users=args.users,
                 think_s=args.think)
    print(format_summary(result, args.base_url))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
