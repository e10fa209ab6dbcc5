"""A per-person limit as the person sees it before reaching it (open claims, wanted requests)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Allowance:
    """How many the person has now, of how many they may have at once."""

    count: int
    limit: int

    @property
    def full(self) -> bool:
        return self.count >= self.limit
