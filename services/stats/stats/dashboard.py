"""The operations desk's page: `/dashboard`, its scripts, styles and the category labels.

Everything it needs ships with the service (ECharts under static/vendor), so it works with no
internet. The page holds no data: it calls the stats API with the operator's token.
"""

from datetime import timedelta
from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

from redgrid_shared.catalog import CATEGORIES

router = APIRouter(tags=["dashboard"])
STATIC = resources.files("stats") / "static"
TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# Assets the page loads; nothing else under static/ is served.
ASSETS = ("dashboard.css", "i18n.js", "common.js", "charts.js", "dashboard.js",
          "vendor/echarts/echarts.min.js")


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard() -> HTMLResponse:
    return HTMLResponse((STATIC / "dashboard.html").read_text(encoding="utf-8"),
                        headers={"Cache-Control": "no-cache"})


@router.get("/dashboard/assets/{path:path}", include_in_schema=False)
async def asset(path: str) -> FileResponse:
    if path not in ASSETS:
        raise HTTPException(404)
    suffix = path[path.rfind("."):]
    return FileResponse(str(STATIC / path), media_type=TYPES[suffix],
                        headers={"Cache-Control": "no-cache"})


@router.get("/dashboard/categories.json", summary="Category labels for the dashboard (public)")
async def categories() -> list[dict]:
    """The catalogue's codes with their Chinese and English labels and default limits."""
    return [{"code": c.code, "label_zh": c.label_zh, "label_en": c.label_en,
             "priority": c.priority, "signoff_minutes": c.signoff // timedelta(minutes=1),
             "completion_minutes": c.completion // timedelta(minutes=1)}
            for c in CATEGORIES.values()]
