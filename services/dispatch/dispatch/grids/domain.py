"""The grid aggregate: a grid's configuration, folded from its grid.configured events.

Pure: `evolve` folds, `decide_configure` decides what a PUT records and raises domain errors.
"""

from dataclasses import dataclass

from redgrid_shared.auth import Principal
from redgrid_shared.events import GridConfigured, GridMember

from redgrid_shared.domain import Conflict, NotAllowed
from dispatch.grids.models import ConfigureGrid, GridView


@dataclass(frozen=True)
class Grid:
    """A grid's configuration as its events left it."""

    grid_id: str
    community: str
    name: str
    buildings: tuple[str, ...]
    steward: str
    repairer: str
    backup_steward: str | None = None
    backup_repairer: str | None = None
    members: tuple[GridMember, ...] = ()

    def same_as(self, other: "Grid") -> bool:
        """Equal up to the order of buildings and members (a reordered list changes nothing)."""
        def key(g: Grid) -> tuple:
            return (g.community, g.name, frozenset(g.buildings), g.steward, g.repairer,
                    g.backup_steward, g.backup_repairer, frozenset(g.members))
        return key(self) == key(other)

    def backup_of(self, role: str) -> str | None:
        """The configured backup of the grid's steward or repairer."""
        return {"steward": self.backup_steward, "repairer": self.backup_repairer}.get(role)


def grid_stream(community: str, grid_id: str) -> str:
    """A grid's stream: a grid is (community, grid_id); no id may contain "/" (ID_PATTERN)."""
    return f"grid-{community}/{grid_id}"


def evolve(_: Grid | None, event: GridConfigured) -> Grid:
    """A grid.configured event replaces the whole configuration."""
    return Grid(event.grid_id, event.community, event.name, tuple(event.buildings),
                event.steward, event.repairer, event.backup_steward, event.backup_repairer,
                tuple(event.members))


def from_row(row) -> Grid:
    """A directory row (or any mapping with the grid's fields) as a Grid."""
    return evolve(None, GridConfigured.model_validate(dict(row)))


# The staff role each person field of a grid gives: one id has one staff role per community.
STAFF_FIELDS = {"steward": "steward", "backup_steward": "steward",
                "repairer": "repairer", "backup_repairer": "repairer"}


def decide_configure(current: Grid | None, command: ConfigureGrid, *, grid_id: str,
                     principal: Principal, taken: dict[str, str],
                     roles: dict[str, tuple[str, str]] | None = None) -> GridConfigured | None:
    """The event a PUT produces, None when nothing changes; a DomainError when refused.

    `current` is the grid of the caller's community with this id (another community's grid
    with the same id is a different grid and never reaches here). `taken` maps each
    requested building already held by another grid to that grid. `roles` maps each person
    the body names to (staff role, grid) in another grid of the community.
    """
    if command.community != principal.community:
        raise NotAllowed("admins configure the grids of their own community only",
                         {"body.community": f"must be your community, {principal.community}"})
    if taken:
        raise building_taken(taken)
    clash = role_clashes(command, grid_id=grid_id, roles=roles or {})
    if clash:
        raise Conflict("staff_role_taken", "a person holds one staff role in a community: "
                       + "; ".join(f"{f}: {m}" for f, m in clash.items()), clash)
    event = GridConfigured(
        grid_id=grid_id, community=command.community, name=command.name,
        buildings=list(command.buildings), steward=command.steward, repairer=command.repairer,
        backup_steward=command.backup_steward, backup_repairer=command.backup_repairer,
        members=[GridMember(id=m.id, role=m.role) for m in command.members],
        configured_by=principal.sub)
    if current is not None and current.same_as(evolve(current, event)):
        return None
    return event


def role_clashes(command: ConfigureGrid, *, grid_id: str,
                 roles: dict[str, tuple[str, str]]) -> dict[str, str]:
    """{body field: why} for each person named in a role they hold the other of, in another
    grid of the community (`roles`) or in another field of this same body."""
    named = [(f, getattr(command, f), r) for f, r in STAFF_FIELDS.items() if getattr(command, f)]
    clash: dict[str, str] = {}
    for field, person, role in named:
        held = roles.get(person)
        if held is not None and held[0] != role:
            clash[f"body.{field}"] = (f"{person} is a {held[0]} in grid {held[1]} "
                                      "of this community")
        elif any(p == person and r != role for _, p, r in named) and role == "repairer":
            clash[f"body.{field}"] = f"{person} is a steward in this grid ({grid_id})"
    return clash


def building_taken(taken: dict[str, str]) -> Conflict:
    """409 naming `body.buildings` and each building another grid holds."""
    held = "; ".join(f"{b} belongs to grid {g}" for b, g in sorted(taken.items()))
    return Conflict("building_taken", f"a building has one grid only: {held}",
                    {"body.buildings": held})


def visible(grid: GridView, principal: Principal) -> bool:
    """Desk roles see their community's grids; staff see the grids they hold or are named in
    in their own role (a steward as steward or backup steward, a repairer likewise)."""
    if grid.community != principal.community:
        return False
    if principal.is_desk:
        return True
    people = {"steward": {grid.steward, grid.backup_steward},
              "repairer": {grid.repairer, grid.backup_repairer}}.get(principal.role, set())
    return principal.is_staff and (grid.grid_id in principal.grids or principal.sub in people)
