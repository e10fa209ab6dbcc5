"""Claims on items, the reuse records (the ledger) they produce, and the trail around them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import Category, Item, Kilograms, Money
from reuse.models.organisation import Unit, User

if TYPE_CHECKING:
    from reuse.models.partners import Disposition, Partner

MAX_TOKEN_LABEL = 120  # an API token's name, as its owner gave it


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    COLLECTED = "collected"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_CLAIM_STATUSES = (ClaimStatus.PENDING, ClaimStatus.APPROVED)


class DeclineReason(enum.StrEnum):
    """Why a claim was declined: the lister's choice, or the item's withdrawal."""

    ALREADY_GIVEN = "already_given"
    NO_LONGER_AVAILABLE = "no_longer_available"
    COLLECTION_NOT_POSSIBLE = "collection_not_possible"
    OTHER = "other"
    # Set by the service when the lister withdraws the item, never chosen.
    ITEM_WITHDRAWN = "item_withdrawn"


class Claim(Base):
    """A request by a user of another unit for some pieces of an item; reserves them at once."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "status IN ('pending', 'approved', 'collected', 'declined', 'cancelled', 'expired')",
            name="status_known",
        ),
        CheckConstraint(
            "decline_reason IS NULL OR decline_reason IN ('already_given', "
            "'no_longer_available', 'collection_not_possible', 'other', 'item_withdrawn')",
            name="decline_reason_known",
        ),
        Index("ix_claim_status_collect_by", "status", "collect_by"),
        # A unit's claim, or a partner organisation's: never both, never neither.
        CheckConstraint("(unit_id IS NULL) <> (partner_id IS NULL)", name="unit_or_partner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # The receiving unit, fixed when claiming: people move, the record must not. A partner
    # organisation's claim has its partner instead, and no unit.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True, nullable=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=ClaimStatus.PENDING.value)
    message: Mapped[str] = mapped_column(Text, default="")
    reuse_check_id: Mapped[int | None] = mapped_column(ForeignKey("reuse_check.id"), index=True)
    decision_message: Mapped[str] = mapped_column(Text, default="")
    # A DeclineReason, set with a decline; the decider's words stay in decision_message.
    # None on claims declined before reasons were asked, and through the API without one.
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    collect_by: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    collected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship()
    claimant: Mapped[User] = relationship(foreign_keys=[claimant_id])
    unit: Mapped[Unit] = relationship()
    partner: Mapped[Partner | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    collected_by: Mapped[User | None] = relationship(foreign_keys=[collected_by_id])
    # The record written at collection (a later reversal also points at the claim).
    reuse_record: Mapped[ReuseRecord | None] = relationship(
        primaryjoin="and_(Claim.id == ReuseRecord.claim_id, ReuseRecord.reverses_id.is_(None))",
        viewonly=True, uselist=False)
    # The record that corrected that one away, if an admin reversed it.
    reuse_reversal: Mapped[ReuseRecord | None] = relationship(
        primaryjoin="and_(Claim.id == ReuseRecord.claim_id, ReuseRecord.reverses_id.is_not(None))",
        viewonly=True, uselist=False)

    # What a partner's collected claim wrote instead of a reuse record (and its reversal).
    outside_record: Mapped[Disposition | None] = relationship(
        primaryjoin="and_(Claim.id == Disposition.claim_id, Disposition.reverses_id.is_(None))",
        viewonly=True, uselist=False)

    @property
    def receiver_name(self) -> str:
        """Who receives the pieces: the claiming unit, or the partner organisation."""
        return self.partner.name if self.partner is not None else self.unit.name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CLAIM_STATUSES

    @classmethod
    def open(cls) -> ColumnElement[bool]:
        """is_open as an SQL condition."""
        return cls.status.in_([str(status) for status in OPEN_CLAIM_STATUSES])


class ReuseRecord(Base):
    """One avoided purchase, written once when a claim is collected and never changed.

    The factor values used are stored beside the figures, so changing a category's factors
    later never rewrites history. A correction is a second record with every figure negated,
    pointing at the one it reverses.
    """

    __tablename__ = "reuse_record"
    __table_args__ = (
        CheckConstraint("(reverses_id IS NULL) = (quantity > 0)", name="sign_matches_kind"),
        CheckConstraint("costs_nok >= 0 OR reverses_id IS NOT NULL", name="costs_not_negative"),
        UniqueConstraint("reverses_id", name="uq_reuse_record_reverses_id"),
        Index("ix_reuse_record_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("reuse_record.id"))
    # active_history: a change to a summed field reaches the month totals with its old value
    # (reuse.services.month_totals), even when the record was not loaded before the change.
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True,
                                              active_history=True)
    to_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True,
                                            active_history=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True,
                                             active_history=True)
    quantity: Mapped[int] = mapped_column(active_history=True)
    replaces_purchase: Mapped[bool]
    costs_nok: Mapped[Decimal] = mapped_column(Money)
    # Factor values per piece as used; None where none was known (counted as zero).
    new_price_nok_used: Mapped[Decimal | None] = mapped_column(Money)
    weight_kg_used: Mapped[Decimal | None] = mapped_column(Kilograms)
    co2e_kg_used: Mapped[Decimal | None] = mapped_column(Kilograms)
    avoided_cost_nok: Mapped[Decimal] = mapped_column(Numeric(14, 2), active_history=True)
    avoided_co2e_kg: Mapped[Decimal] = mapped_column(Numeric(14, 3), active_history=True)
    avoided_waste_kg: Mapped[Decimal] = mapped_column(Numeric(14, 3), active_history=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow,
                                                  active_history=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")

    claim: Mapped[Claim] = relationship(foreign_keys=[claim_id])
    reverses: Mapped[ReuseRecord | None] = relationship(remote_side=[id])
    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit] = relationship(foreign_keys=[to_unit_id])
    category: Mapped[Category] = relationship()
    recorded_by: Mapped[User] = relationship()


class Notification(Base):
    """An in-app message, also sent by e-mail; dedup_key stops a job from sending it twice."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "dedup_key", name="uq_notification_user_id_dedup_key"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    dedup_key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Failed sends so far; the next try waits until email_retry_at. After MAIL_MAX_ATTEMPTS
    # the e-mail is given up (email_failed_at) and stays only in the app.
    email_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    email_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A sender has taken the e-mail until then (MAIL_LEASE_SECONDS); one killed while sending
    # leaves it taken, and once the time has passed another sender takes it again.
    email_taken_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who did what to which object, when and from where. Rows are only ever added."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    details: Mapped[str] = mapped_column(Text, default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    actor: Mapped[User | None] = relationship()


class ApiToken(Base):
    """A bearer token for the JSON API. Only its SHA-256 is stored; it is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    label: Mapped[str] = mapped_column(String(MAX_TOKEN_LABEL), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None: works until revoked. Set with create-token --expires-in-days.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class ScimToken(Base):
    """A bearer token for the provisioning endpoint (/scim/v2). It belongs to no person: the
    identity provider holds it, and it can do nothing in the JSON API. Stored as SHA-256."""

    __tablename__ = "scim_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(MAX_TOKEN_LABEL), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
