"""The import path takes a whole ledger file; every other path keeps the usual limit."""

import httpx
from fastapi import FastAPI

from redgrid_shared import web
from redgrid_shared.guards import LARGE_BODY_PATHS, MAX_BODY_BYTES

IMPORT = "/v1/admin/import"


def app() -> FastAPI:
    app = FastAPI()

    async def ok() -> None:
        return None

    web.setup(app, {"database": ok})

    @app.post(IMPORT)
    @app.post("/v1/issues")
    async def size(body: dict) -> dict:
        return {"size": len(body["content"])}

    return app


async def post(path: str, size: int) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app()),
                                 base_url="http://t") as client:
        return await client.post(path, json={"content": "x" * size})


async def test_a_ledger_larger_than_the_usual_limit_reaches_the_import_route():
    assert (await post(IMPORT, MAX_BODY_BYTES * 4)).json() == {"size": MAX_BODY_BYTES * 4}
    assert (await post("/v1/issues", MAX_BODY_BYTES * 4)).status_code == 413


async def test_the_import_route_has_its_own_limit():
    response = await post(IMPORT, LARGE_BODY_PATHS[IMPORT] + 1)
    assert response.status_code == 413
    assert str(LARGE_BODY_PATHS[IMPORT]) in response.json()["error"]["message"]
