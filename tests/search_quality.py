"""A fixed catalogue and the queries people type at it, with the items each query should find.

Used by tests/test_search_quality.py to measure recall (of the items that should be found,
the share found) and precision (of the items found, the share that should be). Queries come
in kinds: plain words, misspellings, words typed without æ, ø and å, other words for the same
thing, and traps (a near-miss word that must not drag in its neighbours). Reuse checks are
measured too: a need in a buyer's words, and the matches the check lists.

Relevance is judged as a buyer would: a chalkboard is a board ("tavle") but not a whiteboard,
a PC bag is not a PC. Where the search still gets one wrong, the figures show it.
"""

from __future__ import annotations

from dataclasses import dataclass

# key: (title, category slug, description)
CATALOGUE: dict[str, tuple[str, str, str]] = {
    "prosjektor": ("Prosjektor med takfeste", "prosjektor", "Fjernkontroll følger med."),
    "prosjektor-epson": ("Bærbar prosjektor, Epson", "prosjektor", "HDMI-inngang, med veske."),
    "kaffetrakter": ("Kaffetrakter til møterom", "kaffetrakter", "Med termokanne."),
    "espresso": ("Espressomaskin", "espressomaskin", "Damp-funksjonen virker ikke."),
    "kjoleskap": ("Kjøleskap, høyt, hvitt", "kjoleskap", "185 cm. Byttet ut mot et større."),
    "minikjoleskap": ("Minikjøleskap", "kjoleskap", "Passer under benken."),
    "fryseboks": ("Fryseboks", "kjoleskap", "200 liter, fungerer fint."),
    "motebord-eik": ("Møtebord i eik, 8 personer", "motebord", "240 × 100 cm."),
    "motebord-ovalt": ("Ovalt møtebord", "motebord", "Hvit plate, krombein."),
    "kafebord": ("Runde kafébord", "motebord", "Diameter 80 cm."),
    "kontorstol-hag": ("Kontorstoler HÅG Futu, svarte", "kontorstol", "Justerbar sittehøyde."),
    "kontorstol-nakke": ("Kontorstol med nakkestøtte", "kontorstol", "Brukt i et prosjektrom."),
    "besoksstol": ("Besøksstoler i bjørk", "besoksstol", "Stablebare."),
    "motestol": ("Møtestoler med stoff, grå", "besoksstol", "Grått ullstoff."),
    "barnestol": ("Barnestoler, stablebare", "besoksstol", "Sittehøyde 35 cm."),
    "flaggstolpe": ("Flaggstolpe, 8 meter", "mobler", "Med snor og beslag."),
    "lenestol": ("Lenestol i skinn", "sofa", "Brun, med fotskammel."),
    "sofa": ("Sofa i grått stoff, tre-seter", "sofa", "Litt slitt på setet."),
    "loungesofa": ("Loungesofa, grønn", "sofa", "Modulsofa i to deler."),
    "hevsenk-160": ("Hev-senk-skrivebord 160 × 80", "hev-senk-skrivebord",
                    "Elektrisk, hvit bordplate."),
    "hevsenk-140": ("Hev-senk-skrivebord 140 cm, bjørk", "hev-senk-skrivebord",
                    "Med minneknapper."),
    "skrivebord-bok": ("Skrivebord i bøk med skuff", "skrivebord", "Solid, 150 × 75 cm."),
    "elevpult": ("Elevpulter, enkle", "skrivebord", "Høydejusterbare."),
    "skrivebord-hjorne": ("Skrivebord, hjørne, grå", "skrivebord", "L-formet."),
    "skuffeseksjon": ("Skuffeseksjon på hjul, hvit", "skuffeseksjon-tre", "Tre skuffer."),
    "skuffeseksjon-stal": ("Skuffeseksjoner i stål", "skuffeseksjon-stal", "Grå, med nøkler."),
    "arkivskap": ("Arkivskap med skyvedører", "skap", "Høyde 200 cm."),
    "garderobeskap": ("Garderobeskap for barn", "skap", "Ti rom med knagger."),
    "dokumentskap": ("Dokumentskap med lås", "skap", "Brannsikkert, to nøkler."),
    "bokhylle": ("Bokhyller, hvite, 80 cm", "bokhylle", "Fem hyller hver."),
    "bokhylle-barn": ("Lav bokhylle for barn", "bokhylle", "Med plastkasser."),
    "reol": ("Reolseksjoner til lager", "bokhylle", "Stålreoler, 200 cm høye."),
    "vegghylle": ("Vegghylle i eik", "bokhylle", "120 cm."),
    "whiteboard": ("Whiteboard på hjul", "tavle", "Tosidig, 180 × 120 cm."),
    "glasstavle": ("Glasstavle, veggmontert", "tavle", "Magnetisk, skrives på med tusj."),
    "krittavle": ("Krittavle, grønn", "tavle", "Klassisk skoletavle."),
    "tavlepenner": ("Tavlepenner og svamp", "mobler", "Uåpnede pakker."),
    "laptop-14": ("Bærbare PC-er, 14 tommer", "barbar-pc", "Lader følger med."),
    "laptop-thinkpad": ("Laptop Lenovo ThinkPad", "barbar-pc", "Tilbakestilt, 8 GB minne."),
    "stasjonar": ("Stasjonære PC-er til opplæring", "stasjonar-pc", "Uten skjerm."),
    "datamaskin": ("Datamaskin til kontor, Dell OptiPlex", "stasjonar-pc", "Windows 11."),
    "pc-veske": ("PC-veske, svart", "it-utstyr", "Til 15 tommer."),
    "hoyttaler": ("Bærbar høyttaler, Bluetooth", "it-utstyr", "Lader med."),
    "bord-sammenleggbart": ("Bærbart bord, sammenleggbart", "bord", "For utendørs bruk."),
    "skjerm-24": ("Skjermer 24 tommer", "skjerm", "Med stativ. HDMI og DisplayPort."),
    "skjerm-27": ("Skjerm 27 tommer, USB-C", "skjerm", "Brukt i et halvt år."),
    "monitor": ("Monitor 22 tommer, Dell", "skjerm", "VGA og HDMI."),
    "tv": ("TV 55 tommer", "it-utstyr", "Med veggfeste."),
    "mobil": ("Mobiltelefoner til tjenestebruk", "mobiltelefon", "Noen riper i glasset."),
    "laserskriver": ("Laserskriver, svart-hvitt", "skriver", "Trenger ny valse."),
    "kopimaskin": ("Kopimaskin, Canon", "skriver", "Skriver ut A3 og A4."),
    "printer": ("Printer i farger, HP", "skriver", "Nettverkskort."),
    "oppvaskmaskin": ("Oppvaskmaskin, integrert", "oppvaskmaskin", "Lekker litt fra døren."),
    "stekeovn": ("Stekeovn, innbygging", "stekeovn", "Varmluft."),
    "vannkoker": ("Vannkokere", "vannkoker", "1,7 liter, rustfritt stål."),
    "kaffekopper": ("Kaffekopper, hvite", "kjokken", "Fra kantina, 40 stk."),
    "mikro": ("Mikrobølgeovn", "kjokken", "800 watt."),
    "skjermvegg": ("Skjermvegger, lydabsorberende", "mobler", "Grå filt, 160 cm."),
    "bordlampe": ("Bordlampe med klype", "mobler", "LED."),
    "stolputer": ("Stolputer i ull", "mobler", "Passer til besøksstoler."),
    "garderobestativ": ("Garderobestativ på hjul", "mobler", "Med 20 kleshengere."),
}

SKRIVEBORD = {"hevsenk-160", "hevsenk-140", "skrivebord-bok", "skrivebord-hjorne"}
KJOLESKAP = {"kjoleskap", "minikjoleskap"}
PROSJEKTOR = {"prosjektor", "prosjektor-epson"}
KONTORSTOL = {"kontorstol-hag", "kontorstol-nakke"}
LAPTOP = {"laptop-14", "laptop-thinkpad"}
PC = LAPTOP | {"stasjonar", "datamaskin"}
SKJERM = {"skjerm-24", "skjerm-27", "monitor"}
WHITEBOARD = {"whiteboard", "glasstavle"}
SKRIVER = {"laserskriver", "kopimaskin", "printer"}
BOKHYLLE = {"bokhylle", "bokhylle-barn"}


@dataclass(frozen=True)
class Query:
    text: str
    kind: str  # plain, misspelt, folded, synonym, trap; check for a reuse check's need
    relevant: frozenset[str]


def _queries(kind: str, pairs: list[tuple[str, set[str]]]) -> list[Query]:
    return [Query(query, kind, frozenset(relevant)) for query, relevant in pairs]


QUERIES = [
    *_queries("plain", [
        ("prosjektor", PROSJEKTOR),
        ("kjøleskap", KJOLESKAP),
        ("kontorstol", KONTORSTOL),
        ("stol", KONTORSTOL | {"besoksstol", "motestol", "barnestol", "lenestol"}),
        ("skrivebord", SKRIVEBORD),
        ("sofa", {"sofa", "loungesofa"}),
        ("bokhylle", BOKHYLLE),
        ("hev-senk", {"hevsenk-160", "hevsenk-140"}),
        ("kaffetrakter", {"kaffetrakter"}),
        ("skap", {"arkivskap", "garderobeskap", "dokumentskap"} | KJOLESKAP),
        ("hylle", BOKHYLLE | {"vegghylle"}),
    ]),
    *_queries("misspelt", [
        ("projektor", PROSJEKTOR),
        ("kjøleskp", KJOLESKAP),
        ("skrivbord", SKRIVEBORD),
        ("whitebord", WHITEBOARD),
        ("kontorsol", KONTORSTOL),
        ("bokhyle", BOKHYLLE),
        ("oppvaskmaskn", {"oppvaskmaskin"}),
        ("espresomaskin", {"espresso"}),
        ("mikrobølgovn", {"mikro"}),
        ("kaffetraktr", {"kaffetrakter"}),
        ("skuffseksjon", {"skuffeseksjon", "skuffeseksjon-stal"}),
    ]),
    *_queries("folded", [
        ("kjoleskap", KJOLESKAP),
        ("motebord", {"motebord-eik", "motebord-ovalt"}),
        ("barbar pc", LAPTOP),
        ("baerbar pc", LAPTOP),
        ("motestol", {"motestol"}),
        ("hoyttaler", {"hoyttaler"}),
        ("stalreol", {"reol"}),
        ("skuffeseksjon stal", {"skuffeseksjon-stal"}),
        ("bjork", {"besoksstol", "hevsenk-140"}),
        ("kafebord", {"kafebord"}),
    ]),
    *_queries("synonym", [
        ("pc", PC),
        ("datamaskin", PC),
        ("laptop", LAPTOP),
        ("monitor", SKJERM),
        ("skjerm", SKJERM),
        ("tavle", WHITEBOARD | {"krittavle"}),
        ("whiteboard", WHITEBOARD),
        ("printer", SKRIVER),
        ("pult", SKRIVEBORD | {"elevpult"}),
        ("reol", BOKHYLLE | {"reol"}),
        ("kaffemaskin", {"kaffetrakter", "espresso"}),
    ]),
    *_queries("trap", [
        ("kopp", {"kaffekopper"}),
        ("stolpe", {"flaggstolpe"}),
        ("tv", {"tv"}),
        ("skjermvegg", {"skjermvegg"}),
        ("lampe", {"bordlampe"}),
        ("kopimaskin", {"kopimaskin"}),
        ("mobil", {"mobil"}),
        ("garderobe", {"garderobeskap", "garderobestativ"}),
    ]),
]

CHECK_NEEDS = _queries("check", [
    ("Projektor til møterom", PROSJEKTOR),
    ("Kjøleskap til kontorkjøkkenet", KJOLESKAP),
    ("Skjermer 27 tommer", SKJERM),
    ("Kontorstoler til lærerrommet", KONTORSTOL),
    ("PC til ny ansatt", PC),
    ("Whitebord til klasserommet", WHITEBOARD),
    ("Kaffemaskin til personalrommet", {"kaffetrakter", "espresso"}),
    ("Bokhyller til biblioteket", BOKHYLLE),
])


@dataclass
class Tally:
    found: int = 0
    relevant: int = 0
    correct: int = 0

    def add(self, found: set[str], relevant: frozenset[str]) -> None:
        self.found += len(found)
        self.relevant += len(relevant)
        self.correct += len(found & relevant)

    @property
    def recall(self) -> float:
        return self.correct / self.relevant if self.relevant else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0


def measure(results: dict[Query, set[str]]) -> dict[str, Tally]:
    """Tallies per kind of query and for all of them ("all"), pooled over the items found."""
    tallies: dict[str, Tally] = {}
    for query, found in results.items():
        for kind in (query.kind, "all"):
            tallies.setdefault(kind, Tally()).add(found, query.relevant)
    return tallies


def table(tallies: dict[str, Tally], misses: list[str]) -> str:
    lines = ["Search quality (pooled over queries)",
             f"{'kind':<10} {'recall':>7} {'precision':>9}  (correct/relevant, correct/found)"]
    for kind, tally in tallies.items():
        lines.append(f"{kind:<10} {tally.recall:>7.2f} {tally.precision:>9.2f}  "
                     f"({tally.correct}/{tally.relevant}, {tally.correct}/{tally.found})")
    lines.extend(misses)
    return "\n".join(lines)
