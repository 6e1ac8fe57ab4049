"""Campaign routes (专项整治): request -> use case -> response; no SQL here."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from redgrid_shared.deps import IdempotencyKey, PoolDep
from redgrid_shared.errors import ERROR_RESPONSES

from dispatch.campaigns import service
from dispatch.campaigns.models import (CAMPAIGN_ID_PATTERN, AddIssues, CampaignPage,
                                       CampaignView, CloseCampaign, IssuesAdded, OpenCampaign)
from dispatch.deps import ClockDep, Desk, Worker
from redgrid_shared.edge import error_example

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])

FORBIDDEN = {403: error_example("Only operators and admins run campaigns", "forbidden",
                                "this action needs one of the roles: admin, operator")}
NOT_FOUND = {404: error_example("No such campaign in the caller's community", "not_found",
                                "no campaign cmp-9")}
CLOSED = {409: error_example("The campaign is closed", "wrong_status",
                             "campaign cmp-1 is closed: issues cannot be added",
                             {"status": "closed"})}


CampaignId = Annotated[str, Path(pattern=CAMPAIGN_ID_PATTERN, description="Campaign id",
                                 examples=["cmp-1"])]


@router.post("", status_code=201, response_model=CampaignView,
             summary="Open a campaign (operator, admin)",
             responses={**ERROR_RESPONSES, **FORBIDDEN})
async def open_campaign(body: OpenCampaign, caller: Desk, pool: PoolDep, key: IdempotencyKey,
                        clock: ClockDep) -> JSONResponse:
    """Open a 专项整治 campaign in the caller's community: name, target categories, the
    departments it works with and its period (dates inclusive). Ids are numbered per
    community (`cmp-1`, `cmp-2`...). Writes `campaign.opened`."""
    result = await service.open_campaign(pool, command=body, principal=caller,
                                         idempotency_key=key, clock=clock)
    return result.response()


@router.get("", response_model=CampaignPage, summary="The community's campaigns",
            responses={**ERROR_RESPONSES})
async def list_campaigns(
        caller: Worker, pool: PoolDep,
        status: Annotated[Literal["open", "closed"] | None, Query()] = None,
        cursor: Annotated[str | None, Query(max_length=12,
                                            description="next_cursor of the page before")] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50) -> CampaignPage:
    """Campaigns of the caller's community, newest first, with live counts of their issues.
    Staff may read; residents may not."""
    return await service.list_campaigns(pool, principal=caller, status=status, cursor=cursor,
                                        limit=limit)


@router.get("/{campaign_id}", response_model=CampaignView, summary="One campaign",
            responses={**ERROR_RESPONSES, **NOT_FOUND})
async def get_campaign(campaign_id: CampaignId, caller: Worker, pool: PoolDep) -> CampaignView:
    """A campaign of the caller's community with its counts: `issue_count`, `by_status` and
    `cleared` (resolved + closed). Another community's `cmp-1` is a different campaign."""
    return await service.get_campaign(pool, campaign_id=campaign_id, principal=caller)


@router.post("/{campaign_id}/issues", response_model=IssuesAdded,
             summary="Attach issues to a campaign (operator, admin)",
             responses={**ERROR_RESPONSES, **FORBIDDEN, **NOT_FOUND, **CLOSED,
                        422: error_example("An id that is not an issue of the community, "
                                           "or both/neither of issue_ids and match",
                                           "invalid_request",
                                           "body.issue_ids: no such issues in erqiaoxi: iss-x",
                                           {"body.issue_ids": "no such issues in erqiaoxi: iss-x"})})
async def add_issues(campaign_id: CampaignId, body: AddIssues, caller: Desk, pool: PoolDep,
                     key: IdempotencyKey, clock: ClockDep) -> JSONResponse:
    """Attach issues by hand (`issue_ids`: each must be an issue of the community) or by
    `match`: every issue of the community in the categories reported within the dates
    (defaults: the campaign's categories and period; cancelled issues are left out).
    Issues already attached are skipped; when nothing is new no event is written, otherwise
    `campaign.issues-added` lists the new ones."""
    result = await service.add_issues(pool, campaign_id=campaign_id, command=body,
                                      principal=caller, idempotency_key=key, clock=clock)
    return result.response()


@router.post("/{campaign_id}/close", response_model=CampaignView,
             summary="Close a campaign with its results (operator, admin)",
             responses={**ERROR_RESPONSES, **FORBIDDEN, **NOT_FOUND,
                        409: error_example("Already closed", "wrong_status",
                                           "campaign cmp-1 is closed: it cannot be closed again",
                                           {"status": "closed"})})
async def close_campaign(campaign_id: CampaignId, body: CloseCampaign, caller: Desk,
                         pool: PoolDep, key: IdempotencyKey, clock: ClockDep) -> JSONResponse:
    """Close the campaign with its results in words; the response carries the final counts
    (`cleared` = its issues resolved or closed). Writes `campaign.closed`; a closed campaign
    takes no more issues."""
    result = await service.close_campaign(pool, campaign_id=campaign_id, command=body,
                                          principal=caller, idempotency_key=key, clock=clock)
    return result.response()
