"""The category tree and its default valuation factors."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from importlib import resources

from sqlalchemy import select, update

from reuse.extensions import db
from reuse.i18n import category_name
from reuse.i18n import gettext as _
from reuse.i18n import lazy_gettext as _l
from reuse.models import Category, User, utcnow
from reuse.models.catalog import MAX_CATEGORY_NAME, MAX_SLUG
from reuse.services import audit, characters, vocabulary
from reuse.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from reuse.services.permissions import can_manage_categories
from reuse.services.text import ascii_fold
from reuse.services.trees import depth_first, subtree_id_list, subtree_ids

LABEL = _l("Kategori")
ALL = _l("Alle kategorier")  # the empty choice of a category filter
CHOOSE = _l("Velg kategori")  # the empty choice where a category must be chosen
UNKNOWN = _l("Ukjent kategori «%(category)s».")
NAME_NB_LABEL = _l("Navn på norsk (bokmål)")
NAME_EN_LABEL = _l("Navn på engelsk")
PARENT_LABEL = _l("Ligger under")
TOP_LEVEL = _l("Ingen (hovedkategori)")
NO_NAME_NB = _l("Gi kategorien et norsk navn.")
NO_NAME_EN = _l("Gi kategorien et engelsk navn.")
# The one refusal of a retired category, for forms, the API and the services alike.
RETIRED = _l("Kategorien «%(category)s» er ikke lenger i bruk. Velg en annen.")
NOT_ALLOWED = _l("Bare systemadministratorer og bærekraftsansvarlige kan endre kategorier.")
MAX_NAME = MAX_CATEGORY_NAME


def _decimal_or_none(raw: str) -> Decimal | None:
    return Decimal(raw) if raw.strip() else None


def load_defaults() -> tuple[int, int]:
    """Add the categories shipped in reuse/data/categories.csv that are missing, and bring
    the search synonyms per category (reuse/data/synonyms.csv) up to date.

    Existing categories are left as they are: the sustainability lead may have changed
    their factors, and a re-run must not undo that. Returns (added, already present).
    """
    with resources.files("reuse.data").joinpath("categories.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_slug = {c.slug: c for c in db.session.scalars(select(Category))}
    added = 0
    for row in rows:  # parents come before their children in the file
        if row["slug"] in by_slug:
            continue
        category = Category(
            slug=row["slug"],
            name_nb=row["name_nb"],
            name_en=row["name_en"],
            parent=by_slug[row["parent"]] if row["parent"] else None,
            new_price_nok=_decimal_or_none(row["new_price_nok"]),
            new_price_source=row["new_price_source"],
            weight_kg=_decimal_or_none(row["weight_kg"]),
            weight_source=row["weight_source"],
            co2e_kg=_decimal_or_none(row["co2e_kg"]),
            co2e_source=row["co2e_source"],
            electrical=row.get("electrical", "").strip() == "1",
        )
        db.session.add(category)
        by_slug[category.slug] = category
        added += 1
    db.session.flush()
    vocabulary.load_synonyms()
    return added, len(rows) - added


def all_categories() -> list[Category]:
    return list(db.session.scalars(select(Category).order_by(Category.name_nb)))


def tree() -> list[tuple[Category, int]]:
    """Every category, retired ones too, depth first (the API, factors, administration)."""
    return depth_first(all_categories())


def offered_tree(keep: int | str | None = None) -> list[tuple[Category, int]]:
    """The categories one may choose for something new (an item, a check, a wanted request),
    siblings in the reader's alphabetical order; `keep` (an id or slug) is offered even when
    retired, so a thing that already has a retired category can be saved with it unchanged.

    A retired category's sub-categories are retired with it, so dropping retired ones never
    leaves an orphan in the tree."""
    chosen = [c for c in all_categories()
              if c.retired_at is None or (keep is not None and keep in (c.id, c.slug))]
    chosen.sort(key=lambda c: category_name(c).casefold())
    present = {c.id for c in chosen}
    # A kept retired category under a retired parent is shown at the top rather than lost.
    return depth_first([c if c.parent_id is None or c.parent_id in present
                        else _detached(c) for c in chosen])


class _detached:
    """A category seen without its parent (offered_tree's kept category under a retired one)."""

    def __init__(self, category: Category):
        self._category = category
        self.parent_id = None

    def __getattr__(self, name):
        return getattr(self._category, name)


def require_offered(category: Category | None, *, keeps: int | None = None) -> None:
    """Refuse a retired category for something new; `keeps` is the id the thing already has
    (an item being edited keeps its retired category)."""
    if category is not None and category.retired_at is not None and category.id != keeps:
        raise InvalidInput(str(RETIRED) % {"category": category_name(category)},
                           field="category", code="category_retired")


def get_by_slug(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(UNKNOWN % {"category": slug}, field="category")
    return category


def subtree(category: Category):
    """A selectable of the ids of the category and everything under it."""
    return subtree_ids(Category, category.id)


# -- administration -----------------------------------------------------------------------------
# The sustainability lead and admins keep the tree (permissions.can_manage_categories). A
# category is never deleted: items, checks and reuse records point at it for good. Renames and
# moves change only the category's own row: factor versions (CategoryFactorVersion) belong to
# the category's id, and search synonyms (SearchSynonym) too, so neither needs refreshing; the
# search vocabulary (SearchWord) holds words of item titles and descriptions, not category
# names.

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _allowed(user: User) -> None:
    if not can_manage_categories(user):
        raise PermissionDenied(str(NOT_ALLOWED))


def slug_for(name_nb: str) -> str:
    """A free slug from the Norwegian name, as the shipped ones are written: 'Bærbar PC' →
    'barbar-pc'; '-2', '-3' … when it is taken."""
    base = _NOT_SLUG.sub("-", ascii_fold(name_nb.casefold())).strip("-")[:MAX_SLUG - 4]
    base = base or "kategori"
    taken = set(db.session.scalars(select(Category.slug).where(Category.slug.like(f"{base}%"))))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _names(name_nb: str, name_en: str) -> tuple[str, str]:
    name_nb, name_en = (name_nb or "").strip(), (name_en or "").strip()
    for value, field, missing, label in (
            (name_nb, "name_nb", NO_NAME_NB, NAME_NB_LABEL),
            (name_en, "name_en", NO_NAME_EN, NAME_EN_LABEL)):
        if not value:
            raise InvalidInput(str(missing), field=field)
        if len(value) > MAX_NAME:
            raise InvalidInput(_("Navnet kan ha høyst %(max)s tegn.", max=MAX_NAME), field=field)
        characters.check(value, str(label), field=field)
    return name_nb, name_en


def _check_parent(category: Category | None, parent: Category | None) -> None:
    """A parent must be in use, and not the category itself or anything under it."""
    if parent is None:
        return
    if parent.retired_at is not None:
        raise InvalidInput(_("«%(category)s» er ikke lenger i bruk, og kan ikke få nye "
                             "underkategorier.", category=category_name(parent)),
                           field="parent")
    if category is not None and parent.id in subtree_id_list(Category, category.id):
        raise InvalidInput(_("En kategori kan ikke ligge under seg selv eller sine egne "
                             "underkategorier."), field="parent")


def create_category(user: User, *, name_nb: str, name_en: str,
                    parent: Category | None = None) -> Category:
    """A new category, without factors of its own yet (the factors page sets them). A
    sub-category of electrical equipment is electrical too (stages.is_electrical)."""
    _allowed(user)
    name_nb, name_en = _names(name_nb, name_en)
    _check_parent(None, parent)
    category = Category(slug=slug_for(name_nb), name_nb=name_nb, name_en=name_en,
                        parent_id=parent.id if parent else None,
                        electrical=bool(parent and parent.electrical))
    db.session.add(category)
    db.session.flush()
    audit.record(user, "category.created", category, slug=category.slug, name_nb=name_nb,
                 name_en=name_en, parent=parent.slug if parent else None)
    return category


def set_electrical(user: User, category: Category, electrical: bool) -> Category:
    """Mark a category as electrical equipment (its items must be safety-checked before they
    leave the municipality), or not. Its sub-categories keep their own flag."""
    _allowed(user)
    if category.electrical == electrical:
        return category
    category.electrical = electrical
    db.session.flush()
    audit.record(user, "category.electrical", category, electrical=electrical)
    return category


def rename_category(user: User, category: Category, *, name_nb: str,
                    name_en: str) -> Category:
    """New names in both languages; the slug stays (the API and links use it)."""
    _allowed(user)
    name_nb, name_en = _names(name_nb, name_en)
    before = (category.name_nb, category.name_en)
    if before == (name_nb, name_en):
        return category
    category.name_nb, category.name_en = name_nb, name_en
    db.session.flush()
    audit.record(user, "category.renamed", category, name_nb=name_nb, name_en=name_en,
                 before_nb=before[0], before_en=before[1])
    return category


def move_category(user: User, category: Category, parent: Category | None) -> Category:
    """Put a category (with everything under it) under another one, or at the top."""
    _allowed(user)
    if category.retired_at is not None:
        raise Conflict(_("Ta kategorien i bruk igjen før du flytter den."), code="retired")
    _check_parent(category, parent)
    parent_id = parent.id if parent else None
    if category.parent_id == parent_id:
        return category
    before = category.parent.slug if category.parent else None
    category.parent_id = parent_id
    db.session.flush()
    db.session.expire(category, ["parent"])
    audit.record(user, "category.moved", category, parent=parent.slug if parent else None,
                 before=before)
    return category


def retire_category(user: User, category: Category) -> list[Category]:
    """Stop offering a category, and with it every sub-category still in use: nothing new can
    be put in a category whose parent is gone. What already uses them keeps them, and reports
    keep counting them. Returns the categories retired now."""
    _allowed(user)
    if category.retired_at is not None:
        raise Conflict(_("Kategorien er allerede tatt ut av bruk."), code="retired")
    now = utcnow()
    ids = subtree_id_list(Category, category.id)
    retired = list(db.session.scalars(select(Category).where(
        Category.id.in_(ids), Category.retired_at.is_(None))))
    # One UPDATE of rows still in use: a second retirement at the same moment changes nothing.
    db.session.execute(update(Category).where(Category.id.in_(ids),
                                              Category.retired_at.is_(None))
                       .values(retired_at=now).execution_options(synchronize_session=False))
    for each in retired:
        db.session.refresh(each, ["retired_at"])
    audit.record(user, "category.retired", category,
                 with_subcategories=sorted(c.slug for c in retired if c.id != category.id))
    return retired


def restore_category(user: User, category: Category) -> list[Category]:
    """Take a retired category into use again, with the sub-categories retired together with
    it (not those retired on their own earlier). Its parent must be in use."""
    _allowed(user)
    if category.retired_at is None:
        raise Conflict(_("Kategorien er allerede i bruk."), code="not_retired")
    if category.parent is not None and category.parent.retired_at is not None:
        raise Conflict(_("«%(category)s» er ikke i bruk. Ta den i bruk igjen først.",
                         category=category_name(category.parent)), code="parent_retired")
    moment = category.retired_at
    restored = list(db.session.scalars(select(Category).where(
        Category.id.in_(subtree_id_list(Category, category.id)),
        Category.retired_at == moment)))
    for each in restored:
        each.retired_at = None
    db.session.flush()
    audit.record(user, "category.restored", category,
                 with_subcategories=sorted(c.slug for c in restored if c.id != category.id))
    return restored
