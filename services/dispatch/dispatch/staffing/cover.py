"""Who does a grid's work while someone is away: pure choices over the grid and the absent.

A role (steward, repairer) is held by the grid's regular holder when available, else by the
grid's backup for that role when available, else by no one (docs/decisions.md). `assignees`
is the one rule for every path that gives work to a grid: routing, reopen, a referral sent
back, an operator's assignment to a grid, a meeting's assignment.
"""

from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["steward", "repairer"]
NO_AVAILABLE_STAFF = "no_available_staff"  # a needed role's holder and backup are both away


class Staffed(Protocol):
    steward: str
    repairer: str
    backup_steward: str | None
    backup_repairer: str | None


def candidates(grid: Staffed, role: Role) -> list[str]:
    """The regular holder of a role, then the backup (if configured)."""
    backup = grid.backup_steward if role == "steward" else grid.backup_repairer
    regular = grid.steward if role == "steward" else grid.repairer
    return [regular] + ([backup] if backup else [])


def holder(grid: Staffed, role: Role, away: set[str]) -> str | None:
    """Who takes new work of this role now: the first candidate not away, or None."""
    return next((p for p in candidates(grid, role) if p not in away), None)


@dataclass(frozen=True)
class Assignees:
    """The people a new piece of work goes to, and the absent people they cover for."""

    steward: str
    repairer: str | None
    covering_for: tuple[str, ...] = ()


def assignees(grid: Staffed, *, needs_repairer: bool, away: set[str] | frozenset[str],
              steward: str | None = None, repairer: str | None = None) -> Assignees | None:
    """Steward always, repairer when needed; None when a needed role has no one available.

    People an operator names (`steward`, `repairer`) are taken as named; the roles left
    unnamed go to whoever holds them now, naming the absent regular holder in covering_for."""
    chosen_steward = steward or holder(grid, "steward", away)
    chosen_repairer = repairer or (holder(grid, "repairer", away) if needs_repairer else None)
    if chosen_steward is None or (needs_repairer and chosen_repairer is None):
        return None
    covering = [grid.steward] if steward is None and chosen_steward != grid.steward else []
    if repairer is None and needs_repairer and chosen_repairer != grid.repairer:
        covering.append(grid.repairer)
    return Assignees(chosen_steward, chosen_repairer, tuple(covering))


def replacement(grid: Staffed, role: Role, *, leaving: str, away: set[str]) -> str | None:
    """Who takes over open work of `role` from `leaving` (going on leave): another candidate
    of the grid not away, or None (then the work stays where it is)."""
    return next((p for p in candidates(grid, role) if p != leaving and p not in away), None)
