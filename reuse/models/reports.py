"""What reports are measured against: yearly goals, and the history of category factors."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import Category, Kilograms, Money
from reuse.models.organisation import Unit, User


class GoalMetric(enum.StrEnum):
    AVOIDED_COST_NOK = "avoided_cost_nok"
    AVOIDED_CO2E_KG = "avoided_co2e_kg"
    ITEMS_REUSED = "items_reused"
    # Per cent of decided reuse checks (reused + bought new) that ended in reuse.
    REUSE_CHECK_SHARE = "reuse_check_share"
    # Per cent of purchase lines in reusable categories that had a reuse check
    # (reuse.services.reports.purchases).
    PURCHASE_COVERAGE = "purchase_coverage"


class Goal(Base):
    """A target for one year and one metric, for the whole municipality (no unit) or a unit."""

    __tablename__ = "goal"
    __table_args__ = (
        CheckConstraint("metric IN ('avoided_cost_nok', 'avoided_co2e_kg', 'items_reused', "
                        "'reuse_check_share', 'purchase_coverage')", name="metric_known"),
        CheckConstraint("target > 0", name="target_positive"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_sensible"),
        UniqueConstraint("year", "metric", "unit_id", name="uq_goal_year_metric_unit_id"),
        # NULLs are distinct in a unique constraint: one municipality-wide goal per metric and
        # year is kept by this partial index instead.
        Index("uq_goal_year_metric_municipality", "year", "metric", unique=True,
              sqlite_where=text("unit_id IS NULL"), postgresql_where=text("unit_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    metric: Mapped[str] = mapped_column(String(40))
    target: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User] = relationship()


class CategoryFactorVersion(Base):
    """The factors of a category from a date on. Rows are only ever added.

    The category's own columns hold the version in effect today; the ledger values each
    collection with the version in effect on the day of the collection. A category without
    any version row has only ever had the values in its own columns.
    """

    __tablename__ = "category_factor_version"
    __table_args__ = (
        UniqueConstraint("category_id", "valid_from",
                         name="uq_category_factor_version_category_id_valid_from"),
        CheckConstraint("new_price_nok IS NULL OR new_price_nok >= 0",
                        name="price_not_negative"),
        CheckConstraint("weight_kg IS NULL OR weight_kg >= 0", name="weight_not_negative"),
        CheckConstraint("co2e_kg IS NULL OR co2e_kg >= 0", name="co2e_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    valid_from: Mapped[date]
    new_price_nok: Mapped[Decimal | None] = mapped_column(Money)
    new_price_source: Mapped[str] = mapped_column(Text, default="")
    new_price_estimate: Mapped[bool] = mapped_column(default=False, server_default=false())
    weight_kg: Mapped[Decimal | None] = mapped_column(Kilograms)
    weight_source: Mapped[str] = mapped_column(Text, default="")
    weight_estimate: Mapped[bool] = mapped_column(default=False, server_default=false())
    co2e_kg: Mapped[Decimal | None] = mapped_column(Kilograms)
    co2e_source: Mapped[str] = mapped_column(Text, default="")
    co2e_estimate: Mapped[bool] = mapped_column(default=False, server_default=false())
    note: Mapped[str] = mapped_column(Text, default="")
    # None for the baseline row written from the values the category had before any change.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    category: Mapped[Category] = relationship()
    created_by: Mapped[User | None] = relationship()


class MonthTotal(Base):
    """The reuse ledger summed per Oslo calendar month and per receiving unit, giving unit or
    category: integers of the smallest units (øre, grams), so sums of sums stay exact.

    Kept in step with the ledger in the transaction that writes a record
    (reuse.services.month_totals); reports read it for whole months and the ledger for the
    rest, so their figures are the ledger's to the øre.
    """

    __tablename__ = "month_total"
    __table_args__ = (
        CheckConstraint("dimension IN ('receiver', 'giver', 'category')",
                        name="dimension_known"),
    )

    month: Mapped[date] = mapped_column(primary_key=True)  # the first day of the month
    dimension: Mapped[str] = mapped_column(String(10), primary_key=True)
    node_id: Mapped[int] = mapped_column(primary_key=True)  # a unit's or a category's id
    quantity: Mapped[int] = mapped_column(BigInteger)
    avoided_cost_ore: Mapped[int] = mapped_column(BigInteger)
    avoided_co2e_g: Mapped[int] = mapped_column(BigInteger)
    avoided_waste_g: Mapped[int] = mapped_column(BigInteger)
    records: Mapped[int] = mapped_column(BigInteger)
