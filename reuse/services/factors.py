"""Category factors over time: which values a collection is valued with, and changing them.

A change never rewrites history. It adds a version row valid from a date (today or later);
the ledger values each collection with the version in effect on the collection day (Oslo
time), and every reuse record stores the values it used. Item pages and the API show the
version in effect today the same way (piece_figures), never waiting for run-jobs to copy it
into the category's own columns (apply_due). A category without version rows has
only ever had the values in its columns, so before its first change those are written down
as a baseline version valid from BASELINE_DATE ("since the start").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError

from reuse.clock import oslo_today
from reuse.extensions import db
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, CategoryFactorVersion, Item, User
from reuse.services import audit, characters, figures
from reuse.services.errors import Conflict, InvalidInput, PermissionDenied
from reuse.services.permissions import can_manage_factors

BASELINE_DATE = date(2000, 1, 1)
MAX_DAYS_AHEAD = 2 * 366
MAX_SOURCE = 1000
MAX_NOTE = 2000
# Sources shipped in reuse/data/categories.csv say so when a figure is not published.
ESTIMATE_MARKERS = ("anslag", "estimate", "illustrativ", "illustrative")

FACTORS = (figures.PRICE, figures.WEIGHT, figures.CO2E)
# Each figure's source field, named as the factor form names it.
SOURCE_LABELS = {"new_price_source": _l("Kilde for nypris"), "weight_source": _l("Kilde for vekt"),
                 "co2e_source": _l("Kilde for utslipp")}
NOTE_LABEL = _l("Kommentar")


def _no_source(name: str) -> str:
    """A factor given without its source, in a whole sentence for each factor."""
    if name == "new_price_nok":
        return _("Oppgi kilden for nypris, eller skriv «Anslag» og hva anslaget bygger på.")
    if name == "weight_kg":
        return _("Oppgi kilden for vekt, eller skriv «Anslag» og hva anslaget bygger på.")
    return _("Oppgi kilden for utslipp ved ny produksjon, eller skriv «Anslag» og hva "
             "anslaget bygger på.")


def looks_estimated(source: str) -> bool:
    folded = (source or "").casefold()
    return any(marker in folded for marker in ESTIMATE_MARKERS)


@dataclass(frozen=True)
class Factors:
    """The factors of a category as they are (or were) in effect from `valid_from`."""

    new_price_nok: Decimal | None
    new_price_source: str
    new_price_estimate: bool
    weight_kg: Decimal | None
    weight_source: str
    weight_estimate: bool
    co2e_kg: Decimal | None
    co2e_source: str
    co2e_estimate: bool
    valid_from: date  # BASELINE_DATE: since the start
    note: str = ""
    version_id: int | None = None  # None: the category's columns, never changed

    @property
    def since_start(self) -> bool:
        return self.valid_from <= BASELINE_DATE

    @property
    def has_estimate(self) -> bool:
        return self.new_price_estimate or self.weight_estimate or self.co2e_estimate


def _from_category(category: Category) -> Factors:
    return Factors(
        new_price_nok=category.new_price_nok, new_price_source=category.new_price_source,
        new_price_estimate=looks_estimated(category.new_price_source),
        weight_kg=category.weight_kg, weight_source=category.weight_source,
        weight_estimate=looks_estimated(category.weight_source),
        co2e_kg=category.co2e_kg, co2e_source=category.co2e_source,
        co2e_estimate=looks_estimated(category.co2e_source),
        valid_from=BASELINE_DATE)


def _from_version(version: CategoryFactorVersion) -> Factors:
    return Factors(
        new_price_nok=version.new_price_nok, new_price_source=version.new_price_source,
        new_price_estimate=version.new_price_estimate,
        weight_kg=version.weight_kg, weight_source=version.weight_source,
        weight_estimate=version.weight_estimate,
        co2e_kg=version.co2e_kg, co2e_source=version.co2e_source,
        co2e_estimate=version.co2e_estimate,
        valid_from=version.valid_from, note=version.note, version_id=version.id)


def _versions(category_id: int) -> list[CategoryFactorVersion]:
    return list(db.session.scalars(
        select(CategoryFactorVersion).where(CategoryFactorVersion.category_id == category_id)
        .order_by(CategoryFactorVersion.valid_from.desc())))


def in_effect(category: Category, on: date) -> Factors:
    """The factors that value a collection made on the day `on` (Oslo time)."""
    return in_effect_for([category], on)[category.id]


def in_effect_for(categories: Iterable[Category], on: date) -> dict[int, Factors]:
    """in_effect for each category, by id, in one query (for lists of items)."""
    by_id = {category.id: category for category in categories}
    if not by_id:
        return {}
    version = CategoryFactorVersion
    latest = (select(version.category_id, func.max(version.valid_from).label("valid_from"))
              .where(version.category_id.in_(by_id), version.valid_from <= on)
              .group_by(version.category_id).subquery())
    found = {row.category_id: _from_version(row) for row in db.session.scalars(
        select(version).join(latest, and_(version.category_id == latest.c.category_id,
                                          version.valid_from == latest.c.valid_from)))}
    return {category_id: found.get(category_id) or _from_category(category)
            for category_id, category in by_id.items()}


@dataclass(frozen=True)
class PieceFigures:
    """What one piece of an item is valued with on a day: the lister's own price and weight
    where given, else the category's factors in effect that day; emissions always the
    category's. The item page and the API show these for today, and a collection records
    them for its day, so on the day a factor changes the page and the record agree."""

    new_price_nok: Decimal | None
    weight_kg: Decimal | None
    co2e_kg: Decimal | None
    new_price_from_category: bool
    weight_from_category: bool


def _piece_figures(item: Item, factors: Factors) -> PieceFigures:
    return PieceFigures(
        new_price_nok=(item.new_price_nok if item.new_price_nok is not None
                       else factors.new_price_nok),
        weight_kg=item.weight_kg if item.weight_kg is not None else factors.weight_kg,
        co2e_kg=factors.co2e_kg,
        new_price_from_category=item.new_price_nok is None,
        weight_from_category=item.weight_kg is None)


def piece_figures(item: Item, on: date | None = None) -> PieceFigures:
    """The figures of one piece of the item on the day `on` (default: today, Oslo time)."""
    return _piece_figures(item, in_effect(item.category, on or oslo_today()))


def piece_figures_for(items: Iterable[Item], on: date | None = None) -> dict[int, PieceFigures]:
    """piece_figures for each item, by id, in one query."""
    items = list(items)
    in_effect_by_category = in_effect_for((item.category for item in items),
                                          on or oslo_today())
    return {item.id: _piece_figures(item, in_effect_by_category[item.category_id])
            for item in items}


def history(category: Category) -> list[Factors]:
    """Every version of the category's factors, the newest (perhaps still to come) first."""
    versions = _versions(category.id)
    if not versions:
        return [_from_category(category)]
    return [_from_version(version) for version in versions]


def upcoming(today: date | None = None) -> dict[int, Factors]:
    """Versions not yet in effect, by category id (the earliest one each)."""
    today = today or oslo_today()
    found: dict[int, Factors] = {}
    for version in db.session.scalars(
            select(CategoryFactorVersion).where(CategoryFactorVersion.valid_from > today)
            .order_by(CategoryFactorVersion.valid_from.desc())):
        found[version.category_id] = _from_version(version)
    return found


@dataclass
class FactorChange:
    """What the sustainability lead enters: the new factors, their sources, and from when."""

    valid_from: date
    new_price_nok: Decimal | None
    new_price_source: str
    weight_kg: Decimal | None
    weight_source: str
    co2e_kg: Decimal | None
    co2e_source: str
    new_price_estimate: bool = False
    weight_estimate: bool = False
    co2e_estimate: bool = False
    note: str = ""


def _validated(change: FactorChange, category: Category, today: date) -> FactorChange:
    if not isinstance(change.valid_from, date):
        raise InvalidInput(_("Oppgi datoen faktorene gjelder fra."), field="valid_from")
    if change.valid_from < today:
        raise InvalidInput(
            _("Nye faktorer kan gjelde fra i dag eller senere. Historikken viser hvilke "
              "faktorer som gjaldt da hver føring ble skrevet."), field="valid_from")
    if change.valid_from > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(_("Datoen er mer enn to år fram i tid. Sjekk datoen."),
                           field="valid_from")
    if db.session.scalar(select(CategoryFactorVersion.id).where(
            CategoryFactorVersion.category_id == category.id,
            CategoryFactorVersion.valid_from == change.valid_from)) is not None:
        raise InvalidInput(_("Det finnes allerede faktorer som gjelder fra denne datoen. "
                             "Velg en annen dato."), field="valid_from")
    for figure in FACTORS:
        name = figure.name
        value = getattr(change, name)
        source_field = name.rsplit("_", 1)[0] + "_source"
        source = (getattr(change, source_field) or "").strip()
        if len(source) > MAX_SOURCE:
            raise InvalidInput(_("Kilden kan ha høyst %(max)s tegn.", max=MAX_SOURCE),
                               field=source_field)
        characters.check(source, str(SOURCE_LABELS[source_field]), field=source_field,
                         multiline=True)
        setattr(change, source_field, source)
        if value is None:
            continue
        figure.check(value)
        if not source:
            raise InvalidInput(_no_source(name), field=source_field)
    change.note = (change.note or "").strip()
    if len(change.note) > MAX_NOTE:
        raise InvalidInput(_("Kommentaren kan ha høyst %(max)s tegn.", max=MAX_NOTE),
                           field="note")
    characters.check(change.note, str(NOTE_LABEL), field="note", multiline=True)
    return change


def change_factors(user: User, category: Category, change: FactorChange, *,
                   today: date | None = None) -> CategoryFactorVersion:
    """Add a version of the category's factors from a date on; earlier records keep theirs."""
    if not can_manage_factors(user):
        raise PermissionDenied(_("Bare bærekraftsansvarlig og administratorer kan endre "
                                 "faktorene."))
    today = today or oslo_today()
    change = _validated(change, category, today)
    try:
        # The unique (category, valid_from) settles two leads saving at the same moment.
        with db.session.begin_nested():
            version = _add_versions(user, category, change)
    except IntegrityError:
        raise Conflict(_("Faktorene ble nettopp endret av noen andre. Last siden på nytt.")) \
            from None
    _sync(category, today)
    audit.record(user, "category.factors_changed", category, version_id=version.id,
                 valid_from=change.valid_from, new_price_nok=change.new_price_nok,
                 weight_kg=change.weight_kg, co2e_kg=change.co2e_kg)
    return version


def _add_versions(user: User, category: Category,
                  change: FactorChange) -> CategoryFactorVersion:
    """The new version, after a baseline of the old values if this is the first change."""
    if not _versions(category.id):
        baseline = _from_category(category)
        db.session.add(CategoryFactorVersion(
            category_id=category.id, valid_from=BASELINE_DATE,
            new_price_nok=baseline.new_price_nok, new_price_source=baseline.new_price_source,
            new_price_estimate=baseline.new_price_estimate,
            weight_kg=baseline.weight_kg, weight_source=baseline.weight_source,
            weight_estimate=baseline.weight_estimate,
            co2e_kg=baseline.co2e_kg, co2e_source=baseline.co2e_source,
            co2e_estimate=baseline.co2e_estimate,
            note="Verdiene kategorien hadde før den første endringen."))
    version = CategoryFactorVersion(category_id=category.id, created_by_id=user.id,
                                    **vars(change))
    db.session.add(version)
    db.session.flush()
    return version


def _sync(category: Category, today: date) -> bool:
    """Make the category's columns the factors in effect today. True if they changed."""
    current = in_effect(category, today)
    values = {"new_price_nok": current.new_price_nok,
              "new_price_source": current.new_price_source,
              "weight_kg": current.weight_kg, "weight_source": current.weight_source,
              "co2e_kg": current.co2e_kg, "co2e_source": current.co2e_source}
    changed = {name: value for name, value in values.items()
               if getattr(category, name) != value}
    for name, value in changed.items():
        setattr(category, name, value)
    db.session.flush()
    return bool(changed)


def apply_due(today: date | None = None) -> int:
    """Bring categories whose next version has come into effect up to date (run-jobs).

    The ledger never depends on this: it asks for the version in effect on each day.
    """
    today = today or oslo_today()
    categories = db.session.scalars(select(Category).where(
        Category.id.in_(select(CategoryFactorVersion.category_id)))).all()
    changed = [category for category in categories if _sync(category, today)]
    for category in changed:
        audit.record(None, "category.factors_applied", category, on=today)
    return len(changed)
