"""Grid API checks that need no database: auth, roles and body validation."""

import httpx
import pytest
from pydantic import ValidationError

from redgrid_shared.auth import mint_token

from dispatch.main import create_app
from dispatch.grids.models import ConfigureGrid
from dispatch.settings import Settings
from tests.unit.dispatch.builders import grid_body

SECRET = "dispatch-unit-test-secret-of-32-bytes"


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(jwt_secret=SECRET))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://dispatch") as c:
        yield c


def auth(role: str, sub: str = "a-01", community: str = "erqiaoxi") -> dict:
    token = mint_token(secret=SECRET, sub=sub, role=role, community=community)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["resident", "steward", "repairer", "operator"])
async def test_only_admins_may_put_a_grid(client, role):
    response = await client.put("/v1/grids/g-03", json=grid_body(), headers=auth(role))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_non_admin_gets_403_even_with_an_invalid_body(client):
    response = await client.put("/v1/grids/g-03", json={"junk": 1}, headers=auth("steward"))
    assert response.status_code == 403


async def test_put_without_a_token_is_401(client):
    response = await client.put("/v1/grids/g-03", json=grid_body())
    assert response.status_code == 401


async def test_invalid_body_names_the_bad_field(client):
    response = await client.put("/v1/grids/g-03", json=grid_body(buildings=[]),
                                headers=auth("admin"))
    assert response.status_code == 422
    assert "body.buildings" in response.json()["error"]["fields"]


async def test_bad_grid_id_in_the_path_is_422(client):
    response = await client.put("/v1/grids/bad%20id", json=grid_body(), headers=auth("admin"))
    assert response.status_code == 422
    assert "path.grid_id" in response.json()["error"]["fields"]


@pytest.mark.parametrize("path", ["/v1/grids", "/v1/grids/g-03"])
async def test_residents_cannot_read_the_directory(client, path):
    response = await client.get(path, headers=auth("resident", sub="u-1"))
    assert response.status_code == 403


@pytest.mark.parametrize(("overrides", "field"), [
    ({"buildings": []}, "buildings"),
    ({"buildings": ["b-01", "b-02", "b-01"]}, "buildings"),
    ({"buildings": ["b 01"]}, "buildings"),
    ({"steward": ""}, "steward"),
    ({"name": "   "}, "name"),
    ({"backup_steward": "s-03"}, "backup_steward"),
    ({"backup_repairer": "r-03"}, "backup_repairer"),
    ({"members": [{"id": "m-1", "role": "volunteer"}, {"id": "m-1", "role": "backing_unit"}]},
     "members"),
    ({"members": [{"id": "m-1", "role": "mayor"}]}, "members"),
    ({"members": [{"id": "m-1", "role": "volunteer", "phone": "1"}]}, "members"),
    ({"extra": "field"}, "extra"),
])
def test_grid_body_validation(overrides, field):
    with pytest.raises(ValidationError) as err:
        ConfigureGrid.model_validate(grid_body(**overrides))
    assert {e["loc"][0] for e in err.value.errors()} == {field}


def test_a_complete_grid_body_is_valid():
    grid = ConfigureGrid.model_validate(grid_body(name="  第三网格 "))
    assert grid.name == "第三网格" and grid.buildings == ["b-07", "b-08"]


def test_openapi_documents_examples_and_errors(app):
    put = app.openapi()["paths"]["/v1/grids/{grid_id}"]["put"]
    assert {"200", "201", "401", "403", "409", "422"} <= set(put["responses"])
    body = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert app.openapi()["components"]["schemas"][body]["examples"]
