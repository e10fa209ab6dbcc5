"""Reuse checks (a buyer's documented look before buying new) and standing wanted requests."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import MAX_TITLE, Category, Item
from reuse.models.organisation import Unit, User

# Column sizes the check and wanted services enforce and forms, API and OpenAPI read.
MAX_OUTCOME = 20
MAX_PURCHASE_REFERENCE = 120
MAX_WORDS_LENGTH = 200  # a wanted request's words


class CheckOutcome(enum.StrEnum):
    REUSED = "reused"
    BOUGHT_NEW = "bought_new"


class BoughtNewReason(enum.StrEnum):
    NOTHING_SUITABLE = "nothing_suitable"
    NOT_ENOUGH = "not_enough"
    NEEDED_SOONER = "needed_sooner"
    TECHNICAL_REQUIREMENTS = "technical_requirements"
    OTHER = "other"


class ReuseCheck(Base):
    """What was needed, who looked, what was available, and how it ended."""

    __tablename__ = "reuse_check"
    __table_args__ = (
        CheckConstraint("outcome IS NULL OR outcome IN ('reused', 'bought_new')",
                        name="outcome_known"),
        CheckConstraint("outcome != 'bought_new' OR reason_code IS NOT NULL",
                        name="bought_new_has_reason"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        Index("ix_reuse_check_unit_id_created_at", "unit_id", "created_at"),
        # The municipality's check counts for a period, from the index alone.
        Index("ix_reuse_check_created_at_outcome", "created_at", "outcome"),
        # One claim closes at most one check: otherwise one hand-over counts as many reuses.
        Index("uq_reuse_check_claim_id", "claim_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    need: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[int | None]
    match_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(MAX_OUTCOME))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", use_alter=True))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    purchase_reference: Mapped[str] = mapped_column(String(MAX_PURCHASE_REFERENCE), default="")

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    category: Mapped[Category | None] = relationship()
    matches: Mapped[list[ReuseCheckMatch]] = relationship(
        back_populates="check", order_by="ReuseCheckMatch.rank", cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        """The id to quote in a purchase order: the year and the check's number."""
        return f"GJ-{self.created_at.year}-{self.id:06d}"


class ReuseCheckMatch(Base):
    """An item that was available and matched when the check was made (a snapshot)."""

    __tablename__ = "reuse_check_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("reuse_check.id", ondelete="CASCADE"),
                                          index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    rank: Mapped[int]
    title: Mapped[str] = mapped_column(String(MAX_TITLE))  # the item's title, as it was
    quantity_available: Mapped[int]

    check: Mapped[ReuseCheck] = relationship(back_populates="matches")
    item: Mapped[Item] = relationship()


class WantedRequest(Base):
    """A standing search: tell me when something like this is posted."""

    __tablename__ = "wanted_request"
    __table_args__ = (
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        Index("ix_wanted_request_open", "closed_at", "until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    words: Mapped[str] = mapped_column(String(MAX_WORDS_LENGTH), default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[int | None]
    until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A LIKE pattern for the request's most telling word (reuse.services.wanted.match_pattern),
    # so the matching job lets the database drop the requests a new item cannot match before
    # any Python looks at them. "%" matches every item: no words, or a row older than it.
    match_pattern: Mapped[str] = mapped_column(Text, default="%", server_default="%")

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    category: Mapped[Category | None] = relationship()


class PendingWantedMatch(Base):
    """A posted item not yet matched against the wanted requests (an outbox for run-jobs).

    Written in the transaction that posts the item, so posting never waits for the matching
    and a crash between posting and matching loses nothing; the job deletes the row once
    the item's requesters are notified.
    """

    __tablename__ = "pending_wanted_match"

    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"),
                                         primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
