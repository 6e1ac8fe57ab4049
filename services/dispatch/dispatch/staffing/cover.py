"""Who does a grid's work while someone is away: pure choices over the grid and the absent.

A role (steward, repairer) is held by the grid's regular holder when available, else by the
grid's backup for that role when available, else by no one (docs/decisions.md).
"""

from dataclasses import dataclass, replace
from typing import Literal, Protocol

Role = Literal["steward", "repairer"]


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


def assignees(grid: Staffed, *, needs_repairer: bool, away: set[str]) -> Assignees | None:
    """Steward always, repairer when needed; None when a needed role has no one available."""
    steward = holder(grid, "steward", away)
    repairer = holder(grid, "repairer", away) if needs_repairer else None
    if steward is None or (needs_repairer and repairer is None):
        return None
    covering = [grid.steward] if steward != grid.steward else []
    if needs_repairer and repairer != grid.repairer:
        covering.append(grid.repairer)
    return Assignees(steward, repairer, tuple(covering))


def replacement(grid: Staffed, role: Role, *, leaving: str, away: set[str]) -> str | None:
    """Who takes over open work of `role` from `leaving` (going on leave): another candidate
    of the grid not away, or None (then the work stays where it is)."""
    return next((p for p in candidates(grid, role) if p != leaving and p not in away), None)


def staffed(grid, away: set[str]):
    """The grid with each role held by who takes its work now (for decisions that hand
    work "to the grid", e.g. a meeting's assignment); a role no one can take keeps its
    regular holder."""
    return replace(grid, steward=holder(grid, "steward", away) or grid.steward,
                   repairer=holder(grid, "repairer", away) or grid.repairer)
