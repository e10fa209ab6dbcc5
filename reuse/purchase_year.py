"""A realistic generated year of purchase lines, as a purchasing system exports them (the
format of API.md "Purchases"): for the demo, the tests and `make bench`.

Orders of one to five lines spread over the working days of the year, by every unit given;
about a third of the lines are furniture, ICT or white goods (some with a category of their
own, most with a UNSPSC code, some with only a description), the rest consumables and
services that are not reusable, and a few lines nothing maps yet. The same seed gives the
same file, line for line.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

# (description, UNSPSC code or "", category slug or "", price per piece in NOK, most pieces)
REUSABLE = [
    ("Kontorstol med armlener", "56112102", "", 4500, 12),
    ("Kontorstoler, svart stoff", "56101500", "", 4200, 20),
    ("Besøksstol stablebar", "", "besoksstol", 1500, 30),
    ("Hev-senk skrivebord 160x80", "56101703", "", 7800, 8),
    ("Skrivebord 140x70 bjørk", "", "skrivebord", 3900, 6),
    ("Møtebord ovalt 240 cm", "56101519", "", 12000, 2),
    ("Skuffeseksjon på hjul", "", "", 2900, 6),
    ("Garderobeskap 2-dørs", "56101520", "", 5200, 4),
    ("Bokhylle 200x80", "", "bokhylle", 1800, 6),
    ("Sofa 3-seter, grå", "56101502", "", 14000, 1),
    ("Whiteboard 120x200 magnetisk", "44111901", "", 2600, 3),
    ("Bærbar PC 14\"", "43211503", "", 13500, 15),
    ("Stasjonær PC kontor", "43211507", "", 9800, 10),
    ("PC-skjerm 27\" USB-C", "43211902", "", 3400, 20),
    ("Mobiltelefon", "43191501", "", 6500, 10),
    ("Multifunksjonsskriver A3", "44101501", "", 18500, 1),
    ("Prosjektor for klasserom", "45111609", "", 9200, 2),
    ("Kjøleskap 60 cm", "52141501", "", 8990, 2),
    ("Oppvaskmaskin integrert", "", "oppvaskmaskin", 7400, 1),
    ("Vannkoker 1,7 l", "", "", 450, 4),
    ("Kaffemaskin for personalrom", "", "", 5200, 1),
]
NOT_REUSABLE = [
    ("Kopipapir A4 80 g", "14111507", 55, 200),
    ("Kulepenner blå", "44121704", 12, 100),
    ("Konsulenttimer, prosjektledelse", "80101500", 1350, 80),
    ("Rengjøring av lokaler", "76111501", 450, 120),
    ("Frukt og grønt", "50300000", 35, 60),
    ("Lisens, skoleadministrativt system", "", 220, 300),
    ("Opplæring av ansatte", "86101700", 2500, 20),
]
UNMAPPED = [
    ("Gardiner til klasserom", "", 890, 10),
    ("Pynt til juleavslutning", "", 120, 20),
    ("Plantekasser til uteområdet", "", 1490, 6),
]
SUPPLIERS = ("Kinnarps AS", "EFG Norge AS", "Atea AS", "Dustin Norway AS", "Lyreco Norge AS",
             "Elkjøp Bedrift", "ISS Facility Services AS", "Bama Storkjøkken AS")
HEADER = ("line_id", "order_number", "ordered_on", "unit_code", "supplier", "description",
          "unspsc", "category", "quantity", "amount_nok")


def _working_days(year: int) -> list[date]:
    day, days = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def lines(year: int, unit_codes: list[str], count: int, *, seed: int = 2026) -> list[dict]:
    """About `count` lines (whole orders), in order date order."""
    rng = random.Random(seed)
    days = _working_days(year)
    produced: list[dict] = []
    order = 0
    while len(produced) < count:
        order += 1
        ordered_on = rng.choice(days)
        unit_code = rng.choice(unit_codes)
        supplier = rng.choice(SUPPLIERS)
        for position in range(1, rng.randint(1, 5) + 1):
            roll = rng.random()
            if roll < 0.34:
                description, unspsc, category, price, most = rng.choice(REUSABLE)
            elif roll < 0.97:
                description, unspsc, price, most = rng.choice(NOT_REUSABLE)
                category = ""
            else:
                description, unspsc, price, most = rng.choice(UNMAPPED)
                category = ""
            quantity = rng.randint(1, most)
            produced.append({
                "line_id": f"{year}-{order:06d}-{position}",
                "order_number": f"PO-{year}-{order:06d}",
                "ordered_on": ordered_on.strftime("%d.%m.%Y") if order % 2 else
                ordered_on.isoformat(),
                "unit_code": unit_code, "supplier": supplier, "description": description,
                "unspsc": unspsc, "category": category, "quantity": str(quantity),
                "amount_nok": f"{quantity * price * rng.uniform(0.9, 1.1):.2f}".replace(
                    ".", ","),
            })
    produced.sort(key=lambda line: (line["line_id"]))
    return produced[:count]


def csv_bytes(year: int, unit_codes: list[str], count: int, *, seed: int = 2026) -> bytes:
    """The lines as a semicolon-separated CSV with decimal commas, as Norwegian Excel saves it."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=HEADER, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(lines(year, unit_codes, count, seed=seed))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
