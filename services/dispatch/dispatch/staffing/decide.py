"""Pure decisions on availability: who may mark whom, and whether anything changes."""

from redgrid_shared.auth import Principal
from redgrid_shared.events import StaffAvailabilityChanged

from redgrid_shared.domain import NotAllowed
from dispatch.staffing.models import ChangeAvailability


def may_change(principal: Principal, staff_id: str) -> None:
    """An admin marks anyone of their community; a steward or repairer marks themselves."""
    if principal.role == "admin" or (principal.is_staff and principal.sub == staff_id):
        return
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
