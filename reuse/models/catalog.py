"""Categories with their valuation factors, items listed by units, and the items' photos."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    and_,
    false,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reuse.models.base import Base, UTCDateTime, utcnow
from reuse.models.organisation import Unit, User

Money = Numeric(12, 2)
Kilograms = Numeric(12, 3)

# The limits of what a lister enters, each written once: the columns are sized by them, the
# item service enforces them, and the forms, the API parser and the OpenAPI document read
# them from here (tests/test_limits.py holds them to it).
MAX_ITEM_QUANTITY = 10_000
MAX_TITLE = 120
MAX_DESCRIPTION = 5000  # free text: a sensible cap, not a column size
MAX_ADDRESS = 200
MAX_BUILDING = 120
MAX_ROOM = 120
MAX_COLLECTION_NOTES = 2000  # free text, as the description
MAX_ALT_TEXT = 300
MAX_SLUG = 80
MAX_CATEGORY_NAME = 120  # name_nb and name_en
MAX_CONDITION = 20


class Condition(enum.StrEnum):
    AS_NEW = "as_new"
    GOOD = "good"
    USED = "used"
    NEEDS_REPAIR = "needs_repair"


class Stage(enum.StrEnum):
    """The cascade: who an item is offered to, widening step by step (reuse.services.stages).

    Units may claim at every stage; public bodies from `public_bodies` on, non-profits from
    `nonprofits` on; at `final` nobody outside claims and the lister records an end for
    whatever is left.
    """

    INTERNAL = "internal"
    PUBLIC_BODIES = "public_bodies"
    NONPROFITS = "nonprofits"
    FINAL = "final"


STAGES = tuple(Stage)


class ItemStatus(enum.StrEnum):
    """Where an item stands, as the API reports it and the unit's list shows it."""

    AVAILABLE = "available"  # pieces left to claim
    RESERVED = "reserved"  # none left, some promised to a claimant
    HANDED_OVER = "handed_over"  # every piece collected, or given its end at the final stage
    WITHDRAWN = "withdrawn"


class Category(Base):
    """A node in the category tree, carrying the default factors used to value a reuse."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(MAX_SLUG), unique=True)
    name_nb: Mapped[str] = mapped_column(String(MAX_CATEGORY_NAME))
    name_en: Mapped[str] = mapped_column(String(MAX_CATEGORY_NAME))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    new_price_nok: Mapped[Decimal | None] = mapped_column(Money)
    new_price_source: Mapped[str] = mapped_column(Text, default="")
    weight_kg: Mapped[Decimal | None] = mapped_column(Kilograms)
    weight_source: Mapped[str] = mapped_column(Text, default="")
    co2e_kg: Mapped[Decimal | None] = mapped_column(Kilograms)
    co2e_source: Mapped[str] = mapped_column(Text, default="")
    # Retired: no longer offered for new items and checks; what used it keeps it.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Electrical equipment: an item must be marked safety-checked before it may leave the
    # municipality. Sub-categories inherit it (reuse.services.stages.is_electrical).
    electrical: Mapped[bool] = mapped_column(default=False, server_default=false())

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="Category.name_nb"
    )

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


# Listed: not withdrawn, and some pieces neither reserved nor handed over. The partial indexes
# below hold only listed items, and a query uses them only when it states this same condition
# (Item.listed()), so the condition is written here once.
LISTED_SQL = "withdrawn_at IS NULL AND quantity - quantity_reserved - quantity_handed_over > 0"


class Item(Base):
    """A listing of surplus pieces owned by a unit.

    Available quantity = quantity − reserved − handed over, and the database refuses any
    row where that would go negative.
    """

    __tablename__ = "item"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "quantity_reserved >= 0 AND quantity_handed_over >= 0 "
            "AND quantity_reserved + quantity_handed_over <= quantity",
            name="quantity_not_overdrawn",
        ),
        CheckConstraint(
            "condition IN ('as_new', 'good', 'used', 'needs_repair')", name="condition_known"
        ),
        CheckConstraint("new_price_nok IS NULL OR new_price_nok >= 0", name="price_not_negative"),
        CheckConstraint("weight_kg IS NULL OR weight_kg >= 0", name="weight_not_negative"),
        CheckConstraint("photo_count >= 0", name="photo_count_not_negative"),
        CheckConstraint("stage IN ('internal', 'public_bodies', 'nonprofits', 'final')",
                        name="stage_known"),
        CheckConstraint("quantity_ended >= 0 AND quantity_ended <= quantity_handed_over",
                        name="ended_within_handed_over"),
        # run-jobs finds the items whose stage has run out without reading the others.
        Index("ix_item_stage_ends_on", "stage_ends_on"),
        # Newest listed items first, and per category: without reading withdrawn or taken
        # ones, and counting "more than a thousand" from the index alone.
        Index("ix_item_listed_created_at", "created_at", "id",
              postgresql_where=text(LISTED_SQL), sqlite_where=text(LISTED_SQL)),
        Index("ix_item_listed_category_id", "category_id", "created_at",
              postgresql_where=text(LISTED_SQL), sqlite_where=text(LISTED_SQL)),
        # A withdrawn item is listed again once: a second "Legg ut igjen" (a double click, a
        # colleague at the same moment) would list the same pieces twice.
        Index("uq_item_relisted_from_id", "relisted_from_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    description: Mapped[str] = mapped_column(Text, default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"), index=True)
    condition: Mapped[str] = mapped_column(String(MAX_CONDITION))
    quantity: Mapped[int]
    quantity_reserved: Mapped[int] = mapped_column(default=0, server_default="0")
    # Pieces that have left the item: collected by a claimant, or given an end (sold,
    # donated, recycled, disposed) at the final stage; quantity_ended counts those.
    quantity_handed_over: Mapped[int] = mapped_column(default=0, server_default="0")
    quantity_ended: Mapped[int] = mapped_column(default=0, server_default="0")
    location_address: Mapped[str] = mapped_column(String(MAX_ADDRESS))
    location_building: Mapped[str] = mapped_column(String(MAX_BUILDING), default="")
    location_room: Mapped[str] = mapped_column(String(MAX_ROOM), default="")
    collection_notes: Mapped[str] = mapped_column(Text, default="")
    internal_until: Mapped[date]
    # Where the item stands in the cascade, and the last day of that stage (None at final).
    # Moved only by reuse.services.stages: on time by run-jobs, early or back by the lister.
    stage: Mapped[str] = mapped_column(String(20), default=Stage.INTERNAL.value,
                                       server_default=Stage.INTERNAL.value)
    stage_ends_on: Mapped[date | None] = mapped_column(default=lambda context: (
        context.get_current_parameters().get("internal_until")))  # a new item starts internal
    # An electrical item's safety check (el-sjekk), required before it leaves the municipality.
    safety_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    safety_checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Per-piece overrides; None means "use the category's default".
    new_price_nok: Mapped[Decimal | None] = mapped_column(Money)
    weight_kg: Mapped[Decimal | None] = mapped_column(Kilograms)
    auto_approve: Mapped[bool] = mapped_column(default=False, server_default=false())
    # How many photos the item has: moved by one conditional UPDATE per upload or removal
    # (reuse.services.photos), so parallel uploads cannot pass the per-item limit together.
    photo_count: Mapped[int] = mapped_column(default=0, server_default="0")
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The withdrawn item this one lists again (items.relist_item). No foreign key: items are
    # never deleted, and SQLite would have to rebuild the item table to add one.
    relisted_from_id: Mapped[int | None]
    # Folded, stemmed words of title, description and location, kept by the item service.
    search_text: Mapped[str] = mapped_column(Text, default="")
    location_search: Mapped[str] = mapped_column(Text, default="")
    # What the full-text index holds (reuse.services.fulltext); derived from the two above.
    # Written, never read by the application: deferred, so loading an item leaves out these
    # five times longer texts (a reuse check loads 500 candidate items).
    search_lexemes: Mapped[str] = mapped_column(Text, default="", server_default="",
                                                deferred=True)
    location_lexemes: Mapped[str] = mapped_column(Text, default="", server_default="",
                                                  deferred=True)

    category: Mapped[Category] = relationship()
    unit: Mapped[Unit] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    photos: Mapped[list[Photo]] = relationship(
        back_populates="item", order_by=lambda: (Photo.position, Photo.id),
        cascade="all, delete-orphan"
    )

    @classmethod
    def listed(cls) -> ColumnElement[bool]:
        """The SQL condition for listed items, as the partial indexes state it."""
        return and_(cls.withdrawn_at.is_(None),
                    cls.quantity - cls.quantity_reserved - cls.quantity_handed_over
                    > literal_column("0"))

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_reserved - self.quantity_handed_over

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def status(self) -> ItemStatus:
        if self.is_withdrawn:
            return ItemStatus.WITHDRAWN
        if self.quantity_available > 0:
            return ItemStatus.AVAILABLE
        if self.quantity_reserved > 0:
            return ItemStatus.RESERVED
        return ItemStatus.HANDED_OVER

    @property
    def location_label(self) -> str:
        return ", ".join(p for p in (self.location_address, self.location_building,
                                     self.location_room) if p)

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.title!r}>"


class Photo(Base):
    """An item photo as re-encoded by the application; the file names are random. The one
    at the first position is the item's cover: cards and the item page show it first."""

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    thumbnail_filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    alt_text: Mapped[str] = mapped_column(String(MAX_ALT_TEXT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(back_populates="photos")


# A random, URL-safe reference (secrets.token_urlsafe(16)): what a form carries, never an id.
PENDING_TOKEN_LENGTH = 22


class PendingPhoto(Base):
    """A photo chosen on a form that has not gone through yet (a required field was empty):
    decoded and stored as any photo is, and kept for its uploader only, so the form can show
    it again instead of losing it. Saving the form turns it into a Photo; run-jobs removes
    those left behind (reuse.services.photos.remove_stale_pending)."""

    __tablename__ = "pending_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(PENDING_TOKEN_LENGTH), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    filename: Mapped[str] = mapped_column(String(80), unique=True)
    thumbnail_filename: Mapped[str] = mapped_column(String(80), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
