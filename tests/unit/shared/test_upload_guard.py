"""The input guard lets multipart photo uploads (over the JSON limit) through on the upload
path only, and still refuses other bodies there."""

import httpx
from fastapi import FastAPI, Request

from redgrid_shared import web
from redgrid_shared.guards import MAX_BODY_BYTES


def _app() -> FastAPI:
    app = FastAPI()

    async def ok() -> None:
        return None

    web.setup(app, {"database": ok})

    @app.post("/v1/media")
    @app.post("/v1/other")
    async def size(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    return app


async def _post(path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()),
                                 base_url="http://t") as client:
        return await client.post(path, **kwargs)


async def test_a_multipart_upload_over_the_json_limit_reaches_the_upload_route():
    big = b"\xff" * (MAX_BODY_BYTES * 2)
    response = await _post("/v1/media", files={"file": ("a.jpg", big, "image/jpeg")})
    assert response.status_code == 200 and response.json()["bytes"] > len(big)


async def test_the_upload_path_takes_multipart_only():
    response = await _post("/v1/media", json={"file": "x"})
    assert response.status_code == 415
    assert response.json()["error"]["fields"] == {
        "header.content-type": "must be multipart/form-data"}


async def test_other_paths_still_refuse_multipart():
    response = await _post("/v1/other", files={"file": ("a.jpg", b"x", "image/jpeg")})
    assert response.status_code == 415
