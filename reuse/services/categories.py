"""The category tree and its default valuation factors."""

from __future__ import annotations

import csv
from decimal import Decimal
from importlib import resources

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from reuse.extensions import db
from reuse.models import Category
from reuse.services import vocabulary
from reuse.services.errors import NotFound
from reuse.services.trees import depth_first, subtree_ids

LABEL = _l("Kategori")
ALL = _l("Alle kategorier")  # the empty choice of a category filter
UNKNOWN = _l("Ukjent kategori «%(category)s».")


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
    return depth_first(all_categories())


def get_by_slug(slug: str) -> Category:
    category = db.session.scalar(select(Category).where(Category.slug == slug))
    if category is None:
        raise NotFound(UNKNOWN % {"category": slug}, field="category")
    return category


def subtree(category: Category):
    """A selectable of the ids of the category and everything under it."""
    return subtree_ids(Category, category.id)
