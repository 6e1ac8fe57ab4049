"""Every SQL statement of the grid directory (tables grids, grid_buildings)."""

from datetime import datetime

import asyncpg

from redgrid_shared.events import GridConfigured

Db = asyncpg.Connection | asyncpg.Pool
_GRID_COLUMNS = """grid_id, community, name, buildings, steward, repairer, backup_steward,
                   backup_repairer, members, version, configured_by, created_at, updated_at"""


async def grid_row(db: Db, community: str, grid_id: str) -> asyncpg.Record | None:
    """The directory row of one grid; a grid is (community, grid_id)."""
    return await db.fetchrow(
        f"SELECT {_GRID_COLUMNS} FROM grids WHERE community = $1 AND grid_id = $2",
        community, grid_id)


async def list_grids(db: Db, *, community: str,
                     staff: tuple[list[str], str, str] | None,
                     after: str | None, limit: int) -> list[asyncpg.Record]:
    """Grids of a community by id after a cursor; `staff` = (token grids, role, person)
    narrows it to those grids and the ones naming the person in that role."""
    grid_ids, role, person = staff if staff is not None else (None, None, None)
    return await db.fetch(
        f"""SELECT {_GRID_COLUMNS} FROM grids
            WHERE community = $1 AND ($2::text IS NULL OR grid_id > $2)
              AND ($3::text[] IS NULL OR grid_id = ANY($3)
                   OR ($6::text = 'steward' AND $4 IN (steward, backup_steward))
                   OR ($6::text = 'repairer' AND $4 IN (repairer, backup_repairer)))
            ORDER BY grid_id LIMIT $5""", community, after, grid_ids, person, limit, role)


async def buildings_held_elsewhere(db: Db, community: str, buildings: list[str], *,
                                   grid_id: str) -> dict[str, str]:
    """{building: grid} for each of these buildings another grid of the community holds."""
    rows = await db.fetch(
        """SELECT building, grid_id FROM grid_buildings
           WHERE community = $1 AND building = ANY($2) AND grid_id <> $3""",
        community, buildings, grid_id)
    return {r["building"]: r["grid_id"] for r in rows}


async def staff_roles(db: Db, community: str, people: list[str], *,
                      grid_id: str | None = None) -> dict[str, tuple[str, str]]:
    """{person: (staff role, grid)} for each of these people named in a grid of the community
    (other than `grid_id`): steward and backup steward are the steward role, repairer and
    backup repairer the repairer role. One row per person (the first grid by id)."""
    rows = await db.fetch(
        """SELECT DISTINCT ON (person, role) person, role, grid_id FROM grids,
             LATERAL (VALUES (steward, 'steward'), (backup_steward, 'steward'),
                             (repairer, 'repairer'), (backup_repairer, 'repairer'))
               AS named(person, role)
           WHERE community = $1 AND person = ANY($2)
             AND ($3::text IS NULL OR grid_id <> $3)
           ORDER BY person, role, grid_id""", community, people, grid_id)
    return {r["person"]: (r["role"], r["grid_id"]) for r in rows}


async def directory_roles(db: Db, community: str, person: str) -> set[str]:
    """The staff roles the community's grids give this person (none when no grid names them)."""
    rows = await db.fetch(
        """SELECT DISTINCT 'steward' AS role FROM grids
           WHERE community = $1 AND $2 IN (steward, backup_steward)
           UNION SELECT DISTINCT 'repairer' FROM grids
           WHERE community = $1 AND $2 IN (repairer, backup_repairer)""", community, person)
    return {r["role"] for r in rows}


async def save_grid(conn: asyncpg.Connection, event: GridConfigured, *, version: int,
                    at: datetime) -> asyncpg.Record:
    """Upsert the directory row from a grid.configured event."""
    return await conn.fetchrow(
        f"""INSERT INTO grids (grid_id, community, name, buildings, steward, repairer,
                               backup_steward, backup_repairer, members, version,
                               configured_by, created_at, updated_at)
            VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$12)
            ON CONFLICT (community, grid_id) DO UPDATE SET
              name = EXCLUDED.name,
              buildings = EXCLUDED.buildings, steward = EXCLUDED.steward,
              repairer = EXCLUDED.repairer, backup_steward = EXCLUDED.backup_steward,
              backup_repairer = EXCLUDED.backup_repairer, members = EXCLUDED.members,
              version = EXCLUDED.version, configured_by = EXCLUDED.configured_by,
              updated_at = EXCLUDED.updated_at
            RETURNING {_GRID_COLUMNS}""",
        event.grid_id, event.community, event.name, event.buildings, event.steward,
        event.repairer, event.backup_steward, event.backup_repairer,
        [m.model_dump() for m in event.members], version, event.configured_by, at)


async def claim_buildings(conn: asyncpg.Connection, community: str, grid_id: str,
                          buildings: list[str]) -> dict[str, str]:
    """Point the buildings at the grid; returns {building: grid} for those another grid won."""
    await conn.execute(
        """DELETE FROM grid_buildings
           WHERE community = $1 AND grid_id = $2 AND NOT (building = ANY($3))""",
        community, grid_id, buildings)
    # Sorted so two claims over the same buildings lock rows in one order (no deadlock); a
    # concurrent uncommitted claim makes this wait, then DO NOTHING if that one committed.
    await conn.execute(
        """INSERT INTO grid_buildings (community, building, grid_id)
           SELECT $1, b, $3 FROM unnest($2::text[]) AS b ORDER BY b
           ON CONFLICT (community, building) DO NOTHING""",
        community, sorted(buildings), grid_id)
    return await buildings_held_elsewhere(conn, community, buildings, grid_id=grid_id)

