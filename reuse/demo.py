"""Demo data for trying the application: a Bergen unit tree, a persona per role, ~40 items.

Idempotent: everything is looked up by its natural key first, so a second run adds nothing.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select, update

from reuse.clock import OSLO
from reuse.extensions import db
from reuse.models import (
    Claim,
    Item,
    Notification,
    Partner,
    PartnerKind,
    ReuseCheck,
    Role,
    Stage,
    Unit,
    User,
    utcnow,
)
from reuse.services import categories, checks, claims, items, photos, units, users

DEMO_PASSWORD = "gjenbruk-demo-2026"

# (name, parent, cost-centre code)
UNIT_TREE = [
    ("Byrådsavdeling for barnehage og skole", None, "200000"),
    ("Etat for barnehage", "Byrådsavdeling for barnehage og skole", "210000"),
    ("Landås barnehage", "Etat for barnehage", "211010"),
    ("Fyllingsdalen barnehage", "Etat for barnehage", "211020"),
    ("Etat for skole", "Byrådsavdeling for barnehage og skole", "220000"),
    ("Møhlenpris skole", "Etat for skole", "221010"),
    ("Nattland skole", "Etat for skole", "221020"),
    ("Byrådsleders avdeling", None, "100000"),
    ("Etat for bygg og eiendom", "Byrådsleders avdeling", "110000"),
    ("Møbellageret, Etat for bygg og eiendom", "Etat for bygg og eiendom", "110500"),
    ("Etat for inkludering", "Byrådsleders avdeling", "120000"),
    ("Byrådsavdeling for klima, miljø og byutvikling", None, "300000"),
    ("Klimaetaten", "Byrådsavdeling for klima, miljø og byutvikling", "310000"),
    ("Bymiljøetaten", "Byrådsavdeling for klima, miljø og byutvikling", "320000"),
]


@dataclass(frozen=True)
class Persona:
    email: str
    name: str
    unit: str
    role: Role
    purpose: str


PERSONAS = [
    Persona("kari.nordmann@bergen.example", "Kari Nordmann", "Møhlenpris skole", Role.MEMBER,
            "kontormedarbeider som legger ut ting"),
    Persona("ola.hansen@bergen.example", "Ola Hansen", "Klimaetaten", Role.MEMBER,
            "innkjøper som sjekker gjenbruk før bestilling"),
    Persona("ingrid.berg@bergen.example", "Ingrid Berg", "Møhlenpris skole", Role.UNIT_ADMIN,
            "enhetsadministrator"),
    Persona("sofie.lie@bergen.example", "Sofie Lie", "Klimaetaten", Role.SUSTAINABILITY,
            "bærekraftsansvarlig"),
    Persona("admin@bergen.example", "Per Admin", "Byrådsleders avdeling", Role.ADMIN,
            "systemadministrator"),
    Persona("lars.vik@bergen.example", "Lars Vik", "Landås barnehage", Role.MEMBER,
            "styrer i barnehage"),
    Persona("eirik.moe@bergen.example", "Eirik Moe", "Møbellageret, Etat for bygg og eiendom",
            Role.MEMBER, "driver kommunens møbellager"),
    Persona("nina.aas@bergen.example", "Nina Aas", "Bymiljøetaten", Role.MEMBER,
            "kontormedarbeider"),
]

LOCATIONS = {
    "Møhlenpris skole": ("Konsul Börs gate 5", "Hovedbygget"),
    "Landås barnehage": ("Landåsveien 40", ""),
    "Møbellageret, Etat for bygg og eiendom": ("Kanalveien 60", "Lager B"),
    "Bymiljøetaten": ("Rådhusgaten 10", "Rådhuset"),
    "Klimaetaten": ("Christies gate 3A", ""),
}

# (title, category slug, condition, quantity, lister e-mail, room, description)
DEMO_ITEMS = [
    ("Kontorstoler HÅG Futu, svarte", "kontorstol", "good", 12, "eirik.moe", "Rad 3",
     "Justerbar sittehøyde og armlener. Noe slitasje på armlenene."),
    ("Kontorstol med nakkestøtte", "kontorstol", "as_new", 2, "nina.aas", "4. etasje",
     "Brukt i tre måneder i et prosjektrom."),
    ("Besøksstoler i bjørk", "besoksstol", "used", 20, "eirik.moe", "Rad 5",
     "Stablebare. Noen har riper i lakken."),
    ("Møtestoler med stoff, grå", "besoksstol", "good", 8, "kari.nordmann", "Møterom 2",
     "Grått ullstoff, rengjort i år."),
    ("Hev-senk-skrivebord 160 × 80", "hev-senk-skrivebord", "good", 6, "eirik.moe", "Rad 1",
     "Elektrisk, hvit bordplate. Motoren fungerer fint."),
    ("Hev-senk-skrivebord 140 cm, bjørk", "hev-senk-skrivebord", "as_new", 3, "nina.aas",
     "3. etasje", "Elektrisk, med minneknapper."),
    ("Skrivebord i bøk med skuff", "skrivebord", "used", 4, "kari.nordmann", "Lærerrommet",
     "Solid, litt slitt kant. 150 × 75 cm."),
    ("Elevpulter, enkle", "skrivebord", "used", 25, "kari.nordmann", "Kjelleren",
     "Høydejusterbare elevpulter. Noen trenger nye gummiføtter."),
    ("Møtebord i eik, 8 personer", "motebord", "good", 1, "nina.aas", "Møterom Fløyen",
     "240 × 100 cm. Kan demonteres for transport."),
    ("Runde kafébord", "motebord", "used", 5, "lars.vik", "Personalrommet",
     "Diameter 80 cm. Passer i kantine eller personalrom."),
    ("Skuffeseksjon på hjul, hvit", "skuffeseksjon-tre", "good", 10, "eirik.moe", "Rad 2",
     "Tre skuffer, lås uten nøkkel."),
    ("Skuffeseksjoner i stål", "skuffeseksjon-stal", "used", 6, "nina.aas", "Arkivet",
     "Grå, med nøkler."),
    ("Arkivskap med skyvedører", "skap", "good", 3, "eirik.moe", "Rad 6",
     "Høyde 200 cm. Krever to personer for å bære."),
    ("Garderobeskap for barn", "skap", "used", 2, "lars.vik", "Gangen",
     "Ti rom med knagger og hylle."),
    ("Bokhyller, hvite, 80 cm", "bokhylle", "good", 7, "kari.nordmann", "Biblioteket",
     "Fem hyller hver. Festes i vegg."),
    ("Lav bokhylle for barn", "bokhylle", "as_new", 2, "lars.vik", "Avdeling Blåbær",
     "Med plastkasser til leker."),
    ("Sofa i grått stoff, tre-seter", "sofa", "used", 1, "lars.vik", "Personalrommet",
     "Litt slitt på setet. Kan gjerne trekkes om."),
    ("Loungesofa, grønn", "sofa", "good", 2, "nina.aas", "Resepsjonen",
     "Modulsofa i to deler."),
    ("Whiteboard på hjul", "tavle", "good", 2, "kari.nordmann", "Rom 104",
     "Tosidig, 180 × 120 cm. Med penneholder."),
    ("Glasstavle, veggmontert", "tavle", "as_new", 1, "nina.aas", "Møterom Ulriken",
     "Magnetisk, 150 × 100 cm."),
    ("Bærbare PC-er, 14 tommer", "barbar-pc", "good", 5, "nina.aas", "IT-rommet",
     "Tilbakestilt og klar for ny bruker. Lader følger med."),
    ("Stasjonære PC-er til opplæring", "stasjonar-pc", "used", 8, "kari.nordmann", "Datarommet",
     "Fungerer, men er noen år gamle. Uten skjerm."),
    ("Skjermer 24 tommer", "skjerm", "good", 14, "eirik.moe", "Rad 7",
     "Med stativ og strømkabel. HDMI og DisplayPort."),
    ("Skjerm 27 tommer, USB-C", "skjerm", "as_new", 2, "nina.aas", "4. etasje",
     "Brukt i et halvt år."),
    ("Mobiltelefoner til tjenestebruk", "mobiltelefon", "used", 4, "nina.aas", "IT-rommet",
     "Tilbakestilt. Noen riper i skjermen."),
    ("Laserskriver, svart-hvitt", "skriver", "needs_repair", 1, "kari.nordmann", "Kopirommet",
     "Trekker ofte inn to ark. Trenger ny valse."),
    ("Prosjektor med takfeste", "prosjektor", "good", 1, "kari.nordmann", "Rom 210",
     "Fjernkontroll følger med."),
    ("Kjøleskap, høyt, hvitt", "kjoleskap", "good", 1, "lars.vik", "Kjøkkenet",
     "185 cm. Byttet ut fordi vi fikk et større."),
    ("Minikjøleskap", "kjoleskap", "as_new", 2, "nina.aas", "Kontorkjøkkenet",
     "Passer under benken."),
    ("Oppvaskmaskin, integrert", "oppvaskmaskin", "needs_repair", 1, "lars.vik", "Kjøkkenet",
     "Lekker litt fra døren. Trenger ny pakning."),
    ("Stekeovn, innbygging", "stekeovn", "good", 1, "kari.nordmann", "Skolekjøkkenet",
     "Varmluft, fungerer som den skal."),
    ("Vannkokere", "vannkoker", "good", 6, "eirik.moe", "Rad 8",
     "1,7 liter, rustfritt stål."),
    ("Kaffetrakter til møterom", "kaffetrakter", "used", 3, "nina.aas", "Kontorkjøkkenet",
     "Med termokanne."),
    ("Espressomaskin", "espressomaskin", "needs_repair", 1, "nina.aas", "Kontorkjøkkenet",
     "Damp-funksjonen virker ikke."),
    ("Kontorstoler, blå, uten armlener", "kontorstol", "used", 9, "kari.nordmann", "Kjelleren",
     "Enkle stoler til grupperom."),
    ("Barnestoler, stablebare", "besoksstol", "good", 15, "lars.vik", "Lageret",
     "Sittehøyde 35 cm."),
    ("Skrivebord, hjørne, grå", "skrivebord", "good", 2, "eirik.moe", "Rad 1",
     "L-formet, 160 × 120 cm."),
    ("Reolseksjoner til lager", "bokhylle", "used", 10, "eirik.moe", "Rad 9",
     "Stålreoler, 200 cm høye. Bolter følger med."),
    ("Lenestol i skinn", "sofa", "good", 2, "eirik.moe", "Rad 4",
     "Brun, med fotskammel."),
    ("Dokumentskap med lås", "skap", "as_new", 2, "nina.aas", "Arkivet",
     "Brannsikkert, to nøkler."),
]

PALETTE = [(30, 107, 82), (46, 94, 170), (150, 80, 30), (110, 60, 130), (60, 60, 60),
           (170, 50, 60), (20, 120, 140)]


# Pillow's built-in font has no æ, ø or å; DejaVu Sans (Debian's fonts-dejavu-core) has them.
PHOTO_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _photo_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans when the system has it, so "Møhlenpris" shows whole; else Pillow's own."""
    if PHOTO_FONT.exists():
        return ImageFont.truetype(str(PHOTO_FONT), size)
    return ImageFont.load_default(size=size)


def _demo_photo(title: str, category_name: str, seed: int) -> bytes:
    """A plain generated picture, so the demo has photos without shipping any."""
    rng = random.Random(seed)
    colour = PALETTE[seed % len(PALETTE)]
    image = Image.new("RGB", (1200, 900), tuple(min(255, c + 150) for c in colour))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 1000), rng.randint(0, 700)
        w, h = rng.randint(120, 420), rng.randint(80, 300)
        draw.rounded_rectangle((x, y, x + w, y + h), radius=24,
                               fill=tuple(min(255, c + rng.randint(40, 110)) for c in colour))
    draw.rectangle((0, 640, 1200, 900), fill=colour)
    draw.text((48, 670), category_name, fill="white", font=_photo_font(64))
    draw.text((48, 770), title[:40], fill="white", font=_photo_font(44))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def seed(*, log=print) -> None:
    added, _ = categories.load_defaults()
    log(f"Kategorier: {added} lagt til.")

    by_name: dict[str, Unit] = {}
    for name, parent, code in UNIT_TREE:
        unit = units.find_by_name(name) or units.create_unit(
            name=name, parent=by_name.get(parent), code=code)
        by_name[name] = unit

    people: dict[str, User] = {}
    for persona in PERSONAS:
        user = users.find_by_email(persona.email) or users.create_user(
            email=persona.email, name=persona.name, unit=by_name[persona.unit],
            role=persona.role.value, password=DEMO_PASSWORD)
        people[persona.email.split("@")[0]] = user

    existing = {(unit_id, title) for unit_id, title in db.session.execute(
        select(Item.unit_id, Item.title))}
    today = date.today()
    created = 0
    for index, (title, slug, condition, quantity, lister, room, description) in enumerate(
            DEMO_ITEMS):
        user = people[lister]
        if (user.unit_id, title) in existing:
            continue
        category = categories.get_by_slug(slug)
        address, building = LOCATIONS[user.unit.name]
        item = items.create_item(user, items.ItemDetails(
            title=title, category_id=category.id, condition=condition, quantity=quantity,
            description=description, location_address=address, location_building=building,
            location_room=room,
            collection_notes="Ring eller send e-post før henting. Hverdager 08–15.",
            internal_until=today + timedelta(days=5 + (index * 7) % 40),
        ))
        # Spread listings over the last weeks, newest first on the front page.
        item.created_at = utcnow() - timedelta(days=index % 30, hours=index * 5 % 24)
        photo = photos.Upload(io.BytesIO(_demo_photo(title, category.name_nb, index)),
                              f"demo-{index}.jpg", f"Illustrasjon: {category.name_nb.lower()}")
        photos.add_photos(user, item, [photo])
        created += 1
    db.session.flush()
    log(f"Demodata: {created} annonser lagt til ({len(DEMO_ITEMS) - created} fantes fra før).")
    if db.session.scalar(select(func.count()).select_from(Claim)) == 0:
        handed_over = _seed_history(people)
        opened = _seed_open_claims(people)
        checked = _seed_checks(people)
        log(f"Demodata: {handed_over} overleveringer siste 12 måneder, {opened} åpne "
            f"forespørsler, {checked} gjenbrukssjekker.")
    _seed_goals(log)
    _seed_cascade(people, log)
    _seed_purchases(people, log)


# (buyer, need, outcome: a reason code for bought new, "reused", or None for still open)
CHECKS = [
    ("ola.hansen", "Hev-senk-skrivebord til nye kontorplasser", "reused"),
    ("kari.nordmann", "Kontorstoler til lærerrommet", "reused"),
    ("lars.vik", "Bokhyller til avdelingene", "reused"),
    ("ola.hansen", "Projektor til møterom", "technical_requirements"),
    ("nina.aas", "Kjøleskap til kontorkjøkkenet", "needed_sooner"),
    ("kari.nordmann", "Elevpulter med hev-senk", "technical_requirements"),
    ("sofie.lie", "Skjermer 27 tommer", None),
]


def _seed_checks(people: dict[str, User]) -> int:
    """Reuse checks before buying: some met by a hand-over, some bought new, one open."""
    for buyer_key, need, outcome in CHECKS:
        buyer = people[buyer_key]
        check = checks.create_check(buyer, need)
        if outcome == "reused":
            collected = db.session.scalar(select(Claim).where(
                Claim.claimant_id == buyer.id, Claim.status == "collected",
                Claim.reuse_check_id.is_(None)).order_by(Claim.collected_at.desc()))
            if collected is not None:
                check.created_at = collected.created_at - timedelta(hours=2)  # looked first
                db.session.flush()
                checks.link_claim(buyer, check, collected)
        elif outcome is not None:
            checks.record_bought_new(buyer, check, outcome,
                                     purchase_reference=f"PO-{check.id:05d}")
    db.session.flush()
    return len(CHECKS)


# (giver, receiver, title, category, pieces)
HISTORY_TEMPLATES = [
    ("eirik.moe", "kari.nordmann", "Kontorstoler, grå", "kontorstol", 6),
    ("eirik.moe", "ola.hansen", "Hev-senk-skrivebord", "hev-senk-skrivebord", 4),
    ("nina.aas", "lars.vik", "Bokhyller", "bokhylle", 3),
    ("eirik.moe", "lars.vik", "Barnestoler", "besoksstol", 12),
    ("kari.nordmann", "nina.aas", "Skjermer 24 tommer", "skjerm", 5),
    ("lars.vik", "ola.hansen", "Kjøleskap", "kjoleskap", 1),
    ("nina.aas", "kari.nordmann", "Møtebord", "motebord", 1),
    ("eirik.moe", "sofie.lie", "Skuffeseksjoner", "skuffeseksjon-stal", 4),
    ("kari.nordmann", "lars.vik", "Skrivebord", "skrivebord", 2),
    ("eirik.moe", "nina.aas", "Sofa", "sofa", 1),
    ("nina.aas", "ola.hansen", "Bærbare PC-er", "barbar-pc", 3),
    ("eirik.moe", "kari.nordmann", "Arkivskap", "skap", 2),
]


def in_working_hours(moment: datetime) -> datetime:
    """The same moment moved onto a weekday between 08 and 16 Oslo time (a weekend goes back to
    Friday), so the demo's hand-overs happen when people are at work."""
    local = moment.astimezone(OSLO)
    if local.weekday() >= 5:
        local -= timedelta(days=local.weekday() - 4)
    local = local.replace(hour=8 + local.hour % 8)
    return local.astimezone(moment.tzinfo)


def _seed_history(people: dict[str, User]) -> int:
    """A year of completed hand-overs, so reports have something to show from day one."""
    rng = random.Random(2026)
    now = utcnow()
    count = 0
    for month in range(12, 0, -1):
        for giver_key, receiver_key, title, slug, pieces in rng.sample(HISTORY_TEMPLATES, 2):
            giver, receiver = people[giver_key], people[receiver_key]
            when = in_working_hours(now - timedelta(days=30 * month - rng.randint(0, 25),
                                                    hours=rng.randint(0, 8)))
            category = categories.get_by_slug(slug)
            address, building = LOCATIONS[giver.unit.name]
            item = items.create_item(giver, items.ItemDetails(
                title=title, category_id=category.id, condition=rng.choice(
                    ["as_new", "good", "good", "used"]), quantity=pieces,
                location_address=address, location_building=building))
            claim = claims.claim_item(receiver, item, pieces)
            claims.approve(giver, claim)
            replaces = rng.random() < 0.85
            costs = Decimal(rng.choice([0, 0, 0, 350, 800, 1200]))
            claims.collect(receiver, claim, replaces_purchase=replaces, costs_nok=costs)
            item.created_at = when - timedelta(days=6)
            claim.created_at = when - timedelta(days=4)
            claim.decided_at = when - timedelta(days=3)
            claim.collected_at = claim.closed_at = when
            claim.reuse_record.recorded_at = when
            count += 1
    db.session.flush()
    # History is history: its messages were read and sent long ago.
    db.session.execute(update(Notification).values(read_at=now, emailed_at=now))
    return count


def _seed_open_claims(people: dict[str, User]) -> int:
    """Something waiting on each side: a pending and an approved claim on current listings."""
    def listing(title: str, lister: str) -> Item:
        return db.session.scalar(select(Item).where(
            Item.title == title, Item.created_by_id == people[lister].id).order_by(Item.id))

    pending_item = listing("Bokhyller, hvite, 80 cm", "kari.nordmann")
    approved_item = listing("Skjermer 24 tommer", "eirik.moe")
    pending = claims.claim_item(people["ola.hansen"], pending_item, 2,
                                "Vi flytter inn i nye lokaler i januar. Kan hente på torsdag.")
    approved = claims.claim_item(people["kari.nordmann"], approved_item, 4)
    claims.approve(people["eirik.moe"], approved, "Hent gjerne før kl. 14.")
    return len([pending, approved])


def login_help() -> str:
    lines = ["Logg inn med en av demobrukerne (passord: " + DEMO_PASSWORD + "):"]
    for persona in PERSONAS[:5]:
        lines.append(f"  {persona.email:<32} {persona.role.value:<15} {persona.unit} – "
                     f"{persona.purpose}")
    email, name, organisation = PARTNER_PEOPLE[0]
    lines.append(f"  {email:<32} {Role.PARTNER.value:<15} {organisation} – "
                 "samarbeidspartner utenfor kommunen")
    return "\n".join(lines)


# (name, organisation number, kind): a neighbouring municipality and a non-profit.
PARTNERS = [
    ("Askøy kommune", "964338531", PartnerKind.PUBLIC_BODY),
    ("Kirkens Bymisjon Bergen", "983058124", PartnerKind.NONPROFIT),
]
# (e-mail, name, organisation): they sign in with the demo password, or by e-mailed link.
PARTNER_PEOPLE = [
    ("marte.askvik@askoy.example", "Marte Askvik", "Askøy kommune"),
    ("jonas.haug@bymisjon.example", "Jonas Haug", "Kirkens Bymisjon Bergen"),
]
# Listings already moved on in the cascade: (title, lister, stage).
CASCADE = [
    ("Runde kafébord", "lars.vik", Stage.PUBLIC_BODIES),
    ("Skuffeseksjoner i stål", "nina.aas", Stage.PUBLIC_BODIES),
    ("Garderobeskap for barn", "lars.vik", Stage.NONPROFITS),
    ("Sofa i grått stoff, tre-seter", "lars.vik", Stage.FINAL),
]


def _seed_cascade(people: dict[str, User], log=print) -> None:
    """Partners, a few listings at each stage of the cascade, a hand-over to a partner and
    an end recorded at the final stage, so every page of the cascade has something. Only
    the first time: afterwards the listings move on by themselves (run-jobs)."""
    from reuse.services import dispositions, partners, stages

    if db.session.scalar(select(func.count()).select_from(Partner)):
        return
    by_name = {name: partners.create_partner(None, name, number, kind.value)
               for name, number, kind in PARTNERS}
    people_outside = []
    for email, name, organisation in PARTNER_PEOPLE:
        person = User(email=email, name=name, role=Role.PARTNER.value,
                      partner=by_name[organisation], unit_id=None,
                      password_hash=users.hash_password(DEMO_PASSWORD))
        db.session.add(person)
        people_outside.append(person)
    db.session.flush()
    moved = {}
    for title, lister, stage in CASCADE:
        item = db.session.scalar(select(Item).where(
            Item.title == title, Item.created_by_id == people[lister].id).order_by(Item.id))
        stages.move(people[lister], item, stage.value)
        moved[title] = item
    # The neighbouring municipality fetched two of the café tables.
    tables = moved["Runde kafébord"]
    claim = claims.claim_item(people_outside[0], tables, 2, "Til et nytt aktivitetshus.")
    claims.approve(people["lars.vik"], claim, "Hent gjerne en ettermiddag.")
    claims.collect(people_outside[0], claim, replaces_purchase=None)
    # The worn-out sofa went to recycling at the final stage.
    dispositions.record_end(people["lars.vik"], moved["Sofa i grått stoff, tre-seter"],
                            "recycled", 1, weight_kg=Decimal("48"), fraction="mixed")
    db.session.flush()
    log(f"Demodata: {len(PARTNERS)} samarbeidspartnere, {len(CASCADE)} annonser videre i "
        "kaskaden.")


def _seed_goals(log=print) -> int:
    """This year's goals, so the report has something to measure against. Idempotent."""
    from reuse.clock import oslo_today
    from reuse.models import GoalMetric
    from reuse.services import goals

    lead = users.find_by_email("sofie.lie@bergen.example")
    school = units.find_by_name("Møhlenpris skole")
    year = oslo_today().year
    wanted = [(None, GoalMetric.AVOIDED_COST_NOK, Decimal("600000")),
              (None, GoalMetric.ITEMS_REUSED, Decimal("120")),
              (school, GoalMetric.ITEMS_REUSED, Decimal("25"))]
    added = 0
    for unit, metric, target in wanted:
        if goals.find(year, metric, unit.id if unit else None) is None:
            goals.set_goal(lead, year=year, metric=metric, target=target, unit=unit)
            added += 1
    log(f"Mål for {year}: {added} lagt til ({len(wanted) - added} fantes fra før).")
    return added


DEMO_PURCHASE_SOURCE = "Demo-innkjøp"
DEMO_PURCHASE_LINES = 1500  # a year's lines for the demo's units
DEMO_COVERED_ORDERS = 40  # orders a buyer checked first, by the order number


def _seed_purchases(people: dict[str, User], log=print) -> None:
    """The last twelve months of purchase lines from a purchasing system, and reuse checks
    that name some of their order numbers, so the purchases report has something to show.
    Idempotent: the same lines again change nothing."""
    from reuse import purchase_year
    from reuse.clock import oslo_today
    from reuse.services import purchase_rules, purchases

    rules = purchase_rules.load_defaults()
    today = oslo_today()
    codes = [code for _name, _parent, code in UNIT_TREE]
    generated = [line for year in (today.year - 1, today.year)
                 for line in purchase_year.lines(year, codes, DEMO_PURCHASE_LINES, seed=year)]
    recent = [line for line in generated
              if today - timedelta(days=365) < purchases.parse_date(line["ordered_on"]) <= today]
    lead = people["sofie.lie"]
    result = purchases.plan(DEMO_PURCHASE_SOURCE, enumerate(recent, start=2))
    purchases.apply(lead, result, via="demo")
    reusable_orders = sorted({line["order_number"] for line in recent
                              if line["description"].startswith(("Kontorstol", "Skrivebord",
                                                                 "Bærbar", "PC-skjerm"))})
    covered = reusable_orders[::max(1, len(reusable_orders) // DEMO_COVERED_ORDERS)][
        :DEMO_COVERED_ORDERS]
    known = set(db.session.scalars(select(ReuseCheck.purchase_reference).where(
        ReuseCheck.purchase_reference.in_(covered))))
    for order_number in covered:
        if order_number not in known:
            check = checks.create_check(lead, "Sjekket før bestilling")
            checks.record_bought_new(lead, check, "nothing_suitable",
                                     purchase_reference=order_number)
    db.session.flush()
    log(f"Innkjøp: {rules} regler lagt til; {result.summary()}; "
        f"{len(covered) - len(known & set(covered))} gjenbrukssjekker med ordrenummer.")
