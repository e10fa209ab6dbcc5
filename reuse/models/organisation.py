"""Units (the organisation tree) and the people who belong to them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from reuse.models.partners import Partner

MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321)


class Role(enum.StrEnum):
    MEMBER = "member"
    UNIT_ADMIN = "unit_admin"
    SUSTAINABILITY = "sustainability"
    ADMIN = "admin"
    # Someone from a partner organisation outside the municipality: no unit, no municipal
    # account; sees and claims only what the cascade offers their organisation.
    PARTNER = "partner"


# The roles of the municipality's own people: every role but a partner's, which comes only
# with a partner organisation (reuse.services.partners).
MUNICIPAL_ROLES = tuple(role for role in Role if role != Role.PARTNER)


class Unit(Base):
    """An organisational unit: byrådsavdeling → etat → enhet. Items belong to units, not people."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Closed by a reorganisation: the row stays, so its items, claims and records keep their
    # unit in every report; nobody new joins it and nothing new is listed for it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name!r}>"


class UnitPlacement(Base):
    """Where a unit stood in the tree, and from when to when: the reports' tree "as it was".

    Written only by reuse.services.units.place(), in the transaction that creates or moves the
    unit: the unit's open row (valid_to NULL) is closed and a new one opened. A unit's first
    row reaches back to the beginning of time, so every unit has exactly one placement at any
    moment and a record dated before its unit was registered still has a place in the tree.
    """

    __tablename__ = "unit_placement"
    __table_args__ = (
        # One open placement per unit: the database refuses a second.
        Index("uq_unit_placement_open", "unit_id", unique=True,
              sqlite_where=text("valid_to IS NULL"), postgresql_where=text("valid_to IS NULL")),
        Index("ix_unit_placement_unit_id_valid_from", "unit_id", "valid_from"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return (f"<UnitPlacement unit {self.unit_id} under {self.parent_id} "
                f"{self.valid_from:%Y-%m-%d}–{self.valid_to or ''}>")


class User(UserMixin, Base):
    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "role IN ('member', 'unit_admin', 'sustainability', 'admin', 'partner')",
            name="role_known"
        ),
        # A partner's person belongs to their organisation, everyone else to a unit.
        CheckConstraint("(role = 'partner') = (partner_id IS NOT NULL)",
                        name="partner_role_has_partner"),
        CheckConstraint("(unit_id IS NULL) = (role = 'partner')", name="unit_unless_partner"),
        CheckConstraint("open_claims >= 0", name="open_claims_not_negative"),
        # An account from single sign-on is the provider's person: issuer and subject together
        # name it, and never a second account.
        Index("uq_user_oidc_identity", "oidc_issuer", "oidc_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by the service so the unique index means one account per address.
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Empty: no password; the person signs in with the municipal account only.
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.MEMBER.value)
    # None only for a partner's person (role partner), who belongs to partner_id instead.
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True, nullable=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Part of every session cookie's user id; a new value logs out every session at once.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16),
                                               server_default="")
    # The interface language this person chose ("nb" or "en"); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Bound at the first single sign-on; set once, never re-bound by e-mail alone.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    # The provisioning client's own id for this person (SCIM `externalId`).
    scim_external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # When the provisioning client deleted this person: the account stays (deactivated, its
    # name on history) but provisioning no longer sees it, until the address is provisioned
    # again.
    scim_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # This person's pending and approved claims, moved only by reuse.services.claims in the
    # transaction that changes a claim's state: the per-person limit is one conditional
    # UPDATE of this row, which the database settles when two claims race.
    open_claims: Mapped[int] = mapped_column(default=0, server_default="0")

    unit: Mapped[Unit] = relationship()
    partner: Mapped[Partner | None] = relationship()

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sessions of deactivated users, and the permission rules refuse
        them everything; a suspended partner organisation's people are deactivated with it."""
        if not self.active:
            return False
        return self.partner_id is None or self.partner is None or not self.partner.is_suspended

    @property
    def is_partner(self) -> bool:
        return self.role == Role.PARTNER

    def get_id(self) -> str:
        """What the session cookie holds: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role}>"
