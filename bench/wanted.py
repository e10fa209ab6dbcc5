"""Benchmark of wanted-request fan-out: posting an item with 0 and with 10 000 active wanted
requests in the database, and the job run that matches one new item against them.

Two PostgreSQL databases, alike except that one holds 10 000 active wanted requests (a
thousand people at the limit of ten, a realistic mix of words and categories, a share of them
matching what is posted). The real app runs in this process, once per database, and the
posts alternate between the two — page POST /items/new, then API POST /api/v1/items — so a
busy moment on the machine hits both sides alike. Target: posting with 10 000 requests
within 1.2 × of posting with none (p50 and p95), because posting no longer matches.

Then, on the full database, one matching item is posted and `run-jobs`' matching step is
timed: how long finding its requesters among 10 000 and writing their notifications takes
(the e-mails themselves go out in the same run's delivery step, timed apart).

    python -m bench.wanted --empty-url URL --full-url URL [--posts N]   (empty databases)
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import secrets
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

TARGET_RATIO = 1.2
WANTED_REQUESTS = 10_000
PASSWORD = "bench-wanted-passord-1"
# Production settings answer only requests addressed to BASE_URL's host (others get 400).
BASE_URL = "https://gjenbruk.bench"
# What people wish for: (words, category slug or None). Requests that the items posted below
# match, and (OTHER_WISHES) the much larger rest, for everything else the kommune uses.
MATCHING_SHARE = 0.02
WISHES = [
    ("kontorstol", None), ("kontorstol", "stoler"), ("hev-senk skrivebord", None),
    ("skrivebord", "bord"), ("sofa", "mobler"), ("whiteboard", None), ("kjøleskap", None),
    ("oppvaskmaskin", "kjokken"), ("skjerm usb-c", None), ("bærbar pc", "it-utstyr"),
    ("bokhylle", None), ("møtebord", None), ("stablebare stoler", "stoler"),
    ("prosjektor", None), ("kaffetrakter", None), ("skap med lås", "oppbevaring"),
    ("", "kontorstol"), ("", "kjoleskap"), ("", "skjerm"), ("", "sofa"),
]
OTHER_WISHES = [
    (words, None) for words in (
        "gardiner", "piano", "sykkel", "stige", "sekketralle", "hyllereol", "garderobeskap",
        "lydanlegg", "mikrobølgeovn", "vaskemaskin", "tørketrommel", "støvsuger", "lampe",
        "lesesofa", "barnestol", "stellebord", "madrass", "kopimaskin", "dokumentkamera",
        "tastatur", "dokkingstasjon", "headset", "nettbrett", "ringperm", "arkivskap",
        "plantekasse", "utemøbler", "trampoline", "benk", "speil", "teppe", "tavlepenner",
        "kaffekopper", "servise", "bestikk", "gryter", "kjøkkenvekt", "brødrister")] + [
    ("", slug) for slug in ("barbar-pc", "stasjonar-pc", "mobiltelefon", "skriver",
                            "prosjektor", "stekeovn", "vannkoker", "espressomaskin",
                            "bokhylle", "skap", "motebord", "tavle")]
# The items posted: a realistic spread, chairs most often.
POSTED = [
    ("Kontorstol med nakkestøtte", "kontorstol", "Brukt i tre måneder i et prosjektrom."),
    ("Hev-senk-skrivebord 160 × 80", "hev-senk-skrivebord", "Elektrisk, hvit bordplate."),
    ("Kjøleskap, høyt, hvitt", "kjoleskap", "Fungerer fint, avfrostet."),
    ("Besøksstoler i bjørk", "besoksstol", "Stablebare. Noen har riper i lakken."),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(values, 0.5), 2),
            "p95_ms": round(percentile(values, 0.95), 2),
            "max_ms": round(max(values), 2), "n": len(values)}


class Side:
    """The app on one database, with a lister signed in on a page client and an API token."""

    def __init__(self, database_url: str, upload_dir: str, wanted_requests: int,
                 log: Callable[[str], None]):
        from reuse import create_app

        self.app = create_app({
            "REUSE_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_DIR": upload_dir,
            "MAX_CONTENT_LENGTH": 130 * 1024 * 1024,
            # The page client posts the form as a browser would, minus the CSRF round trip:
            # the token check costs the same on both sides and is not what is measured.
            "WTF_CSRF_ENABLED": False,
            "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
            "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
            "BASE_URL": BASE_URL,
            "MAIL_SENDER": "Gjenbruk <gjenbruk@bergen.example>",
        })
        with self.app.app_context():
            from flask_migrate import upgrade

            upgrade()
            self._seed(wanted_requests, log)
        self.page = self.app.test_client()
        response = self.page.post("/login", base_url=BASE_URL,
                                  data={"email": self.lister_email, "password": PASSWORD})
        if response.status_code != 302:
            raise RuntimeError(f"bench login failed: {response.status_code}")

    def _seed(self, wanted_requests: int, log: Callable[[str], None]) -> None:
        from sqlalchemy import insert, select

        from reuse.clock import oslo_today
        from reuse.extensions import db
        from reuse.models import User, WantedRequest
        from reuse.services import categories, tokens, units, users

        categories.load_defaults()
        top = units.create_unit(name="Bergen kommune (bench)")
        lister_unit = units.create_unit(name="Møhlenpris skole (bench)", parent=top)
        self.lister_email = "lister@bench.example"
        lister = users.create_user(email=self.lister_email, name="Lister", unit=lister_unit,
                                   role="member", password=PASSWORD)
        _, self.token = tokens.create_token(lister, "bench")
        self.category_ids = {c.slug: c.id for c in categories.all_categories()}
        db.session.commit()
        if not wanted_requests:
            return
        people = max(1, wanted_requests // 10)
        unit_ids = [units.create_unit(name=f"Enhet {n} (bench)", parent=top).id
                    for n in range(50)]
        db.session.flush()
        hashed = lister.password_hash  # one hash for all: logging in is not measured
        rows = [{"email": f"person{n}@bench.example", "name": f"Person {n}",
                 "password_hash": hashed, "role": "member", "unit_id": unit_ids[n % 50],
                 "active": True, "session_token": secrets.token_hex(16)}
                for n in range(people)]
        db.session.execute(insert(User), rows)
        units_of = dict(db.session.execute(
            select(User.id, User.unit_id).where(User.email.like("person%@bench.example"))
            .order_by(User.id)).all())
        person_ids = list(units_of)
        rng = random.Random(42)
        until = oslo_today() + timedelta(days=90)
        columns = set(WantedRequest.__table__.columns.keys())
        requests = []
        for n in range(wanted_requests):
            person = person_ids[n % len(person_ids)]
            words, slug = rng.choice(WISHES if rng.random() < MATCHING_SHARE
                                      else OTHER_WISHES)
            row = {"user_id": person, "unit_id": units_of[person], "words": words,
                   "category_id": self.category_ids[slug] if slug else None,
                   "until": until}
            if "match_pattern" in columns:
                from reuse.services import wanted

                row["match_pattern"] = wanted.match_pattern(words)
            requests.append(row)
        db.session.execute(insert(WantedRequest), requests)
        db.session.commit()
        log(f"   {wanted_requests:,} active wanted requests of {people:,} people")

    def post_page(self, n: int) -> float:
        title, slug, description = POSTED[n % len(POSTED)]
        started = time.perf_counter()
        response = self.page.post("/items/new", base_url=BASE_URL, data={
            "title": f"{title} #{n}", "description": description, "condition": "good",
            "quantity": "2", "category_id": str(self.category_ids[slug]),
            "location_address": "Konsul Børs gate 5"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise RuntimeError(f"page POST answered {response.status_code}")
        return elapsed

    def post_api(self, n: int) -> float:
        title, slug, description = POSTED[n % len(POSTED)]
        started = time.perf_counter()
        response = self.page.post("/api/v1/items", base_url=BASE_URL, json={
            "title": f"{title} #{n}", "description": description, "category": slug,
            "condition": "good", "quantity": 2, "location": "Konsul Børs gate 5"},
            headers={"Authorization": f"Bearer {self.token}"})
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 201:
            raise RuntimeError(f"API POST answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:200]}")
        return elapsed

    def time_matching(self, repeats: int) -> dict[str, Any] | None:
        """Post one matching item, then time run-jobs' matching step for it; repeated."""
        from reuse.extensions import db
        from reuse.services import notifications, wanted

        if not hasattr(wanted, "match_pending"):
            return None  # before the fix: posting did the matching itself
        from sqlalchemy import delete

        from reuse.models import PendingWantedMatch

        with self.app.app_context():  # the timed posts' items: not what is measured here
            db.session.execute(delete(PendingWantedMatch))
            db.session.commit()
        match_ms: list[float] = []
        deliver_ms: list[float] = []
        notified = 0
        for n in range(repeats):
            self.post_api(n * len(POSTED))  # a chair: the most requested
            with self.app.app_context():
                started = time.perf_counter()
                items, written = wanted.match_pending()
                db.session.commit()
                match_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                notifications.deliver_committed()
                deliver_ms.append((time.perf_counter() - started) * 1000)
                if items != 1:
                    raise RuntimeError(f"expected one item to match, found {items}")
                notified = written
        return {"match": summary(match_ms), "deliver": summary(deliver_ms),
                "notified_per_item": notified}


def run(empty_url: str, full_url: str, *, posts: int = 40, match_repeats: int = 5,
        wanted_requests: int = WANTED_REQUESTS,
        log: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure posting on both databases (which must exist and be empty) and the matching."""
    # Mail without MAIL_SERVER is written to the log at INFO: not what is measured.
    logging.getLogger("reuse").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="reuse-bench-wanted-") as uploads:
        log("   seeding the database without wanted requests")
        empty = Side(empty_url, uploads, 0, log)
        log(f"   seeding the database with {wanted_requests:,} wanted requests")
        full = Side(full_url, uploads, wanted_requests, log)
        times: dict[str, dict[str, list[float]]] = {
            kind: {"none": [], "full": []} for kind in ("page", "api")}
        for n in range(2):  # warm-up: templates, statement caches, connections
            for side in (empty, full):
                side.post_page(n)
                side.post_api(n)
        log(f"   timing {posts} page and {posts} API posts on each side, alternating")
        for n in range(posts):
            sides = (("none", empty), ("full", full)) if n % 2 else \
                (("full", full), ("none", empty))
            for name, side in sides:
                times["page"][name].append(side.post_page(n))
                times["api"][name].append(side.post_api(n))
        result: dict[str, Any] = {"wanted_requests": wanted_requests, "posts": posts,
                                  "target_ratio": TARGET_RATIO}
        for kind, sides_times in times.items():
            none, with_full = summary(sides_times["none"]), summary(sides_times["full"])
            ratio = {q: round(with_full[f"{q}_ms"] / none[f"{q}_ms"], 2) for q in ("p50", "p95")}
            result[kind] = {"none": none, "full": with_full, "ratio": ratio,
                            "met": max(ratio.values()) <= TARGET_RATIO}
        log(f"   timing the matching of one new item against {wanted_requests:,} requests")
        result["job"] = full.time_matching(match_repeats)
        result["met"] = all(result[kind]["met"] for kind in ("page", "api"))
        return result


def format_report(result: dict[str, Any]) -> str:
    lines = [f"== wanted requests: posting with 0 and with {result['wanted_requests']:,} "
             f"active requests ({result['posts']} posts each) =="]
    header = f"{'post':<10}{'p50 0':>9}{'p95 0':>9}{'p50 full':>10}{'p95 full':>10}" \
             f"{'p50 ×':>8}{'p95 ×':>8}  met?"
    lines += [header, "-" * len(header)]
    for kind, label in (("page", "page"), ("api", "API")):
        row = result[kind]
        lines.append(f"{label:<10}{row['none']['p50_ms']:>9.1f}{row['none']['p95_ms']:>9.1f}"
                     f"{row['full']['p50_ms']:>10.1f}{row['full']['p95_ms']:>10.1f}"
                     f"{row['ratio']['p50']:>7.2f}×{row['ratio']['p95']:>7.2f}×  "
                     f"{'yes' if row['met'] else 'NO'}")
    job = result.get("job")
    if job:
        lines.append(f"run-jobs matching one new item against {result['wanted_requests']:,} "
                     f"requests: p50 {job['match']['p50_ms']:.1f} ms, max "
                     f"{job['match']['max_ms']:.1f} ms, people notified: "
                     f"{job['notified_per_item']}; delivering their e-mails (to the log) p50 "
                     f"{job['deliver']['p50_ms']:.1f} ms")
    else:
        lines.append("run-jobs matching: not measured (posting matched inside the request)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--empty-url", required=True)
    parser.add_argument("--full-url", required=True)
    parser.add_argument("--posts", type=int, default=40)
    parser.add_argument("--wanted", type=int, default=WANTED_REQUESTS)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()
    result = run(args.empty_url, args.full_url, posts=args.posts,
                 wanted_requests=args.wanted)
    print(format_report(result))
    if args.json_path:
        with open(args.json_path, "w") as out:
            json.dump(result, out, indent=2)


if __name__ == "__main__":
    main()
