"""Pure campaign decisions: the event a command produces, or a domain error. No I/O, no HTTP."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from redgrid_shared.auth import Principal
from redgrid_shared.events import CampaignClosed, CampaignIssuesAdded, CampaignOpened

from dispatch.campaigns.models import Match, OpenCampaign
from redgrid_shared.domain import Conflict, Invalid

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Campaign:
    """What the decisions need to know of a campaign."""

    campaign_id: str
    community: str
    categories: tuple[str, ...]
    starts_on: date
    ends_on: date
    status: str  # open | closed


def campaign_id(seq: int) -> str:
    """Campaign ids are numbered per community: cmp-1, cmp-2..."""
    return f"cmp-{seq}"


def decide_open(command: OpenCampaign, *, principal: Principal, seq: int) -> CampaignOpened:
    """campaign.opened for the caller's community."""
    return CampaignOpened(
        campaign_id=campaign_id(seq), community=principal.community, name=command.name,
        categories=list(command.categories), departments=list(command.departments),
        starts_on=command.starts_on, ends_on=command.ends_on, opened_by=principal.sub)


@dataclass(frozen=True)
class Window:
    """Issues to match: these categories, reported in [start, end) (aware moments)."""

    categories: tuple[str, ...]
    start: datetime
    end: datetime


def match_window(campaign: Campaign, match: Match) -> Window:
    """The categories and reporting period a `match` asks for, defaults from the campaign."""
    first = match.reported_from or campaign.starts_on
    last = match.reported_to or campaign.ends_on
    if last < first:
        raise Invalid("body.match.reported_to", "must not be before reported_from")
    return Window(tuple(match.categories or campaign.categories),
                  datetime.combine(first, time(), LOCAL),
                  datetime.combine(last + timedelta(days=1), time(), LOCAL))


def decide_add(campaign: Campaign, *, requested: list[str], known: set[str],
               attached: set[str], principal: Principal,
               by_hand: bool) -> CampaignIssuesAdded | None:
    """campaign.issues-added for the requested issues not attached yet; None if none is new.

    `known` are the requested ids that are issues of the campaign's community: by hand, any
    other id is 422 naming it (another community's issue looks the same as none at all).
    """
    _must_be_open(campaign, "issues cannot be added")
    if by_hand:
        unknown = [i for i in requested if i not in known]
        if unknown:
            raise Invalid("body.issue_ids", f"no such issues in {campaign.community}: "
                                            f"{', '.join(unknown[:20])}")
    new = [i for i in dict.fromkeys(requested) if i not in attached]
    if not new:
        return None
    return CampaignIssuesAdded(campaign_id=campaign.campaign_id, community=campaign.community,
                               issue_ids=new, added_by=principal.sub)


def decide_close(campaign: Campaign, *, results: str, principal: Principal) -> CampaignClosed:
    """campaign.closed; a campaign closes once."""
    _must_be_open(campaign, "it cannot be closed again")
    return CampaignClosed(campaign_id=campaign.campaign_id, community=campaign.community,
                          results=results, closed_by=principal.sub)


def _must_be_open(campaign: Campaign, consequence: str) -> None:
    if campaign.status != "open":
        raise Conflict("wrong_status", f"campaign {campaign.campaign_id} is {campaign.status}: "
                                       f"{consequence}", {"status": campaign.status})
