"""Typed SQLAlchemy models, one module per aggregate; import them from here."""

from reuse.models.base import Base, utcnow
from reuse.models.catalog import (
    STAGES,
    Category,
    Condition,
    Item,
    ItemStatus,
    PendingPhoto,
    Photo,
    Stage,
)
from reuse.models.checks import (
                                 BoughtNewReason,
                                 CheckOutcome,
                                 PendingWantedMatch,
                                 ReuseCheck,
                                 ReuseCheckMatch,
                                 ReuseCheckSearch,
                                 WantedRequest,
)
from reuse.models.claims import (
                                 OPEN_CLAIM_STATUSES,
                                 ApiToken,
                                 AuditEvent,
                                 Claim,
                                 ClaimStatus,
                                 DeclineReason,
                                 Notification,
                                 ReuseRecord,
                                 ScimToken,
)
from reuse.models.organisation import MUNICIPAL_ROLES, Role, Unit, UnitPlacement, User
from reuse.models.partners import (
    FINAL_ENDS,
    Disposition,
    DispositionKind,
    LoginLink,
    Partner,
    PartnerKind,
    PartnerSubscription,
    RecyclingFraction,
)
from reuse.models.purchases import (
    Classification,
    PurchaseCategoryRule,
    PurchaseLine,
    RuleKind,
)
from reuse.models.reports import CategoryFactorVersion, Goal, GoalMetric, MonthTotal
from reuse.models.search import SearchSynonym, SearchWord

__all__ = [
    "OPEN_CLAIM_STATUSES", "ApiToken", "AuditEvent", "Base", "BoughtNewReason", "Category",
    "CheckOutcome", "Claim", "ClaimStatus", "Condition", "Item", "ItemStatus", "Notification",
    "Photo", "ReuseCheck", "ReuseCheckMatch", "ReuseCheckSearch", "ReuseRecord", "Role",
    "Unit", "User",
    "WantedRequest", "utcnow",
]
__all__ += ["DeclineReason", "PendingPhoto", "PendingWantedMatch"]
__all__ += ["CategoryFactorVersion", "Goal", "GoalMetric", "MonthTotal"]
__all__ += ["SearchSynonym", "SearchWord"]
__all__ += ["ScimToken"]
__all__ += ["UnitPlacement"]
__all__ += ["FINAL_ENDS", "STAGES", "Disposition", "DispositionKind", "LoginLink", "Partner",
            "PartnerKind", "PartnerSubscription", "RecyclingFraction", "Stage"]
__all__ += ["MUNICIPAL_ROLES"]
__all__ += ["Classification", "PurchaseCategoryRule", "PurchaseLine", "RuleKind"]
