"""Dependency aliases of dispatch's routes: settings and the callers by role (the clock is
the shared `ClockDep`, re-exported here)."""

from typing import Annotated

from fastapi import Depends, Request

from redgrid_shared.auth import Caller, Principal, require_role
from redgrid_shared.deps import ClockDep  # noqa: F401 - the one clock dependency

from dispatch.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def admin_caller(caller: Caller) -> Principal:
    """The caller, if an admin; checked before the body so a non-admin learns nothing more."""
    require_role(caller, "admin")
    return caller


async def desk_caller(caller: Caller) -> Principal:
    """The caller, if an operator or admin (the desk of one community)."""
    require_role(caller, "operator", "admin")
    return caller


async def workforce_caller(caller: Caller) -> Principal:
    """Stewards, repairers and the desk: everyone who works on issues (not residents)."""
    require_role(caller, "steward", "repairer", "operator", "admin")
    return caller


SettingsDep = Annotated[Settings, Depends(get_settings)]
Admin = Annotated[Principal, Depends(admin_caller)]
Desk = Annotated[Principal, Depends(desk_caller)]
Worker = Annotated[Principal, Depends(workforce_caller)]
