"""Fill an EMPTY database with realistic data at a given scale, fast, for benchmarks.

    python bench/generate.py --database-url URL --items N --records M
                             [--units 1000] [--users 20000] [--seed 42] [--json OUT]

or, from Python, `generate(url, items=N, records=M)`, which returns what a benchmark needs
(log-in details, an API token, search words, item ids, a report year and unit).

The schema comes from the project's Alembic migrations and the categories from the app's own
loader, so factors are the shipped ones. Everything else is bulk-loaded with explicit ids:
COPY on PostgreSQL, executemany in one transaction on SQLite. What is generated:

- units: a tree of byrådsavdelinger → etater → enheter (schools, kindergartens, nursing
  homes …) with Zipf-like sizes: a few large units, many small ones;
- users: spread over the units by size, all sharing one password hash (hashing is slow), plus
  well-known bench users (see MEMBER_EMAIL, LEAD_EMAIL, LOAD_USER_COUNT);
- `items` listed items with Norwegian titles from a vocabulary per category, ~85 % available,
  the rest withdrawn, fully handed over or fully reserved by open claims;
- `records` reuse records, each with its own collected claim (1 % are reversals of another
  record, sharing its claim). Records of listed items match their quantity_handed_over; the
  rest belong to extra "lots": items fully handed over through several claims, which are
  NOT counted in `items` (they are never available, as in a real five-year-old catalogue);
- records // 5 reuse checks: reused (linked to a claim), bought new (with a reason), or open;
- the search vocabulary (SearchWord) learnt from the items' titles and descriptions by the
  app's own vocabulary.remember, as posting an item does, and the category synonyms, so
  tolerant search ("stoll", "kjoleskap", "pc") is measured as people meet it.

Same seed and same day (see `today`) give the same data; only the API token is random.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import functools
import itertools
import json
import math
import os
import random
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from queue import Full, Queue
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import make_url

PASSWORD = "benchmark-passord-2026"
MEMBER_EMAIL = "bench.member@bench.invalid"
LEAD_EMAIL = "bench.lead@bench.invalid"
LOAD_USER_COUNT = 60
COMMON_WORD = "stol"  # chairs, plus compounds like "lenestol": ~15 % of the listed items
RARE_WORD = "stressless"  # a brand only the rare items carry
RARE_ITEMS = 12

DAY = 86_400
LISTED_YEARS = 3  # listed items were created over the last three years …
RECORD_YEARS = 5  # … reuse records and checks go back five
WITHDRAWN = 0.05  # shares of the listed items
FULLY_HANDED_OVER = 0.08
PARTLY_HANDED_OVER = 0.15
REVERSED_SHARE = 0.01
CHECKS_PER_RECORD = 0.2
CHUNK = 5_000  # items (listed, or lots with their claims) per round of COPY statements

Row = tuple[Any, ...]
Log = Callable[[str], object]

# -- vocabulary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """How items of a category are described: (singular, plural) nouns, variants, details."""

    nouns: tuple[tuple[str, str], ...]
    variants: tuple[str, ...]
    details: tuple[str, ...]
    popularity: float


VOCABULARY: dict[str, Words] = {
    "kontorstol": Words(
        (("Kontorstol", "Kontorstoler"), ("Arbeidsstol", "Arbeidsstoler"),
         ("Skrivebordsstol", "Skrivebordsstoler")),
        ("med armlener", "uten armlener", "med nakkestøtte", "HÅG Futu", "HÅG Capisco",
         "HÅG Creed", "Kinnarps 6000", "Kinnarps 8000", "RH Logic 400", "RH Activ 220",
         "Savo Maxi", "ergonomisk"),
        ("Justerbar sittehøyde og setedybde.", "Vippefunksjon med lås.",
         "Armlenene kan justeres i høyden.", "Hjulene passer for harde gulv.",
         "Trekket er rengjort."), 9.0),
    "besoksstol": Words(
        (("Besøksstol", "Besøksstoler"), ("Møtestol", "Møtestoler"),
         ("Stablestol", "Stablestoler"), ("Kantinestol", "Kantinestoler"),
         ("Barnestol", "Barnestoler")),
        ("i bjørk", "i eik", "med stofftrekk", "med armlener", "Ocee Four", "Stokke",
         "med kromben", "i kryssfiner"),
        ("Stablebare.", "Sete i kryssfiner.", "Ben i forkrommet stål.",
         "Noen har riper i lakken."), 4.0),
    "skrivebord": Words(
        (("Skrivebord", "Skrivebord"), ("Elevpult", "Elevpulter"),
         ("Arbeidsbord", "Arbeidsbord"), ("Hjørneskrivebord", "Hjørneskrivebord")),
        ("160x80", "140x80", "120x60", "i bjørk", "i bøk", "med skuff", "hvit plate",
         "grå plate", "L-formet"),
        ("Solid understell.", "Noen riper i bordplaten.", "Kabelkanal under platen.",
         "Passer i klasserom.", "Kan demonteres for transport."), 9.0),
    "hev-senk-skrivebord": Words(
        (("Hev-senk skrivebord", "Hev-senk skrivebord"),
         ("Elektrisk hev-senk-bord", "Elektriske hev-senk-bord"),
         ("Hev/senk-pult", "Hev/senk-pulter")),
        ("160x80", "180x80", "140x70", "bjørk", "hvit", "antrasitt", "med minneknapper",
         "Kinnarps", "EFG", "Linak-motor"),
        ("Elektrisk motor, stille og fungerer fint.", "Høyde 65–125 cm.",
         "Kabelbrett følger med.", "Minneknapper for to høyder."), 9.0),
    "motebord": Words(
        (("Møtebord", "Møtebord"), ("Konferansebord", "Konferansebord"),
         ("Kafébord", "Kafébord"), ("Klaffebord", "Klaffebord")),
        ("i eik", "i bjørk", "for 6 personer", "for 8 personer", "for 10 personer",
         "rundt, Ø 80 cm", "240x100", "hvitt"),
        ("Kan demonteres for transport.", "Noen merker i overflaten.",
         "Sammenleggbare ben.", "Seks stoler kan følge med."), 4.0),
    "skuffeseksjon-tre": Words(
        (("Skuffeseksjon", "Skuffeseksjoner"), ("Skuffehurts", "Skuffehurts")),
        ("på hjul", "i bjørk", "hvit", "med lås", "tre skuffer", "fire skuffer"),
        ("Lås uten nøkkel.", "Passer under de fleste skrivebord.", "Hjulene er hele."), 4.0),
    "skuffeseksjon-stal": Words(
        (("Skuffeseksjon i stål", "Skuffeseksjoner i stål"), ("Arkivskuff", "Arkivskuffer"),
         ("Hengemappeskap", "Hengemappeskap")),
        ("grå", "hvit", "med nøkler", "Bisley", "på hjul"),
        ("Nøkler følger med.", "Tåler tunge mapper.", "Litt bulk i siden."), 3.0),
    "skap": Words(
        (("Skap", "Skap"), ("Arkivskap", "Arkivskap"), ("Garderobeskap", "Garderobeskap"),
         ("Dokumentskap", "Dokumentskap"), ("Låsbart skap", "Låsbare skap")),
        ("med skyvedører", "med lås", "høyde 200 cm", "hvitt", "grått", "i stål", "for barn"),
        ("Krever to personer for å bære.", "Hyllene kan flyttes.", "To nøkler."), 5.0),
    "bokhylle": Words(
        (("Bokhylle", "Bokhyller"), ("Reol", "Reoler"), ("Hyllereol", "Hyllereoler"),
         ("Lagerreol", "Lagerreoler")),
        ("i bjørk", "hvit", "80 cm", "200 cm høy", "i stål", "Billy", "med dører"),
        ("Festes i vegg.", "Fem hyller hver.", "Bolter følger med."), 6.0),
    "sofa": Words(
        (("Sofa", "Sofaer"), ("Lenestol", "Lenestoler"), ("Loungesofa", "Loungesofaer"),
         ("Sofagruppe", "Sofagrupper")),
        ("tre-seter", "to-seter", "i grått stoff", "i skinn", "grønn", "modul",
         "med fotskammel"),
        ("Litt slitt på setet.", "Kan gjerne trekkes om.", "Modulene kan skilles."), 2.5),
    "tavle": Words(
        (("Whiteboard", "Whiteboards"), ("Tavle", "Tavler"), ("Glasstavle", "Glasstavler"),
         ("Oppslagstavle", "Oppslagstavler"), ("Flippover", "Flippovere")),
        ("på hjul", "veggmontert", "180x120", "magnetisk", "tosidig"),
        ("Med penneholder.", "Veggfester følger med.", "Noe skygge etter gammel tusj."), 2.5),
    "barbar-pc": Words(
        (("Bærbar PC", "Bærbare PC-er"), ("Laptop", "Laptoper")),
        ("Lenovo ThinkPad T14", "Dell Latitude 5420", "HP EliteBook 840", "14 tommer",
         "13 tommer", "med lader"),
        ("Tilbakestilt og klar for ny bruker.", "Lader følger med.",
         "Batteriet holder noen timer."), 4.0),
    "stasjonar-pc": Words(
        (("Stasjonær PC", "Stasjonære PC-er"), ("Arbeidsstasjon", "Arbeidsstasjoner")),
        ("Dell OptiPlex 7090", "HP ProDesk 600", "Lenovo ThinkCentre", "uten skjerm",
         "i5, 16 GB"),
        ("Disken er slettet.", "Tastatur og mus følger med.", "Noen år gamle."), 3.0),
    "skjerm": Words(
        (("Skjerm", "Skjermer"), ("PC-skjerm", "PC-skjermer")),
        ("24 tommer", "27 tommer", "Dell P2419H", "HP E24", "med USB-C", "med stativ"),
        ("Med stativ og strømkabel.", "HDMI og DisplayPort.", "Ingen døde piksler."), 7.0),
    "mobiltelefon": Words(
        (("Mobiltelefon", "Mobiltelefoner"), ("Tjenestetelefon", "Tjenestetelefoner")),
        ("iPhone 11", "iPhone SE", "Samsung Galaxy A52", "tilbakestilt"),
        ("Tilbakestilt.", "Noen riper i skjermen.", "Deksel følger med."), 2.0),
    "skriver": Words(
        (("Skriver", "Skrivere"), ("Laserskriver", "Laserskrivere"),
         ("Multifunksjonsskriver", "Multifunksjonsskrivere")),
        ("HP LaserJet", "Brother", "svart-hvitt", "farge", "med skanner"),
        ("Ny toner følger med.", "Trekker av og til inn to ark.", "Nettverkskort."), 2.0),
    "prosjektor": Words(
        (("Prosjektor", "Prosjektorer"),),
        ("Epson", "med takfeste", "Full HD", "med fjernkontroll"),
        ("Fjernkontroll følger med.", "Lampen er byttet i fjor."), 1.5),
    "kjoleskap": Words(
        (("Kjøleskap", "Kjøleskap"), ("Minikjøleskap", "Minikjøleskap"),
         ("Kombiskap", "Kombiskap")),
        ("Electrolux", "Bosch", "Siemens", "Whirlpool", "høyt, hvitt", "integrert", "185 cm"),
        ("Byttet ut fordi vi fikk et større.", "Passer under benken.",
         "Rengjort og avfrostet."), 2.0),
    "oppvaskmaskin": Words(
        (("Oppvaskmaskin", "Oppvaskmaskiner"),),
        ("integrert", "Bosch", "Miele", "Electrolux", "frittstående"),
        ("Lekker litt fra døren.", "Går stille.", "Kurver følger med."), 1.0),
    "stekeovn": Words(
        (("Stekeovn", "Stekeovner"), ("Komfyr", "Komfyrer")),
        ("innbygging", "varmluft", "Electrolux", "Siemens", "60 cm"),
        ("Varmluft fungerer.", "Brett og rist følger med."), 1.0),
    "vannkoker": Words(
        (("Vannkoker", "Vannkokere"),),
        ("1,7 liter", "rustfritt stål", "Wilfa", "OBH Nordica"),
        ("Avkalket.", "Fungerer som den skal."), 1.5),
    "kaffetrakter": Words(
        (("Kaffetrakter", "Kaffetraktere"), ("Kaffemaskin", "Kaffemaskiner")),
        ("med termokanne", "Moccamaster", "Wilfa", "til møterom"),
        ("Med termokanne.", "Avkalket nylig."), 1.5),
    "espressomaskin": Words(
        (("Espressomaskin", "Espressomaskiner"),),
        ("Jura", "DeLonghi", "Sage", "med melkeskummer"),
        ("Damp-funksjonen virker ikke.", "Bønnebeholder og kverne."), 0.5),
}
# Categories added to the CSV later still get listings, titled by their name.
UNKNOWN_CATEGORY = Words((), ("", "", "brukt", "pent brukt"), ("",), 0.5)

RARE_TITLES = ("Stressless lenestol med fotskammel", "Stressless Mayfair lenestol i skinn",
               "Stressless hvilestol, brun")
COLOURS = ("svart", "grå", "hvit", "blå", "grønn", "rød", "beige", "brun")
CONDITIONS = (("as_new", 0.15), ("good", 0.45), ("used", 0.32), ("needs_repair", 0.08))
CONDITION_SENTENCES = {
    "as_new": ("Som ny.", "Nesten ikke brukt.", "Brukt i kort tid i et prosjektrom.",
               "Fortsatt i originalemballasjen."),
    "good": ("Pent brukt.", "I god stand.", "Fungerer som den skal.", "Lite slitasje."),
    "used": ("Brukt, med vanlige bruksmerker.", "Noe slitasje, men helt funksjonell.",
             "Noen riper og merker."),
    "needs_repair": ("Trenger reparasjon.", "Må fikses før bruk.", "Delvis defekt."),
}
EXTRA_SENTENCES = ("Hentes etter avtale.", "Kan hentes hverdager 08–15.",
                   "Vi flytter og må tømme lokalene.", "Ring før henting.",
                   "Flere kan være tilgjengelige.", "Bruksanvisning følger med.")
COLLECTION_NOTES = ("", "", "Ring eller send e-post før henting.", "Hverdager 08–15.",
                    "Nøkkel i resepsjonen.", "Bruk varemottaket på baksiden.", "Ta med tralle.",
                    "Krever to personer for å bære.")
BUILDINGS = ("", "", "", "Hovedbygget", "Bygg A", "Bygg B", "Paviljongen",
             "Administrasjonsbygget", "Nybygget", "Lagerbygget")
ROOMS = ("", "", "Kjelleren", "Lager", "Lærerrommet", "Personalrommet", "Kontorkjøkkenet",
         "Arkivet", "IT-rommet", "Garasjen", "Loftet", "Resepsjonen", "Møterom Fløyen",
         "Møterom Ulriken", "Møterom Løvstakken", "Møterom Lyderhorn", "Møterom Rundemanen")
STREETS = ("Kaigaten", "Rådhusgaten", "Christies gate", "Kong Oscars gate", "Olav Kyrres gate",
           "Strandgaten", "Nygårdsgaten", "Kalfarveien", "Fjøsangerveien", "Inndalsveien",
           "Michael Krohns gate", "Sandviksveien", "Åsaneveien", "Liaveien", "Nesttunveien",
           "Fanaveien", "Lyderhornsveien", "Løvstakkveien", "Damsgårdsveien", "Carl Konows gate",
           "Kanalveien", "Haukelandsveien", "Landåsveien", "Konsul Börs gate", "Nordnesgaten",
           "Haugeveien", "Ladegårdsgaten", "Kokstadveien", "Folke Bernadottes vei",
           "Storetveitvegen", "Hordnesveien", "Eidsvågveien", "Ulsetstølen", "Loddefjordveien",
           "Olsvikåsen", "Edvard Griegs vei", "Paradisleitet", "Hopsvegen", "Krokatjønnveien",
           "Mindemyren", "Sandslimarka", "Birkelundsbakken", "Arnatveitvegen", "Hylkjeflaten",
           "Flaktveitvegen", "Tertnesveien", "Salhusvegen", "Lønborglien", "Ibsens gate",
           "Fridalsveien")
PLACES = ("Landås", "Fyllingsdalen", "Møhlenpris", "Nattland", "Sandviken", "Nordnes",
          "Paradis", "Nesttun", "Kråkenes", "Loddefjord", "Olsvik", "Ulset", "Tertnes",
          "Hylkje", "Eidsvåg", "Minde", "Kronstad", "Slettebakken", "Sædalen", "Hop", "Rådal",
          "Søreide", "Kirkevoll", "Sandsli", "Kokstad", "Hjellestad", "Milde", "Krokeide",
          "Indre Arna", "Ytre Arna", "Garnes", "Godvik", "Kjøkkelvik", "Alvøen", "Mathopen",
          "Bønes", "Smøråsen", "Storetveit", "Hordvik", "Rolland", "Flaktveit", "Haukås",
          "Mjølkeråen", "Ulsmåg", "Skjold", "Seljedalen", "Langhaugen", "Damsgård", "Gimle",
          "Hellen", "Kalfaret", "Tveiterås", "Lone", "Nyborg", "Breimyra", "Liland", "Løvås",
          "Øvsttun", "Bjørndalsskogen", "Varden", "Ådland", "Skranevatnet", "Fridalen",
          "Rothaugen", "Fjellsiden", "Åstveit", "Blokkhaugen", "Ervik", "Tonheim", "Salhus",
          "Hordnes", "Fana", "Ytrebygda", "Laksevåg", "Årstad", "Bergenhus", "Åsane", "Arna",
          "Sletten", "Wergeland", "Fjellsdalen", "Birkelund", "Kaland", "Lagunen", "Dolvik",
          "Skeie", "Stend", "Hjelle", "Sandgotna", "Ramsøy", "Dale")
SITE_VARIANTS = ("{place}", "Øvre {place}", "Nedre {place}", "{place} nord", "{place} sør",
                 "{place} øst", "{place} vest")
TOPICS = ("økonomi", "personal", "innkjøp", "IT-drift", "arkiv", "kommunikasjon", "plan",
          "analyse", "forvaltning", "drift", "prosjekt", "juss", "utvikling", "service",
          "kvalitet", "beredskap", "tilskudd", "eiendom", "kart og data", "fag")
AVDELINGER = (  # the biggest first: small scales keep the first few
    "Byrådsavdeling for barnehage, skole og idrett",
    "Byrådsavdeling for helse og omsorg",
    "Byrådsavdeling for arbeid, sosial og bolig",
    "Byrådsavdeling for finans, eiendom og eierskap",
    "Byrådsavdeling for klima, miljø og byutvikling",
    "Byrådsavdeling for kultur, mangfold og likestilling",
    "Byrådsleders avdeling",
)
# (etat, index of its byrådsavdeling, kinds of enheter under it, relative number of enheter)
ETATER = (
    ("Etat for barnehage", 0, ("barnehage",), 10.0),
    ("Etat for skole", 0, ("skole",), 9.0),
    ("Etat for idrett", 0, ("idrettsanlegg", "svommehall"), 1.2),
    ("Pedagogisk-psykologisk tjeneste", 0, ("ppt",), 0.6),
    ("Etat for sykehjem", 1, ("sykehjem",), 5.0),
    ("Etat for hjemmebaserte tjenester", 1, ("hjemmetjeneste",), 4.0),
    ("Etat for helsetjenester", 1, ("helsestasjon",), 3.0),
    ("Etat for tjenester til personer med utviklingshemming", 1, ("bofellesskap",), 4.0),
    ("Etat for sosiale tjenester", 2, ("nav",), 2.0),
    ("Etat for barn og familie", 2, ("barnevern",), 2.0),
    ("Etat for psykisk helse og rustjenester", 2, ("botiltak", "aktivitetssenter"), 1.5),
    ("Etat for inkludering", 2, ("seksjon",), 0.8),
    ("Etat for bygg og eiendom", 3, ("seksjon", "driftsomrade"), 1.5),
    ("Etat for boligforvaltning", 3, ("driftsomrade",), 0.8),
    ("Etat for økonomi og innkjøp", 3, ("seksjon",), 0.6),
    ("Bymiljøetaten", 4, ("driftsomrade",), 1.5),
    ("Klimaetaten", 4, ("seksjon",), 0.5),
    ("Plan- og bygningsetaten", 4, ("seksjon",), 0.8),
    ("Vann- og avløpsetaten", 4, ("driftsomrade",), 0.8),
    ("Kulturetaten", 5, ("kulturhus",), 1.0),
    ("Bergen offentlige bibliotek", 5, ("bibliotek",), 1.2),
    ("Etat for frivillighet og aktivitet", 5, ("bydelshus",), 0.8),
    ("Etat for digitalisering", 6, ("seksjon",), 0.6),
    ("Etat for innbyggertjenester", 6, ("servicekontor",), 0.6),
    ("Bergen brannvesen", 6, ("brannstasjon",), 1.0),
)
UNIT_NAMES = {
    "barnehage": "{site} barnehage", "skole": "{site} skole",
    "idrettsanlegg": "{site} idrettsanlegg", "svommehall": "{site} svømmehall",
    "ppt": "PPT {site}", "sykehjem": "{site} sykehjem",
    "hjemmetjeneste": "Hjemmetjenesten {site}", "helsestasjon": "{site} helsestasjon",
    "bofellesskap": "{site} bofellesskap", "nav": "NAV {site}",
    "barnevern": "Barneverntjenesten {site}", "botiltak": "{site} botiltak",
    "aktivitetssenter": "{site} aktivitetssenter", "driftsomrade": "{etat}, driftsområde {site}",
    "seksjon": "{etat}, seksjon for {topic}", "kulturhus": "{site} kulturhus",
    "bibliotek": "{site} bibliotek", "bydelshus": "{site} bydelshus",
    "servicekontor": "Servicekontoret {site}", "brannstasjon": "{site} brannstasjon",
}
# Schools and nursing homes have many people; a kindergarten or a section few.
KIND_SIZE = {"skole": 2.5, "sykehjem": 2.5, "hjemmetjeneste": 1.8, "barnehage": 0.6,
             "seksjon": 0.8, "ppt": 0.7}
FURNITURE_STORE = "Møbellageret"  # the municipality's furniture store lists a lot
FIRST_NAMES = ("Kari", "Ola", "Ingrid", "Lars", "Sofie", "Eirik", "Nina", "Per", "Anne", "Jon",
               "Marit", "Hans", "Silje", "Morten", "Hilde", "Kristin", "Bjørn", "Ragnhild",
               "Tone", "Arne", "Solveig", "Knut", "Liv", "Geir", "Trude", "Øyvind", "Astrid",
               "Håkon", "Ida", "Magnus", "Emma", "Nora", "Jakob", "Sander", "Ingvild",
               "Torbjørn", "Åse", "Sigrid", "Even", "Mathilde", "Henrik", "Thea", "Jonas",
               "Maren", "Erlend", "Synnøve", "Vegard", "Camilla", "Stian", "Marte", "Amir",
               "Fatima", "Mohammed", "Aisha", "Piotr", "Anna", "Tomasz", "Ewa", "Ali", "Sara")
LAST_NAMES = ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
              "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg",
              "Haugen", "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Halvorsen",
              "Henriksen", "Lund", "Sørensen", "Moen", "Gundersen", "Iversen", "Strand",
              "Solberg", "Eide", "Knutsen", "Martinsen", "Bakken", "Mathisen", "Lie",
              "Rasmussen", "Lunde", "Bakke", "Berge", "Moe", "Nygård", "Solheim", "Vik",
              "Aas", "Tveit", "Hauge", "Myklebust", "Fjeld", "Sandvik", "Helland", "Brekke",
              "Totland", "Hordnes", "Ask", "Nowak", "Kowalski", "Hussain", "Ahmed")
PURPOSES = ("nytt møterom", "nye kontorplasser", "klasserommet", "personalrommet",
            "ny avdeling", "oppussingen i 2. etasje", "nye ansatte", "lageret",
            "prosjektrommet", "kantinen")
CLAIM_MESSAGES = ("Kan hente på torsdag.", "Vi flytter inn i nye lokaler og trenger dette.",
                  "Henter med egen bil.", "Passer perfekt hos oss.", "Kan vi hente neste uke?")
REVERSAL_REASONS = ("Registrert to ganger.", "Feil antall registrert.",
                    "Tingene ble levert tilbake.", "Feil mottakerenhet.")
BOUGHT_NEW_REASONS = (("nothing_suitable", 40), ("needed_sooner", 20), ("not_enough", 15),
                      ("technical_requirements", 17), ("other", 8))
OTHER_REASONS = ("Måtte passe med eksisterende inventar.", "Krav fra verneombudet.",
                 "Prosjektmidler med krav om nytt utstyr.")
AUTO_APPROVED = "Godkjent automatisk."  # what the claims service writes, in Norwegian
# Months (January first) as the hand-overs come: spring moves, August/September school
# start; July holidays and Christmas are quiet.
MONTH_WEIGHTS = (0.85, 1.0, 1.2, 1.3, 1.35, 1.1, 0.35, 1.45, 1.4, 1.15, 1.05, 0.7)

# -- columns written, in row order ---------------------------------------------------------------

UNIT_COLUMNS = ("id", "name", "code", "parent_id")
PLACEMENT_COLUMNS = ("id", "unit_id", "parent_id", "valid_from")
PLACED_SINCE = datetime(1970, 1, 1, tzinfo=UTC)
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "unit_id", "active",
                "created_at", "session_token", "locale")
ITEM_COLUMNS = ("id", "title", "description", "category_id", "condition", "quantity",
                "quantity_reserved", "quantity_handed_over", "location_address",
                "location_building", "location_room", "collection_notes", "internal_until",
                "new_price_nok", "weight_kg", "auto_approve", "unit_id", "created_by_id",
                "created_at", "updated_at", "withdrawn_at")  # + the search columns
CLAIM_COLUMNS = ("id", "item_id", "claimant_id", "unit_id", "quantity", "status", "message",
                 "decision_message", "collect_by", "created_at", "decided_at", "decided_by_id",
                 "collected_at", "collected_by_id", "closed_at")
RECORD_COLUMNS = ("id", "claim_id", "reverses_id", "from_unit_id", "to_unit_id", "category_id",
                  "quantity", "replaces_purchase", "costs_nok", "new_price_nok_used",
                  "weight_kg_used", "co2e_kg_used", "avoided_cost_nok", "avoided_co2e_kg",
                  "avoided_waste_kg", "recorded_at", "recorded_by_id", "reason")
CHECK_COLUMNS = ("id", "user_id", "unit_id", "need", "category_id", "quantity", "match_count",
                 "created_at", "outcome", "outcome_at", "claim_id", "reason_code",
                 "reason_text", "purchase_reference", "searched_at")
MATCH_COLUMNS = ("id", "check_id", "item_id", "rank", "title", "quantity_available")


# -- small helpers --------------------------------------------------------------------------------


class Weighted:
    """Draw from values with given weights: one bisect per draw, fast in hot loops."""

    def __init__(self, values: Sequence[Any], weights: Sequence[float]) -> None:
        self.values = list(values)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> Any:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.values[min(index, len(self.values) - 1)]


class DaySampler:
    """Timestamps (epoch seconds) on days in [start, end), each day with its own weight, at a
    working hour (06–15 UTC, 07/08–16/17 in Bergen)."""

    def __init__(self, start: date, end: date, weight: Callable[[date, float], float]) -> None:
        span = (end - start).days
        days = [start + timedelta(days=offset) for offset in range(span)]
        self.starts = [_epoch(day) for day in days]
        self.days = Weighted(range(span), [weight(day, i / span) for i, day in enumerate(days)])

    def sample(self, rng: random.Random) -> int:
        return self.starts[self.days.pick(rng)] + 6 * 3600 + int(rng.random() * 9 * 3600)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _season(day: date) -> float:
    christmas = (day.month == 12 and day.day >= 20) or (day.month == 1 and day.day <= 3)
    weekday = (1.0, 1.0, 1.0, 1.0, 0.9, 0.05, 0.02)[day.weekday()]
    return MONTH_WEIGHTS[day.month - 1] * weekday * (0.3 if christmas else 1.0)


@functools.lru_cache(maxsize=1 << 16)  # quantity × factor repeats a lot: cache the text
def _fixed(value: int, places: int) -> str:
    """An integer count of 10^-places (øre, grams) as exact decimal text, for NUMERIC."""
    whole, fraction = divmod(abs(value), 10 ** places)
    return f"{'-' if value < 0 else ''}{whole}.{fraction:0{places}d}"


def _fixed_or_none(value: int | None, places: int) -> str | None:
    return None if value is None else _fixed(value, places)


def _ascii(name: str) -> str:
    return (name.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa")
            .replace(" ", "-"))


def _zipf(count: int, exponent: float) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, count + 1)]


# -- the world: units, users, categories ------------------------------------------------------


@dataclass(frozen=True)
class Category:
    id: int
    slug: str
    name: str
    price_cents: int | None
    weight_grams: int | None
    co2e_grams: int | None
    words: Words


@dataclass
class Unit:
    id: int
    name: str
    code: str
    parent_id: int | None
    level: int  # 0 byrådsavdeling, 1 etat, 2 enhet
    kind: str = ""
    address: str = ""
    building: str = ""
    users: list[int] = field(default_factory=list)


@dataclass
class Item:
    """What claims and records need to know about an item while it is being generated."""

    id: int
    category: Category
    unit_id: int
    created_by: int
    created: int
    title: str
    auto_approve: bool
    own_price_cents: int | None = None  # the listing's own figures, which the ledger
    own_weight_grams: int | None = None  # prefers to the category's

    @property
    def price_cents(self) -> int | None:
        return self.category.price_cents if self.own_price_cents is None \
            else self.own_price_cents

    @property
    def weight_grams(self) -> int | None:
        return self.category.weight_grams if self.own_weight_grams is None \
            else self.own_weight_grams


def _place_names(rng: random.Random) -> Iterator[str]:
    """Bergen place names, then their variants (Øvre …, … nord), then numbered ones."""
    for variant in SITE_VARIANTS:
        # "Øvre Landås", but not "Øvre Indre Arna"
        places = [p for p in PLACES if variant == "{place}" or " " not in p]
        rng.shuffle(places)
        for place in places:
            yield variant.format(place=place)
    for number in itertools.count(2):
        for place in PLACES:
            yield f"{place} {number}"


def build_units(count: int, rng: random.Random) -> list[Unit]:
    """A byrådsavdeling → etat → enhet tree of `count` units with unique names and codes."""
    if count < 3:
        raise ValueError("units must be at least 3 (one of each level)")
    avd_count = min(len(AVDELINGER), max(1, count // 40))
    etater = [e for e in ETATER if e[1] < avd_count][:max(1, (count - avd_count) // 8)]
    leaf_count = count - avd_count - len(etater)
    units: list[Unit] = []
    for index in range(avd_count):
        units.append(Unit(len(units) + 1, AVDELINGER[index], f"{index + 1}00000", None, 0))
    etat_units: list[Unit] = []
    for number, (name, avd, _, _) in enumerate(etater, start=1):
        unit = Unit(len(units) + 1, name, f"{avd + 1}{number:02d}000", avd + 1, 1)
        units.append(unit)
        etat_units.append(unit)
    # Every etat gets one enhet, the rest go by the etat's weight: Etat for barnehage and
    # Etat for skole end up with hundreds, Klimaetaten with a handful.
    per_etat = Counter(range(len(etater)))
    per_etat.update(rng.choices(range(len(etater)), [e[3] for e in etater],
                                k=max(0, leaf_count - len(etater))))
    sites: dict[str, Iterator[str]] = {}
    taken: set[str] = {u.name for u in units}
    topics = {name: itertools.chain(TOPICS, (f"prosjekt {n}" for n in itertools.count(1)))
              for name, *_ in etater}
    store_parent = next((u for u in etat_units if u.name == "Etat for bygg og eiendom"), None)
    for etat_index, etat in enumerate(etat_units):
        kinds = etater[etat_index][2]
        for number in range(1, per_etat[etat_index] + 1):
            kind = rng.choice(kinds)
            if etat is store_parent and number == 1:
                name, kind = FURNITURE_STORE, "lager"
            elif kind == "seksjon":
                name = UNIT_NAMES[kind].format(etat=etat.name, topic=next(topics[etat.name]))
            else:
                name = ""
                while not name or name in taken:
                    site = next(sites.setdefault(kind, _place_names(rng)))
                    name = UNIT_NAMES[kind].format(site=site, etat=etat.name)
            taken.add(name)
            code = f"{etat.code[:3]}{number:03d}" if number < 1000 else f"{etat.code[:3]}-{number}"
            units.append(Unit(len(units) + 1, name, code, etat.id, 2, kind))
    for unit in units:
        unit.address = f"{rng.choice(STREETS)} {rng.randint(1, 120)}"
        unit.building = rng.choice(BUILDINGS)
    return units[:count]


# -- bulk loading -----------------------------------------------------------------------------


class Loader(Protocol):
    """One transaction that takes rows table by table and is checked before it commits."""

    dialect: str

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int: ...

    def execute(self, sql: str) -> None: ...

    def after_items(self, log: Log) -> None: ...

    def finish(self, tables: Iterable[str], log: Log) -> None: ...

    def close(self) -> None: ...


class PostgresLoader:
    """COPY in one transaction. Where the role may (superusers), foreign keys are not checked
    row by row (their triggers tripled the load time) but set-wise before committing."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        conninfo = make_url(url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.connection = psycopg.connect(conninfo)
        try:
            self.connection.execute("SET session_replication_role = replica")
            self.checks_deferred = True
        except psycopg.errors.InsufficientPrivilege:
            self.connection.rollback()
            self.checks_deferred = False

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
        count = 0
        with self.connection.cursor() as cursor, cursor.copy(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def after_items(self, log: Log) -> None:
        """Nothing to do: generated tsvector columns and their indexes keep themselves."""

    def finish(self, tables: Iterable[str], log: Log) -> None:
        if self.checks_deferred:
            started = time.perf_counter()
            self.connection.execute("SET session_replication_role = DEFAULT")
            _raise_for_orphans(self._orphans(set(tables)))
            log(f"  foreign keys verified in {time.perf_counter() - started:.1f} s")
        # Explicit ids leave the serial sequences at 1: move them past what is there.
        serial = [name for (name,) in self.connection.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'")]
        for table in serial:
            self.connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE(max(id), 1), max(id) IS NOT NULL) FROM {table}")
        self.connection.commit()

    def _orphans(self, tables: set[str]) -> list[str]:
        """Every single-column foreign key of the loaded tables, as one anti-join each."""
        keys = self.connection.execute("""
            SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
            FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND cardinality(c.conkey) = 1
              AND c.connamespace = current_schema()::regnamespace""").fetchall()
        found = []
        for child, column, parent, key in keys:
            if child not in tables:
                continue
            (count,) = self.connection.execute(
                f"SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "
                f"(SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})").fetchone()
            if count:
                found.append(f"{count} rows of {child}.{column} point at no {parent}")
        return found

    def close(self) -> None:
        self.connection.close()


class SqliteLoader:
    """executemany in one transaction, without fsync or row-by-row foreign-key checks; the
    keys are checked all at once before the commit."""

    dialect = "sqlite"

    def __init__(self, url: str) -> None:
        self.connection = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        # The app keeps the file in WAL mode; a rollback journal in memory is far faster for
        # one huge transaction, and WAL is switched back on at the end.
        for pragma in ("journal_mode = MEMORY", "synchronous = OFF", "foreign_keys = OFF",
                       "cache_size = -262144", "temp_store = MEMORY"):
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute("BEGIN")

    def copy(self, table: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
        declared = {name: kind.upper() for _, name, kind, *_ in
                    self.connection.execute(f"PRAGMA table_info({table})")}
        # SQLAlchemy stores timestamps as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) on SQLite; the
        # app compares them as text, so the format must be exactly that.
        times = [i for i, c in enumerate(columns) if declared[c] in ("DATETIME", "DATE")]
        counter = itertools.count()

        def converted(row: Row) -> Row:
            next(counter)
            if not times:
                return row
            values = list(row)
            for index in times:
                value = values[index]
                if isinstance(value, datetime):
                    values[index] = value.strftime("%Y-%m-%d %H:%M:%S.%f")
                elif isinstance(value, date):
                    values[index] = value.isoformat()
            return tuple(values)

        marks = ", ".join("?" * len(columns))
        self.connection.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            (converted(row) for row in rows))
        return next(counter)

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def after_items(self, log: Log) -> None:
        """Rebuild the FTS5 index (if the schema has one) in one pass over the items."""
        if self.connection.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'item_fts'").fetchone():
            started = time.perf_counter()
            self.connection.execute("INSERT INTO item_fts(item_fts) VALUES ('rebuild')")
            log(f"  item_fts rebuilt in {time.perf_counter() - started:.1f} s")

    def finish(self, tables: Iterable[str], log: Log) -> None:
        started = time.perf_counter()
        orphans: Counter[str] = Counter()
        for table in tables:
            for child, _, parent, key in self.connection.execute(
                    f"PRAGMA foreign_key_check({table})"):
                orphans[f"{child} (foreign key {key}) -> {parent}"] += 1
        _raise_for_orphans([f"{count} rows of {key}" for key, count in orphans.items()])
        log(f"  foreign keys verified in {time.perf_counter() - started:.1f} s")
        self.connection.execute("COMMIT")
        self.connection.execute("PRAGMA journal_mode = WAL")

    def close(self) -> None:
        self.connection.close()


def _raise_for_orphans(problems: list[str]) -> None:
    if problems:  # the transaction is not committed: nothing of this load is kept
        raise RuntimeError("generated rows break foreign keys: " + "; ".join(problems))


def _check_columns(engine: Engine, tables: dict[str, Sequence[str]]) -> None:
    """Fail early, with a clear message, if the schema needs columns this script does not fill
    (a migration added a NOT NULL column without a default) or lost some it fills."""
    inspector = inspect(engine)
    for table, written in tables.items():
        columns = inspector.get_columns(table)
        names = {c["name"] for c in columns}
        required = {c["name"] for c in columns
                    if not c["nullable"] and c.get("default") is None and not c.get("computed")
                    and c["name"] != "id"}
        if missing := required - set(written):
            raise RuntimeError(f"{table} needs {sorted(missing)}; teach bench/generate.py")
        if unknown := set(written) - names:
            raise RuntimeError(f"{table} has no {sorted(unknown)}; update bench/generate.py")


# -- the generator ----------------------------------------------------------------------------


@dataclass
class Totals:
    """Running sums of what the ledger holds, in øre and grams, to check the database by."""

    quantity: int = 0
    cost_cents: int = 0
    co2e_grams: int = 0
    waste_grams: int = 0

    def add(self, quantity: int, cost: int, co2e: int, waste: int) -> None:
        self.quantity += quantity
        self.cost_cents += cost
        self.co2e_grams += co2e
        self.waste_grams += waste

    def as_dict(self) -> dict[str, Any]:
        return {"items_reused": self.quantity, "avoided_cost_nok": _fixed(self.cost_cents, 2),
                "avoided_co2e_kg": _fixed(self.co2e_grams, 3),
                "avoided_waste_kg": _fixed(self.waste_grams, 3)}


class Generator:
    """Builds every row from one seed. Separate random streams per part, so that changing
    how (say) checks are made does not reshuffle the items."""

    def __init__(self, *, seed: int, items: int, records: int, units: int, users: int,
                 today: date, categories: list[Category],
                 search_columns: Callable[..., dict[str, str]]) -> None:
        self.seed = seed
        self.item_count = items
        self.today = today
        self.anchor = _epoch(today)  # everything happens before today's midnight (UTC)
        self.search_columns = search_columns
        self.units = build_units(units, self._rng("units"))
        self.units_by_id = {unit.id: unit for unit in self.units}
        self.user_count = users
        self.categories = Weighted(categories, [c.words.popularity for c in categories])
        self.rare_category = next((c for c in categories if c.slug == "sofa"), categories[0])
        self.reversal_count = round(records * REVERSED_SHARE) if records >= 2 else 0
        self.originals = records - self.reversal_count
        listed_start = today - timedelta(days=365 * LISTED_YEARS)
        record_start = today - timedelta(days=365 * RECORD_YEARS)
        # Listings grow as the service catches on (about 7× from the first day to the last).
        self.listed_times = DaySampler(listed_start, today,
                                       lambda day, t: _season(day) * math.exp(2.0 * t))
        self.record_times = DaySampler(record_start, today,
                                       lambda day, t: _season(day) * (0.55 + 0.9 * t))
        # Output state
        self.claims: list[Row] = []
        self.records: list[Row] = []
        self.reversals: list[Row] = []
        self.checks: list[Row] = []
        self.matches: list[Row] = []
        self.open_claims: list[Row] = []
        self.totals = Totals()
        self.next_claim = 1
        self.next_check = 1
        self.report_counts: Counter[int] = Counter()  # records received in the report year
        self.listed_titles: list[str] = []
        self.listed_created: list[int] = []
        self.available: list[tuple[int, int]] = []  # (created, id) of available listed items
        self.category_counts: Counter[str] = Counter()
        self.common_hits = 0
        self.rare_hits = 0
        self.rng_claims = self._rng("claims")
        self.reversed = set(self._rng("reversals").sample(range(1, self.originals + 1),
                                                          self.reversal_count))
        checks = records * CHECKS_PER_RECORD
        self.link_chance = min(1.0, 0.45 * checks / self.originals) if self.originals else 0.0
        self.check_target = int(checks)
        self.report_year = today.year - 1
        # Set by user_rows (users come before anything that refers to them).
        self.user_unit: list[int] = [0]  # unit id by user id
        self.generic_users = 0
        self.admins: list[int] = []
        self.member_unit: Unit | None = None
        self.load_user_emails: list[str] = []
        self.lot_count = 0
        self.report_start = _epoch(date(self.report_year, 1, 1))
        self.report_end = _epoch(date(self.report_year + 1, 1, 1))

    def _rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")

    # -- units and users ------------------------------------------------------------------

    def unit_rows(self) -> list[Row]:
        return [(u.id, u.name, u.code, u.parent_id) for u in self.units]

    def placement_rows(self) -> list[Row]:
        """Each unit's one open placement, from the beginning of time (as the migration and
        reuse.services.units.place() write it)."""
        return [(u.id, u.id, u.parent_id, PLACED_SINCE) for u in self.units]

    def user_rows(self, password_hash: str) -> list[Row]:
        """Generic users by Zipf-like unit sizes, then the well-known bench users."""
        rng = self._rng("users")
        leaves = [u for u in self.units if u.level == 2]
        ranks = _zipf(len(leaves), 0.7)
        rng.shuffle(ranks)
        weights = {u.id: r * KIND_SIZE.get(u.kind, 1.0) for u, r in zip(leaves, ranks)}
        small = min(weights.values(), default=1.0) * 3  # staff of an etat or avdeling office
        unit_ids = [u.id for u in self.units]
        placed = unit_ids[:self.user_count]  # one each first, so no unit is empty
        placed += rng.choices(unit_ids, [weights.get(i, small) for i in unit_ids],
                              k=max(0, self.user_count - len(placed)))
        rng.shuffle(placed)
        created_from = self.anchor - (RECORD_YEARS + 1) * 365 * DAY
        rows: list[Row] = []
        roles = Weighted(("member", "unit_admin", "sustainability"), (0.9695, 0.03, 0.0005))
        role_of = [roles.pick(rng) for _ in placed]
        for index in rng.sample(range(len(placed)), min(len(placed), max(2, len(placed) // 5000))):
            role_of[index] = "admin"  # a few, who correct records (reversals)
        self.admins = [i + 1 for i, role in enumerate(role_of) if role == "admin"]
        locales = Weighted((None, "nb", "en"), (90, 7, 3))
        for index, unit_id in enumerate(placed):
            user_id = index + 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            locale = locales.pick(rng)
            rows.append((user_id, f"{_ascii(first)}.{_ascii(last)}.{user_id}"
                         "@bergen.kommune.invalid", f"{first} {last}", password_hash,
                         role_of[index], unit_id, rng.random() >= 0.02,
                         _utc(created_from + int(rng.random() * 365 * DAY)),
                         f"{rng.getrandbits(128):032x}", locale))
            self.units_by_id[unit_id].users.append(user_id)
            self.user_unit.append(unit_id)
        self.generic_users = len(rows)
        rows += self._bench_users(rng, password_hash, created_from)
        return rows

    def _bench_users(self, rng: random.Random, password_hash: str, created: int) -> list[Row]:
        leaves = [u for u in self.units if u.level == 2 and u.users]
        largest = max(leaves, key=lambda u: (len(u.users), -u.id))
        lead_unit = next((u for u in self.units if u.name == "Klimaetaten"), self.units[0])
        spread: list[Unit] = []
        by_size = Weighted(leaves, [len(u.users) for u in leaves])
        for _ in range(LOAD_USER_COUNT * 20):
            if len(spread) == min(LOAD_USER_COUNT, len(leaves)):
                break
            if (unit := by_size.pick(rng)) not in spread:
                spread.append(unit)
        people = [(MEMBER_EMAIL, "Bench Medlem", "member", largest),
                  (LEAD_EMAIL, "Bench Bærekraftsleder", "sustainability", lead_unit)]
        people += [(f"bench.user{n:02d}@bench.invalid", f"Lasttest Bruker {n:02d}", "member",
                    spread[(n - 1) % len(spread)]) for n in range(1, LOAD_USER_COUNT + 1)]
        self.member_unit = largest
        self.load_user_emails = [email for email, *_ in people[2:]]
        first_id = self.generic_users + 1
        return [(first_id + i, email, name, password_hash, role, unit.id, True, _utc(created),
                 f"{rng.getrandbits(128):032x}", None)
                for i, (email, name, role, unit) in enumerate(people)]

    # -- items --------------------------------------------------------------------------------

    def _item_units(self) -> Weighted:
        """Who lists items: units by their size, with noise; the furniture store lists most."""
        rng = self._rng("item-units")
        staffed = [u for u in self.units if u.users]
        weights = [len(u.users) * rng.lognormvariate(0, 0.6) for u in staffed]
        total = sum(weights)
        for index, unit in enumerate(staffed):
            if unit.name == FURNITURE_STORE:
                weights[index] = total * 0.04
        return Weighted(staffed, weights)

    def _describe(self, rng: random.Random, category: Category, quantity: int,
                  condition: str) -> tuple[str, str]:
        words = category.words
        if words.nouns:
            singular, plural = rng.choice(words.nouns)
            title = plural if quantity > 1 else singular
        else:
            title = category.name
        variant = rng.choice(words.variants)
        if variant and rng.random() < 0.85:
            title = f"{title} {variant}"
        if rng.random() < 0.25:
            title = f"{title}, {rng.choice(COLOURS)}"
        sentences = [rng.choice(words.details), rng.choice(CONDITION_SENTENCES[condition])]
        if rng.random() < 0.4:
            sentences.append(rng.choice(words.details))
        if rng.random() < 0.5:
            sentences.append(rng.choice(EXTRA_SENTENCES))
        return title, " ".join(dict.fromkeys(s for s in sentences if s))

    def _item_row(self, rng: random.Random, item: Item, *, description: str, condition: str,
                  quantity: int, reserved: int, handed_over: int, updated: int,
                  withdrawn: int | None, unit: Unit) -> Row:
        if rng.random() < 0.9:
            address, building = unit.address, unit.building
        else:  # stored elsewhere: a depot, another building
            address, building = f"{rng.choice(STREETS)} {rng.randint(1, 120)}", ""
        room = rng.choice(ROOMS)
        if not room and rng.random() < 0.3:
            room = f"Rom {rng.randint(1, 4)}{rng.randint(0, 3)}{rng.randint(1, 9)}"
        search = self.search_columns(item.title, description, address, building, room)
        internal_days = 30 if rng.random() < 0.8 else rng.randint(14, 90)
        return (item.id, item.title, description, item.category.id, condition, quantity,
                reserved, handed_over, address, building, room, rng.choice(COLLECTION_NOTES),
                _utc(item.created).date() + timedelta(days=internal_days),
                _fixed_or_none(item.own_price_cents, 2), _fixed_or_none(item.own_weight_grams, 3),
                item.auto_approve, item.unit_id, item.created_by, _utc(item.created),
                _utc(updated), None if withdrawn is None else _utc(withdrawn),
                *search.values())

    def _new_item(self, rng: random.Random, item_id: int, unit: Unit, created: int,
                  quantity: int, condition: str, *, category: Category | None = None,
                  title: str | None = None) -> tuple[Item, str]:
        category = category or self.categories.pick(rng)
        described_title, description = self._describe(rng, category, quantity, condition)
        item = Item(item_id, category, unit.id, rng.choice(unit.users), created,
                    title or described_title, rng.random() < 0.1)
        # A few listings carry their own price or weight (rounded as people type them).
        if category.price_cents and rng.random() < 0.07:
            item.own_price_cents = max(100_00, round(
                category.price_cents * rng.uniform(0.5, 1.5) / 100_00) * 100_00)
        if category.weight_grams and rng.random() < 0.04:
            item.own_weight_grams = max(100, round(
                category.weight_grams * rng.uniform(0.7, 1.3) / 100) * 100)
        return item, description

    def listed_items(self) -> Iterator[Row]:
        """The `items` listed items. Their claims and records are kept in self.claims/records."""
        rng = self._rng("items")
        units = self._item_units()
        quantities = Weighted(range(1, 11), (30, 18, 10, 10, 8, 6, 3, 4, 2, 5))
        conditions = Weighted(*zip(*CONDITIONS))
        rare_ids = set(rng.sample(range(1, self.item_count + 1),
                                  min(self.item_count, RARE_ITEMS
                                      if self.item_count >= 1000 else self.item_count // 100)))
        budget = self.originals
        for item_id in range(1, self.item_count + 1):
            unit = units.pick(rng)
            quantity = quantities.pick(rng) if rng.random() > 0.04 else rng.randint(12, 40)
            created = self.listed_times.sample(rng)
            rare = item_id in rare_ids
            condition = "good" if rare else conditions.pick(rng)
            item, description = self._new_item(
                rng, item_id, unit, created, quantity, condition,
                category=self.rare_category if rare else None,
                title=rng.choice(RARE_TITLES) if rare else None)
            # What became of it: most are still there, some were given away or withdrawn
            # (perhaps after some pieces were taken). Rare items stay findable.
            fate = 1.0 if rare else rng.random()
            withdrawn = fate < WITHDRAWN
            if withdrawn:
                handed = rng.randint(0, quantity - 1) if rng.random() < 0.3 else 0
            elif fate < WITHDRAWN + FULLY_HANDED_OVER:
                handed = quantity
            elif fate < WITHDRAWN + FULLY_HANDED_OVER + PARTLY_HANDED_OVER and quantity > 1:
                handed = rng.randint(1, quantity - 1)
            else:
                handed = 0
            window = (created + DAY, min(self.anchor - 3600, created + 45 * DAY))
            parts = self._split(rng, handed, 3)
            if window[0] >= window[1] or len(parts) > budget:
                parts, handed = [], 0
            budget -= len(parts)
            times = sorted(rng.randint(*window) for _ in parts)
            for part, recorded in zip(parts, times):
                self._collect(item, part, recorded)
            updated = times[-1] if times else created
            withdrawn_at = None
            if withdrawn:
                withdrawn_at = min(self.anchor - 60,
                                   updated + 3600 + int(rng.random() * 60 * DAY))
                updated = withdrawn_at
            reserved = 0
            if not withdrawn and not rare and handed < quantity:
                reserved = self._open_claim(rng, item, quantity - handed)
            row = self._item_row(rng, item, description=description, condition=condition,
                                 quantity=quantity, reserved=reserved, handed_over=handed,
                                 updated=updated, withdrawn=withdrawn_at, unit=unit)
            self.listed_titles.append(item.title)
            self.listed_created.append(created)
            if not withdrawn and quantity > reserved + handed:
                self.available.append((created, item_id))
                self.category_counts[item.category.slug] += 1
                words = f"{item.title} {description}".casefold()
                self.common_hits += COMMON_WORD in words
                self.rare_hits += RARE_WORD in words
            yield row

    def _open_claim(self, rng: random.Random, item: Item, free: int) -> int:
        """A pending or approved claim on a recent listing; returns the pieces it reserves."""
        age = self.anchor - item.created
        if age > 12 * DAY or rng.random() >= 0.12:
            return 0  # older open claims would already have expired
        quantity = free if rng.random() < 0.1 else min(free, rng.choice((1, 1, 1, 2, 2, 3)))
        claimant = self._claimant(item.unit_id)
        created = item.created + 600 + int(rng.random() * max(0, age - 3600))
        approved = item.auto_approve or rng.random() < 0.4
        decided = created + int(rng.random() * max(0, self.anchor - created - 60)) \
            if approved else None
        self.open_claims.append((
            item.id, claimant, self.user_unit[claimant], quantity,
            "approved" if approved else "pending",
            rng.choice(CLAIM_MESSAGES) if rng.random() < 0.3 else "",
            AUTO_APPROVED if item.auto_approve else "",
            _utc(created).date() + timedelta(days=14), _utc(created),
            None if decided is None else _utc(decided),
            None if item.auto_approve or decided is None else item.created_by,
            None, None, None))
        return quantity

    @staticmethod
    def _split(rng: random.Random, quantity: int, most: int) -> list[int]:
        """Pieces in at most `most` claims, each at least one."""
        if quantity <= 0:
            return []
        count = rng.randint(1, min(most, quantity))
        cuts = sorted(rng.sample(range(1, quantity), count - 1))
        return [b - a for a, b in zip([0, *cuts], [*cuts, quantity])]

    def lots(self) -> Iterator[tuple[list[Row], list[Row], list[Row]]]:
        """Items fully handed over in the past, with the claims and records that took them,
        in chunks, until the records reach `records`."""
        rng = self._rng("lots")
        units = self._item_units()
        conditions = Weighted(*zip(*CONDITIONS))
        pieces = Weighted(range(1, 7), (40, 25, 12, 10, 5, 8))
        item_id = self.item_count + 1
        remaining = self.originals - (self.next_claim - 1)
        rows: list[Row] = []
        while remaining > 0:
            # Most lots are a few pieces in one to three claims; a move or a closed school
            # gives away dozens in many claims.
            claims = rng.randint(1, 3) if rng.random() < 0.6 else rng.randint(5, 20)
            claims = min(claims, remaining)
            parts = [pieces.pick(rng) for _ in range(claims)]
            first = self.record_times.sample(rng)
            unit = units.pick(rng)
            condition = conditions.pick(rng)
            item, description = self._new_item(rng, item_id, unit,
                                               first - DAY - int(rng.random() * 13 * DAY),
                                               sum(parts), condition)
            times = [first] + sorted(min(self.anchor - 3600, first + int(rng.random() * 14 * DAY))
                                     for _ in parts[1:])
            for part, recorded in zip(parts, times):
                self._collect(item, part, recorded)
            rows.append(self._item_row(rng, item, description=description, condition=condition,
                                       quantity=sum(parts), reserved=0, handed_over=sum(parts),
                                       updated=times[-1], withdrawn=None, unit=unit))
            remaining -= claims
            item_id += 1
            self.lot_count += 1
            if len(rows) >= CHUNK or remaining <= 0:
                yield rows, self.take_claims(), self.take_records()
                rows = []

    # -- claims, records, checks --------------------------------------------------------------

    def _claimant(self, giver_unit: int) -> int:
        """A generic user of another unit (bench users stay clean for the load tests)."""
        rng = self.rng_claims
        while True:
            user = 1 + int(rng.random() * self.generic_users)
            if self.user_unit[user] != giver_unit:
                return user

    def _collect(self, item: Item, quantity: int, recorded: int) -> None:
        """One collected claim of `quantity` pieces and its reuse record, valued as
        reuse.services.ledger.value does; perhaps a reuse check before it, a reversal after."""
        rng = self.rng_claims
        claim_id = self.next_claim
        self.next_claim += 1
        claimant = self._claimant(item.unit_id)
        receiver = self.user_unit[claimant]
        created = max(item.created + 600, recorded - 3600 - int(rng.random() * 5 * DAY))
        if item.auto_approve:
            decided, decided_by, decision = created, None, AUTO_APPROVED
        else:
            decided = created + int(rng.random() * (recorded - created) * 0.8)
            decided_by, decision = item.created_by, ""
        collector = claimant if rng.random() < 0.8 else item.created_by
        recorded_at = _utc(recorded)
        self.claims.append((
            claim_id, item.id, claimant, receiver, quantity, "collected",
            rng.choice(CLAIM_MESSAGES) if rng.random() < 0.3 else "", decision,
            _utc(created).date() + timedelta(days=14), _utc(created), _utc(decided),
            decided_by, recorded_at, collector, recorded_at))
        # The ledger's rule: cost only where a purchase was replaced, minus hand-over costs;
        # CO2e likewise; waste for every hand-over. Unknown factors count as zero.
        replaces = rng.random() < 0.85
        costs = rng.choice((350, 500, 800, 1200, 2500)) * 100 if rng.random() < 0.1 else 0
        price, weight, co2e = item.price_cents, item.weight_grams, item.category.co2e_grams
        cost = quantity * (price or 0) - costs if replaces else 0
        avoided_co2e = quantity * (co2e or 0) if replaces else 0
        waste = quantity * (weight or 0)
        factors = (_fixed_or_none(price, 2), _fixed_or_none(weight, 3), _fixed_or_none(co2e, 3))
        figures = (quantity, costs, cost, avoided_co2e, waste)
        self.records.append(self._record(claim_id, None, item, receiver, replaces, factors,
                                         figures, recorded, collector, ""))
        self.totals.add(quantity, cost, avoided_co2e, waste)
        if self.report_start <= recorded < self.report_end:
            self.report_counts[receiver] += 1
        if claim_id in self.reversed:
            # A correction: every figure negated, pointing at the record it cancels.
            when = min(self.anchor - 60, recorded + DAY + int(rng.random() * 89 * DAY))
            self.reversals.append(self._record(
                self.originals + len(self.reversals) + 1, claim_id, item, receiver, replaces,
                factors, tuple(-f for f in figures), max(when, recorded + 60),
                rng.choice(self.admins), rng.choice(REVERSAL_REASONS)))
            self.totals.add(-quantity, -cost, -avoided_co2e, -waste)
        if rng.random() < self.link_chance:
            self._linked_check(item, claimant, receiver, quantity, claim_id, created)

    @staticmethod
    def _record(record_id: int, reverses: int | None, item: Item, receiver: int,
                replaces: bool, factors: tuple[str | None, ...], figures: tuple[int, ...],
                recorded: int, recorded_by: int, reason: str) -> Row:
        """A reuse_record row; the record of claim n has id n, so `reverses` is a claim id."""
        quantity, costs, cost, co2e, waste = figures
        return (record_id, reverses or record_id, reverses, item.unit_id, receiver,
                item.category.id, quantity, replaces, _fixed(costs, 2), *factors,
                _fixed(cost, 2), _fixed(co2e, 3), _fixed(waste, 3), _utc(recorded),
                recorded_by, reason)

    def _need(self, rng: random.Random, category: Category) -> str:
        noun = category.words.nouns[0][1] if category.words.nouns else category.name
        return f"{noun} til {rng.choice(PURPOSES)}"

    def _linked_check(self, item: Item, user: int, unit: int, quantity: int, claim_id: int,
                      claimed: int) -> None:
        """A reuse check that ended in this claim: made shortly before, the item its top
        match; the claim's reuse_check_id is set once every check is in."""
        rng = self.rng_claims
        check_id = self.next_check
        self.next_check += 1
        created = max(item.created + 60, claimed - 600 - int(rng.random() * 3 * DAY))
        matches = [(item.id, item.title, quantity + rng.randint(0, 3))]
        matches += self._other_matches(rng, created, rng.randint(0, 4))
        self.checks.append((
            check_id, user, unit, self._need(rng, item.category),
            item.category.id if rng.random() < 0.5 else None,
            quantity if rng.random() < 0.5 else None, len(matches), _utc(created), "reused",
            _utc(claimed), claim_id, None, "", ""))
        self._add_matches(check_id, matches)

    def _other_matches(self, rng: random.Random, before: int,
                       count: int) -> list[tuple[int, str, int]]:
        """Listed items that were there when a check was made (snapshots of them)."""
        found: dict[int, tuple[int, str, int]] = {}
        for _ in range(count if self.listed_created else 0):
            index = int(rng.random() * len(self.listed_created))
            if self.listed_created[index] < before:  # listed ids are 1, 2, … in this order
                found[index + 1] = (index + 1, self.listed_titles[index], rng.randint(1, 10))
        return list(found.values())

    def _add_matches(self, check_id: int, matches: list[tuple[int, str, int]]) -> None:
        first = len(self.matches) + 1
        self.matches += [(first + rank, check_id, item_id, rank + 1, title, available)
                         for rank, (item_id, title, available) in enumerate(matches)]

    def other_checks(self) -> None:
        """The checks that did not end in a claim: bought new (with a reason), or still open
        (only recent ones: the reminder job nags about checks open for two weeks)."""
        rng = self._rng("checks")
        reasons = Weighted(*zip(*BOUGHT_NEW_REASONS))
        remaining = max(0, self.check_target - len(self.checks))
        open_count = min(remaining, round(self.check_target * 0.02))
        for number in range(remaining):
            user = 1 + int(rng.random() * self.generic_users)
            category = self.categories.pick(rng)
            is_open = number < open_count
            created = (self.anchor - 3600 - int(rng.random() * 13 * DAY) if is_open
                       else self.record_times.sample(rng))
            reason = None if is_open else reasons.pick(rng)
            matches = [] if reason == "nothing_suitable" else self._other_matches(
                rng, created, rng.randint(0, 3))
            decided = min(self.anchor - 60, created + 600 + int(rng.random() * 5 * DAY))
            check_id = self.next_check
            self.next_check += 1
            self.checks.append((
                check_id, user, self.user_unit[user], self._need(rng, category),
                category.id if rng.random() < 0.6 else None,
                rng.randint(1, 12) if rng.random() < 0.5 else None, len(matches),
                _utc(created), None if is_open else "bought_new",
                None if is_open else _utc(decided), None, reason,
                rng.choice(OTHER_REASONS) if reason == "other" else "",
                f"IO-{_utc(created).year}-{check_id:06d}" if reason and rng.random() < 0.7
                else ""))
            self._add_matches(check_id, matches)

    def open_claim_rows(self) -> list[Row]:
        """Pending and approved claims, numbered after the collected ones."""
        return [(self.next_claim + i, *row) for i, row in enumerate(self.open_claims)]

    def take_claims(self) -> list[Row]:
        taken, self.claims = self.claims, []
        return taken

    def take_records(self) -> list[Row]:
        taken, self.records = self.records, []
        return taken

    # -- what a benchmark needs to know -------------------------------------------------------

    def sample_item_ids(self, count: int = 50) -> list[int]:
        """The newest available items and a spread of older ones."""
        rng = self._rng("samples")
        ordered = sorted(self.available, reverse=True)
        newest = [item_id for _, item_id in ordered[:count // 2]]
        older = [item_id for _, item_id in ordered[count // 2:]]
        return newest + rng.sample(older, min(len(older), count - len(newest)))

    def report_unit(self) -> int:
        """The etat (a unit with sub-units) that received most in the report year."""
        by_parent: Counter[int] = Counter()
        for unit_id, count in self.report_counts.items():
            unit = self.units_by_id[unit_id]
            while unit.level > 1 and unit.parent_id is not None:
                unit = self.units_by_id[unit.parent_id]
            if unit.level == 1:
                by_parent[unit.id] += count
        if by_parent:
            return by_parent.most_common(1)[0][0]
        parents = {u.parent_id for u in self.units if u.parent_id}
        return min(parents) if parents else self.units[0].id


# -- orchestration ------------------------------------------------------------------------------


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _app(database_url: str):
    """The application on this database; a development key unless SECRET_KEY is set."""
    from reuse import create_app

    settings = {"DATABASE_URL": database_url}
    if not os.environ.get("SECRET_KEY"):
        settings["REUSE_ENV"] = "development"
    with _environment(**settings):
        return create_app()


def _categories() -> list[Category]:
    """The leaf categories as the app loaded them, factors in øre and grams."""
    from reuse.extensions import db
    from reuse.models import Category as CategoryModel

    rows = db.session.scalars(select(CategoryModel)).all()
    parents = {row.parent_id for row in rows}

    def scaled(value, places: int) -> int | None:
        return None if value is None else int(value.scaleb(places))

    return [Category(row.id, row.slug, row.name_nb, scaled(row.new_price_nok, 2),
                     scaled(row.weight_kg, 3), scaled(row.co2e_kg, 3),
                     VOCABULARY.get(row.slug, UNKNOWN_CATEGORY))
            for row in sorted(rows, key=lambda r: r.id) if row.id not in parents]


class Progress:
    """Rows and rows per second per table, as they are loaded."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.rows: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()

    def load(self, loader: Loader, table: str, columns: Sequence[str],
             rows: Iterable[Row]) -> int:
        started = time.perf_counter()
        count = loader.copy(table, columns, rows)
        self.rows[table] += count
        self.seconds[table] += time.perf_counter() - started
        return count

    def report(self, table: str) -> None:
        seconds = self.seconds[table]
        self.log(f"  {table:<18} {self.rows[table]:>10,} rows {seconds:7.1f} s "
                 f"({self.rows[table] / max(seconds, 1e-9):>9,.0f} rows/s)")


@dataclass(frozen=True)
class Batch:
    """Rows for one COPY; `note` is logged once they are in."""

    table: str
    columns: Sequence[str]
    rows: list[Row]
    note: str = ""


def _batches(generator: Generator, password_hash: str,
             item_columns: Sequence[str]) -> Iterator[Batch]:
    """Every row, in an order where each foreign key finds its row already loaded."""
    yield Batch("unit", UNIT_COLUMNS, generator.unit_rows())
    yield Batch("unit_placement", PLACEMENT_COLUMNS, generator.placement_rows())
    yield Batch("user_account", USER_COLUMNS, generator.user_rows(password_hash))
    listed = generator.listed_items()
    while rows := list(itertools.islice(listed, CHUNK)):
        yield Batch("item", item_columns, rows)
    yield Batch("claim", CLAIM_COLUMNS, generator.take_claims())
    yield Batch("reuse_record", RECORD_COLUMNS, generator.take_records(),
                f"listed items done: {generator.item_count:,} items, "
                f"{generator.next_claim - 1:,} of their records")
    for lots, claims, records in generator.lots():
        yield Batch("item", item_columns, lots)
        yield Batch("claim", CLAIM_COLUMNS, claims)
        yield Batch("reuse_record", RECORD_COLUMNS, records,
                    f"records {generator.next_claim - 1:>10,} / {generator.originals:,}")
    yield Batch("claim", CLAIM_COLUMNS, generator.open_claim_rows())
    yield Batch("reuse_record", RECORD_COLUMNS, generator.reversals)
    generator.other_checks()
    # A generated check was never refined: its matches were found when it was made.
    created_at = CHECK_COLUMNS.index("created_at")
    yield Batch("reuse_check", CHECK_COLUMNS, [row + (row[created_at],)
                                               for row in generator.checks])
    yield Batch("reuse_check_match", MATCH_COLUMNS, generator.matches)


_DONE = object()


def _prefetched(batches: Iterator[Batch], depth: int = 2) -> Iterator[Batch]:
    """The batches, built in a second thread while the caller loads the ones before.

    The database then works on one batch while Python builds the next: the loading thread
    spends most of its time waiting on the socket, which frees the GIL for the builder.
    """
    queue: Queue[object] = Queue(maxsize=depth)
    stop = threading.Event()

    def put(entry: object) -> None:
        while not stop.is_set():
            with contextlib.suppress(Full):
                queue.put(entry, timeout=0.2)
                return

    def build() -> None:
        try:
            for batch in batches:
                put(batch)
            put(_DONE)
        except BaseException as error:  # handed to the loading thread, which raises it
            put(error)

    builder = threading.Thread(target=build, name="bench-generate", daemon=True)
    builder.start()
    try:
        while (entry := queue.get()) is not _DONE:
            if isinstance(entry, BaseException):
                raise entry
            yield entry  # type: ignore[misc]
    finally:
        stop.set()
        builder.join(timeout=5)


def _load(generator: Generator, loader: Loader, progress: Progress, password_hash: str,
          item_columns: Sequence[str], log: Log) -> None:
    for batch in _prefetched(_batches(generator, password_hash, item_columns)):
        progress.load(loader, batch.table, batch.columns, batch.rows)
        if batch.note:
            log(f"  {batch.note}")
    # The claim ↔ check link goes both ways; the claim side is set now that both exist.
    started = time.perf_counter()
    loader.execute("UPDATE claim SET reuse_check_id = reuse_check.id FROM reuse_check "
                   "WHERE reuse_check.claim_id = claim.id")
    log(f"  claim.reuse_check_id linked in {time.perf_counter() - started:.1f} s")
    # Each person's count of open claims, as the claims service keeps it.
    loader.execute("UPDATE user_account SET open_claims = counted.n FROM ("
                   "SELECT claimant_id, COUNT(*) AS n FROM claim "
                   "WHERE status IN ('pending', 'approved') GROUP BY claimant_id) AS counted "
                   "WHERE counted.claimant_id = user_account.id")
    loader.after_items(log)
    loader.finish(progress.rows, log)
    for table in progress.rows:
        progress.report(table)


VOCABULARY_BATCH = 20_000


def _remember_item_words(db, item_model) -> int:
    """Fill the search vocabulary (SearchWord) from the loaded items' titles and
    descriptions through vocabulary.remember, as items.create_item does for each new item,
    a batch of items per call. Returns how many words the vocabulary has."""
    from reuse.models.search import SearchWord
    from reuse.services import vocabulary

    texts = db.session.execute(select(item_model.title, item_model.description)
                               .execution_options(yield_per=VOCABULARY_BATCH))
    for batch in texts.partitions():
        vocabulary.remember(*(part for row in batch for part in row if part))
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(SearchWord))


def generate(database_url: str, *, items: int, records: int, units: int = 1000,
             users: int = 20000, seed: int = 42, log: Log = print,
             today: date | None = None) -> dict[str, Any]:
    """Migrate the empty database at `database_url`, fill it, and say what is in it.

    `today` pins the calendar (default: the current UTC date): every timestamp falls before
    its midnight, so the same seed on the same day gives the same rows.
    """
    if items < 1 or records < 0 or users < 1:
        raise ValueError("items and users must be positive, records not negative")
    import flask_migrate

    from reuse.extensions import db
    from reuse.models import Item as ItemModel
    from reuse.models import ReuseRecord, User
    from reuse.models import Unit as UnitModel
    from reuse.services import categories, month_totals, tokens
    from reuse.services import items as item_service
    from reuse.services import users as user_service

    started = time.perf_counter()
    today = today or datetime.now(UTC).date()
    app = _app(database_url)
    with app.app_context():
        log("Migrating the schema and loading categories …")
        flask_migrate.upgrade()
        categories.load_defaults()
        db.session.commit()
        for model in (UnitModel, User, ItemModel, ReuseRecord):
            if db.session.scalar(select(model.id).limit(1)) is not None:
                raise RuntimeError(f"{database_url} is not empty ({model.__tablename__}); "
                                   "generate into a new database")
        search_columns = item_service.search_columns
        item_columns = ITEM_COLUMNS + tuple(search_columns("", "", ""))
        _check_columns(db.engine, {
            "unit": UNIT_COLUMNS, "unit_placement": PLACEMENT_COLUMNS,
            "user_account": USER_COLUMNS, "item": item_columns,
            "claim": CLAIM_COLUMNS, "reuse_record": RECORD_COLUMNS,
            "reuse_check": CHECK_COLUMNS, "reuse_check_match": MATCH_COLUMNS})
        generator = Generator(seed=seed, items=items, records=records, units=units,
                              users=users, today=today, categories=_categories(),
                              search_columns=search_columns)
        password_hash = user_service.hash_password(PASSWORD)  # once: argon2 takes a while
        dialect = db.engine.dialect.name
        # SQLite must be alone on the file to change its journal mode: no pooled connections.
        db.session.remove()
        db.engine.dispose()
    prepared = time.perf_counter()

    log(f"Loading {items:,} items and {records:,} records ({dialect}) …")
    progress = Progress(log)
    loader: Loader = PostgresLoader(database_url) if dialect == "postgresql" \
        else SqliteLoader(database_url)
    try:
        _load(generator, loader, progress, password_hash, item_columns, log)
    finally:
        loader.close()
    loaded = time.perf_counter()

    with app.app_context():
        member = db.session.scalar(select(User).where(User.email == MEMBER_EMAIL))
        _, api_token = tokens.create_token(member, "benchmark")
        db.session.commit()
        # COPY bypassed the ORM, which keeps the reports' month totals in step: sum them now.
        summed = time.perf_counter()
        rows = month_totals.rebuild()
        db.session.commit()
        log(f"  {rows:,} month totals summed from the ledger in "
            f"{time.perf_counter() - summed:.1f} s")
        # And the search vocabulary tolerant search corrects against, which the items
        # service fills as items are posted: the same service, a batch of items at a time.
        learnt = time.perf_counter()
        words = _remember_item_words(db, ItemModel)
        log(f"  {words:,} search words learnt from the items in "
            f"{time.perf_counter() - learnt:.1f} s")
        db.session.commit()
        db.session.remove()
        if dialect == "postgresql":
            # VACUUM as well as ANALYZE: a database in use has been through autovacuum, which
            # sets the visibility map that index-only scans (the exact counts) rely on. A
            # freshly COPY-loaded one has none, and would time a state production never is in.
            log("VACUUM ANALYZE …")
            with db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        db.engine.dispose()
    finished = time.perf_counter()

    total_rows = sum(progress.rows.values())
    seconds = finished - started
    result = {
        "database_url": database_url,
        "items": items,
        "records": records,
        "units": units,
        "users": users,
        "seconds": round(seconds, 2),
        "rows_per_second": round(total_rows / seconds),
        "password": PASSWORD,
        "member_email": MEMBER_EMAIL,
        "lead_email": LEAD_EMAIL,
        "load_user_emails": generator.load_user_emails,
        "api_token": api_token,
        "common_word": COMMON_WORD,
        "rare_word": RARE_WORD,
        "sample_item_ids": generator.sample_item_ids(),
        "filter_category_slug": next(iter(generator.category_counts.most_common(1)), ("",))[0],
        "report_year": generator.report_year,
        "report_unit_id": generator.report_unit(),
        "item_count_available": len(generator.available),
        # Beyond the brief: what else a benchmark or a check may want.
        "seed": seed,
        "today": today.isoformat(),
        "member_unit_id": generator.member_unit.id,
        "common_word_items": generator.common_hits,
        "rare_word_items": generator.rare_hits,
        "lot_items": generator.lot_count,
        "rows": dict(progress.rows),
        "totals": generator.totals.as_dict(),
        "timings": {"prepare": round(prepared - started, 2),
                    "load": round(loaded - prepared, 2),
                    "finish": round(finished - loaded, 2)},
    }
    log(f"Done: {total_rows:,} rows in {seconds:.1f} s ({result['rows_per_second']:,} rows/s); "
        f"load {loaded - prepared:.1f} s.")
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="an empty database: postgresql://… or sqlite:///path")
    parser.add_argument("--items", type=int, required=True, help="listed items")
    parser.add_argument("--records", type=int, required=True, help="reuse records")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat,
                        help="pin the calendar (YYYY-MM-DD) for reproducible data")
    parser.add_argument("--json", metavar="OUT", help="write the result here as JSON")
    args = parser.parse_args(argv)
    result = generate(args.database_url, items=args.items, records=args.records,
                      units=args.units, users=args.users, seed=args.seed, today=args.today)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(result, out, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
