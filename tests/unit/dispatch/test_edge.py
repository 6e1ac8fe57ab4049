"""The one mapping of domain errors to HTTP, and its error shape."""

import httpx
from fastapi import FastAPI

from redgrid_shared import edge
from redgrid_shared.domain import Conflict, Invalid, NotAllowed, NotFound, WrongStatus


def test_each_domain_error_has_its_status():
    assert [edge.http_status(e) for e in (
        NotFound("no issue x"), NotAllowed("no"), Invalid("body.note", "required"),
        WrongStatus("accepted", "accept"), Conflict("building_taken", "taken"))] == [
        404, 403, 422, 409, 409]


async def test_a_wrong_status_answers_409_naming_the_status_in_the_one_shape():
    app = FastAPI()
    edge.install(app)

    @app.post("/x")
    async def x():
        raise WrongStatus("in_progress", "cancel")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        response = await client.post("/x")
    assert response.status_code == 409
    assert response.json() == {"error": {"code": "wrong_status",
                                         "message": "cannot cancel an issue in status in_progress",
                                         "fields": {"status": "in_progress"}}}
