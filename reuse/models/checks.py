"""Reuse checks (a buyer's documented look before buying new) and standing wanted requests."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import MAX_TITLE, Category, Item
from reuse.models.claims import Claim
from reuse.models.organisation import Unit, User

# Column sizes the check and wanted services enforce and forms, API and OpenAPI read.
MAX_OUTCOME = 20
MAX_PURCHASE_REFERENCE = 120
MAX_WORDS_LENGTH = 200  # a wanted request's words
MAX_SUBMISSION_KEY = 80  # the search page's key for one claim button, with the item's id


class CheckOutcome(enum.StrEnum):
    """Where a recorded check stands; no outcome (NULL) is an open check."""

    CLAIMED = "claimed"  # a linked claim may still meet the need: not yet reuse
    REUSED = "reused"  # the linked claim was collected
    BOUGHT_NEW = "bought_new"
    DROPPED = "dropped"  # the need disappeared: neither reuse nor a purchase


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
        CheckConstraint("outcome IS NULL OR outcome IN "
                        "('claimed', 'reused', 'bought_new', 'dropped')",
                        name="outcome_known"),
        CheckConstraint("outcome != 'bought_new' OR reason_code IS NOT NULL",
                        name="bought_new_has_reason"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        Index("ix_reuse_check_unit_id_created_at", "unit_id", "created_at"),
        # The municipality's check counts for a period, from the index alone.
        Index("ix_reuse_check_created_at_outcome", "created_at", "outcome"),
        # One claim closes at most one check: otherwise one hand-over counts as many reuses.
        Index("uq_reuse_check_claim_id", "claim_id", unique=True),
        # One check per sent form: a double click on "Be om" records one check and one claim.
        Index("uq_reuse_check_user_id_submission_key", "user_id", "submission_key",
              unique=True),
        # A purchase line is covered by the check that names its order number.
        Index("ix_reuse_check_purchase_reference", "purchase_reference"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    need: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[int | None]
    match_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the matches now on the receipt were found: the check's creation, or its last
    # refinement (the earlier searches are kept as ReuseCheckSearch rows).
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(MAX_OUTCOME))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", use_alter=True))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    purchase_reference: Mapped[str] = mapped_column(String(MAX_PURCHASE_REFERENCE), default="")
    # The key the search page gave the form that recorded the check (checks.claim_from_search).
    submission_key: Mapped[str | None] = mapped_column(String(MAX_SUBMISSION_KEY))

    user: Mapped[User] = relationship()
    unit: Mapped[Unit] = relationship()
    category: Mapped[Category | None] = relationship()
    claim: Mapped[Claim | None] = relationship(foreign_keys=[claim_id])
    # The matches of the current search; those of earlier searches hang off their search.
    matches: Mapped[list[ReuseCheckMatch]] = relationship(
        primaryjoin="and_(ReuseCheckMatch.check_id == ReuseCheck.id, "
                    "ReuseCheckMatch.search_id.is_(None))",
        back_populates="check", order_by="ReuseCheckMatch.rank", cascade="all, delete-orphan")
    earlier_searches: Mapped[list[ReuseCheckSearch]] = relationship(
        back_populates="check", order_by="ReuseCheckSearch.searched_at.desc()",
        cascade="all, delete-orphan")

    @property
    def reference(self) -> str:
        """The id to quote in a purchase order: the year and the check's number."""
        return f"GJ-{self.created_at.year}-{self.id:06d}"


class ReuseCheckSearch(Base):
    """A search an open check had before it was refined: what was asked and when, so the
    receipt keeps every set of matches the buyer was shown."""

    __tablename__ = "reuse_check_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("reuse_check.id", ondelete="CASCADE"),
                                          index=True)
    need: Mapped[str] = mapped_column(Text)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    quantity: Mapped[int | None]
    match_count: Mapped[int] = mapped_column(default=0)
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime)

    check: Mapped[ReuseCheck] = relationship(back_populates="earlier_searches")
    category: Mapped[Category | None] = relationship()
    matches: Mapped[list[ReuseCheckMatch]] = relationship(
        back_populates="search", order_by="ReuseCheckMatch.rank", viewonly=True)


class ReuseCheckMatch(Base):
    """An item that was available and matched when the check was made (a snapshot)."""

    __tablename__ = "reuse_check_match"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("reuse_check.id", ondelete="CASCADE"),
                                          index=True)
    # Set once the check is refined: the match was shown for that earlier search.
    search_id: Mapped[int | None] = mapped_column(
        ForeignKey("reuse_check_search.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"))
    rank: Mapped[int]
    title: Mapped[str] = mapped_column(String(MAX_TITLE))  # the item's title, as it was
    quantity_available: Mapped[int]

    check: Mapped[ReuseCheck] = relationship(back_populates="matches")
    search: Mapped[ReuseCheckSearch | None] = relationship(back_populates="matches")
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
