"""Pure decisions on availability: who may mark whom, and whether anything changes."""

from redgrid_shared.auth import Principal
from redgrid_shared.events import StaffAvailabilityChanged

from redgrid_shared.domain import NotAllowed
from dispatch.staffing.models import ChangeAvailability


def may_change(principal: Principal, staff_id: str,
               directory_roles: set[str] | None = None) -> None:
    """An admin marks anyone of their community; a steward or repairer marks themselves.

    `directory_roles` are the staff roles the community's grids give the id (when known): a
    person is (community, role, id), so a repairer whose id the grids give a steward is
    someone else and may not mark that steward.
    """
    if principal.role == "admin":
        return
    if principal.is_staff and principal.sub == staff_id:
        if not directory_roles or directory_roles == {principal.role}:
            return
        raise NotAllowed(f"{staff_id} is a {'/'.join(sorted(directory_roles))} in the grids "
                         f"of this community, not a {principal.role}")
    raise NotAllowed("only an admin of the community or the person themselves may change "
                     "their availability")


def decide_availability(available_now: bool, command: ChangeAvailability, *, staff_id: str,
                        principal: Principal) -> StaffAvailabilityChanged | None:
    """staff.availability-changed, or None when the person already stands so (no event)."""
    may_change(principal, staff_id)
    if command.available == available_now:
        return None
    return StaffAvailabilityChanged(staff_id=staff_id, community=principal.community,
                                    available=command.available, changed_by=principal.sub,
                                    note=command.note)
