"""Beyond the municipality: partner organisations and their people's sign-in links, and the
ledger of what leaves the municipality (a hand-over to a partner, or an item's final end).

Partner hand-overs and final ends are kept apart from the reuse records on purpose: a reuse
record is an avoided purchase of the municipality, with a receiving unit, and every existing
sum (kroner, CO2e, the month totals, the goals) stays exactly that. What leaves the
municipality counts pieces and kilograms, and is reported beside it as the waste hierarchy.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.catalog import Category, Item, Kilograms, Money
from reuse.models.organisation import MAX_EMAIL, Unit, User

MAX_PARTNER_NAME = 200
MAX_RECIPIENT = 200
ORG_NUMBER_LENGTH = 9


class PartnerKind(enum.StrEnum):
    PUBLIC_BODY = "public_body"  # a neighbouring municipality, the county, the health trust
    NONPROFIT = "nonprofit"  # a registered non-profit organisation


class Partner(Base):
    """An organisation outside the municipality that may claim items at its stage."""

    __tablename__ = "partner"
    __table_args__ = (
        CheckConstraint("kind IN ('public_body', 'nonprofit')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_PARTNER_NAME), unique=True)
    # The Brønnøysund register's nine digits, check digit validated by the partner service.
    org_number: Mapped[str] = mapped_column(String(ORG_NUMBER_LENGTH), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Suspended: its people can neither sign in nor use a token; history keeps its name.
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    def __repr__(self) -> str:
        return f"<Partner {self.id} {self.name!r} {self.kind}>"


class LoginLink(Base):
    """A one-time sign-in link for a partner's person: only its SHA-256 is stored; it works
    once, for a short time, and only while the account still has the address it was sent
    to."""

    __tablename__ = "login_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class PartnerSubscription(Base):
    """A partner's person wants to hear when an item of this category reaches their stage."""

    __tablename__ = "partner_subscription"
    __table_args__ = (UniqueConstraint("user_id", "category_id",
                                       name="uq_partner_subscription_user_id_category_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)

    category: Mapped[Category] = relationship()


class DispositionKind(enum.StrEnum):
    """Where pieces went when they left the municipality, in the waste hierarchy's order."""

    REUSED_BY_PARTNER = "reused_by_partner"  # a partner's claim, collected
    DONATED = "donated"  # given away outside the platform
    SOLD = "sold"
    RECYCLED = "recycled"
    DISPOSED = "disposed"


# The ends a lister records at the final stage (a partner's hand-over is written by collection).
FINAL_ENDS = (DispositionKind.SOLD, DispositionKind.DONATED, DispositionKind.RECYCLED,
              DispositionKind.DISPOSED)


class RecyclingFraction(enum.StrEnum):
    METAL = "metal"
    WOOD = "wood"
    ELECTRICAL = "electrical"  # electrical and electronic waste (EE-avfall)
    MIXED = "mixed"


class Disposition(Base):
    """Pieces of an item that left the municipality: written once, never changed.

    As with reuse records, the factor values used are stored beside the figures, and a
    correction is a second row with every figure negated that points at the one it reverses.
    `waste_kg` is the kilograms that went this way (reused, sold, donated, recycled or
    disposed); kroner and CO2e are never counted as the municipality's avoided purchase.
    """

    __tablename__ = "disposition"
    __table_args__ = (
        CheckConstraint("kind IN ('reused_by_partner', 'donated', 'sold', 'recycled', "
                        "'disposed')", name="kind_known"),
        CheckConstraint("fraction IS NULL OR fraction IN ('metal', 'wood', 'electrical', "
                        "'mixed')", name="fraction_known"),
        CheckConstraint("(reverses_id IS NULL) = (quantity > 0)", name="sign_matches_kind"),
        CheckConstraint("(kind = 'reused_by_partner') = (partner_id IS NOT NULL)",
                        name="partner_only_for_partner_reuse"),
        UniqueConstraint("reverses_id", name="uq_disposition_reverses_id"),
        Index("ix_disposition_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id"), index=True)
    # The partner's claim whose collection wrote this (reused_by_partner only).
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("disposition.id"))
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    quantity: Mapped[int]
    waste_kg: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    amount_nok: Mapped[Decimal | None] = mapped_column(Money)  # sold: what was received
    fraction: Mapped[str | None] = mapped_column(String(20))  # recycled: which fraction
    recipient: Mapped[str] = mapped_column(String(MAX_RECIPIENT), default="")  # donated
    # Per-piece factors as they stood; None where none was known. With them the report says
    # what a partner avoided buying, without counting it as the municipality's.
    weight_kg_used: Mapped[Decimal | None] = mapped_column(Kilograms)
    new_price_nok_used: Mapped[Decimal | None] = mapped_column(Money)
    co2e_kg_used: Mapped[Decimal | None] = mapped_column(Kilograms)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship()
    partner: Mapped[Partner | None] = relationship()
    from_unit: Mapped[Unit] = relationship()
    category: Mapped[Category] = relationship()
    recorded_by: Mapped[User] = relationship()
    reverses: Mapped[Disposition | None] = relationship(remote_side=[id])
