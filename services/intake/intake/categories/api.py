"""GET /v1/categories: labels by Accept-Language and the limits in force."""

from fastapi import APIRouter, Request

from intake.categories import handlers
from intake.categories.models import CategoryView
from intake.responses import errors
from intake.words.language import Language
from redgrid_shared.auth import OptionalCaller

router = APIRouter(prefix="/v1", tags=["categories"])


@router.get(
    "/categories", response_model=list[CategoryView], summary="List issue categories",
    description="Every category code with its label (`label` in the Accept-Language asked: "
                "Simplified Chinese by default, `en` for English), whether the repairer is "
                "needed, its priority, and the sign-off and completion limits in minutes.\n\n"
                "The token is optional. Without one the answer is public and shows the "
                "catalogue's default limits. With one, the limits are those dispatch applies "
                "in the caller's community now (admins change them at run time; intake "
                "learns each change from `sla.changed`). A token that is sent must be valid: "
                "a bad one is 401, never answered as anonymous. Reports flagged for an elderly "
                "person or a child living alone (一老一小) get the urgent limits.",
    responses=errors(401, 422, 503),
)
async def list_categories(request: Request, caller: OptionalCaller,
                          lang: Language) -> list[CategoryView]:
    pool = request.app.state.runtime.pool if caller is not None else None
    return await handlers.list_categories(pool, community=caller and caller.community,
                                          lang=lang)
