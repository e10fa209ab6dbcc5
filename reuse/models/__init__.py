"""Typed SQLAlchemy models, one module per aggregate; import them from here."""

from reuse.models.base import Base, utcnow
from reuse.models.catalog import Category, Condition, Item, Photo
from reuse.models.organisation import Role, Unit, User

__all__ = ["Base", "Category", "Condition", "Item", "Photo", "Role", "Unit", "User", "utcnow"]
