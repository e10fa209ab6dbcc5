"""Purchase lines from the municipality's purchasing systems, and the rules that give each
line a category, so purchases can be reconciled against reuse checks
(reuse.services.purchases, reuse.services.reports.purchases)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import Category
from reuse.models.organisation import Unit, User

# The limits of a purchase line's fields, written once: the columns are sized by them, the
# import enforces them and the API.md format names them.
MAX_SOURCE = 60
MAX_LINE_ID = 80
MAX_ORDER_NUMBER = 80
MAX_UNIT_CODE = 40
MAX_SUPPLIER = 200
MAX_DESCRIPTION = 1000
MAX_UNSPSC = 8
MAX_KEYWORD = 60
MAX_PURCHASE_QUANTITY = Decimal("1000000")
MAX_PURCHASE_AMOUNT = Decimal("100000000000")  # a hundred billion kroner: a typo beyond it

PurchaseQuantity = Numeric(14, 3)
PurchaseAmount = Numeric(16, 2)


class Classification(enum.StrEnum):
    """How a purchase line got its category (or why it has none)."""

    FILE = "file"  # the file's own `category` column
    UNSPSC = "unspsc"  # a UNSPSC prefix rule
    KEYWORD = "keyword"  # a keyword rule on the description
    NOT_REUSABLE = "not_reusable"  # a rule says: nothing the reuse market offers
    UNMAPPED = "unmapped"  # no rule applies yet: listed for mapping


class RuleKind(enum.StrEnum):
    UNSPSC = "unspsc"
    KEYWORD = "keyword"


class PurchaseLine(Base):
    """One line of a purchase order, as the purchasing system reported it.

    Identified by (source, line_id): importing the same line again changes nothing, a changed
    line is updated in place and audited. `category_id` and `classification` are derived (by
    the line's own category, or the mapping rules) and re-derived when a rule changes;
    `available_pieces` is what the municipality had listed and free in that category when the
    order day began, derived from the listing and claim history (reuse.services.purchase_history).
    """

    __tablename__ = "purchase_line"
    __table_args__ = (
        UniqueConstraint("source", "line_id", name="uq_purchase_line_source_line_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("classification IN ('file', 'unspsc', 'keyword', 'not_reusable', "
                        "'unmapped')", name="classification_known"),
        CheckConstraint("(category_id IS NOT NULL) = (classification IN ('file', 'unspsc', "
                        "'keyword'))", name="category_matches_classification"),
        # The report reads a period's lines, and the coverage rule finds an order number.
        Index("ix_purchase_line_ordered_on", "ordered_on"),
        Index("ix_purchase_line_order_number", "order_number"),
        Index("ix_purchase_line_classification", "classification"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(MAX_SOURCE))
    line_id: Mapped[str] = mapped_column(String(MAX_LINE_ID))
    order_number: Mapped[str] = mapped_column(String(MAX_ORDER_NUMBER), default="")
    ordered_on: Mapped[date]
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(MAX_SUPPLIER), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    unspsc: Mapped[str] = mapped_column(String(MAX_UNSPSC), default="")
    # The category the file named (a slug), kept so a rule change never overrides it.
    file_category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[Decimal] = mapped_column(PurchaseQuantity)
    amount_nok: Mapped[Decimal] = mapped_column(PurchaseAmount)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    classification: Mapped[str] = mapped_column(String(20))
    # The rule that gave the category (None for the file's own, or unmapped).
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("purchase_category_rule.id", ondelete="SET NULL"))
    available_pieces: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    category: Mapped[Category | None] = relationship(foreign_keys=[category_id])
    file_category: Mapped[Category | None] = relationship(foreign_keys=[file_category_id])
    rule: Mapped[PurchaseCategoryRule | None] = relationship()

    def __repr__(self) -> str:
        return f"<PurchaseLine {self.source}/{self.line_id}>"


class PurchaseCategoryRule(Base):
    """A mapping the sustainability lead keeps: a UNSPSC prefix, or a Norwegian keyword in the
    description, gives a purchase line a category — or marks it as not reusable (no category).
    """

    __tablename__ = "purchase_category_rule"
    __table_args__ = (
        UniqueConstraint("kind", "pattern", name="uq_purchase_category_rule_kind_pattern"),
        CheckConstraint("kind IN ('unspsc', 'keyword')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    # UNSPSC: the digits of the prefix; keyword: the word as the lead wrote it.
    pattern: Mapped[str] = mapped_column(String(MAX_KEYWORD))
    # None: lines this rule matches are not in a reusable category.
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    category: Mapped[Category | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<PurchaseCategoryRule {self.kind} {self.pattern!r}>"

