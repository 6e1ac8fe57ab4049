"""The intake API in-process, without a database: auth, validation, categories, docs.

Every request here is refused (or answered) before a use case touches the pool, so the app
runs without its lifespan; a request that reached the database would fail loudly.
"""

import httpx
import pytest

from intake.main import create_app
from intake.settings import Settings
from redgrid_shared import catalog
from tests.unit.intake.builders import SECRET, auth, report


@pytest.fixture(scope="module")
def app():
    return create_app(Settings(jwt_secret=SECRET))


@pytest.fixture
async def client(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://intake") as c:
        yield c


async def test_categories_are_public_and_list_every_code(client):
    response = await client.get("/v1/categories")
    assert response.status_code == 200
    assert {c["code"] for c in response.json()} == set(catalog.CATEGORIES)
    assert set(response.json()[0]) == {"code", "label", "label_zh", "label_en",
                                       "needs_repairer", "priority", "signoff_minutes",
                                       "completion_minutes", "limits_source"}
    assert {c["limits_source"] for c in response.json()} == {"default"}


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer not-a-jwt"},
    {"Authorization": "Basic dTpw"},
    auth(ttl_seconds=-60),
    auth(secret="another-secret-also-at-least-32-bytes"),
], ids=["missing", "garbage", "wrong-scheme", "expired", "wrong-signature"])
@pytest.mark.parametrize("method, path", [
    ("POST", "/v1/issues"), ("GET", "/v1/issues"), ("GET", "/v1/issues/iss-1"),
    ("GET", "/v1/issues/iss-1/timeline"),
])
async def test_requests_without_a_valid_token_are_401(client, headers, method, path):
    response = await client.request(method, path, headers=headers,
                                    json=report() if method == "POST" else None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"missing_token", "invalid_token", "token_expired"}


async def test_token_for_another_audience_is_401(client):
    import time

    import jwt
    claims = {"iss": "redgrid", "aud": "another-api", "sub": "u-1", "role": "resident",
              "community": "erqiaoxi", "exp": int(time.time()) + 60}
    response = await client.get("/v1/issues", headers={
        "Authorization": f"Bearer {jwt.encode(claims, SECRET, algorithm='HS256')}"})
    assert response.status_code == 401


@pytest.mark.parametrize("body, field", [
    (report(category="repair.everything"), "body.category"),
    (report(building=...), "body.building"),
    (report(building="b 03; drop table"), "body.building"),
    (report(description="x" * 100_000), "body.description"),
    (report(description="   "), "body.description"),
    (report(vulnerable="teenager"), "body.vulnerable"),
    (report(source="email"), "body.source"),
    (report(photos=[f"med-{i:032x}" for i in range(10)]), "body.photos"),
    (report(photos=["https://p.example.org/x.jpg"]), "body.photos.0"),
    (report(reporter_id="u-666"), "body.reporter_id"),
])
async def test_bad_reports_are_422_naming_the_field(client, body, field):
    response = await client.post("/v1/issues", json=body, headers=auth())
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


async def test_malformed_json_is_422(client):
    response = await client.post("/v1/issues", content=b'{"category": ',
                                 headers={**auth(), "content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


async def test_an_overlong_idempotency_key_is_422_naming_the_header(client):
    response = await client.post("/v1/issues", json=report(),
                                 headers={**auth(), "Idempotency-Key": "k" * 201})
    assert response.status_code == 422
    assert "header.idempotency-key" in response.json()["error"]["fields"]


@pytest.mark.parametrize("query, field", [
    ({"status": "lost"}, "query.status"),
    ({"cursor": "%%%"}, "query.cursor"),
    ({"limit": "0"}, "query.limit"),
    ({"limit": "101"}, "query.limit"),
])
async def test_bad_list_queries_are_422_naming_the_query_field(client, query, field):
    response = await client.get("/v1/issues", params=query, headers=auth())
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]


def test_openapi_documents_examples_responses_and_errors(app):
    spec = app.openapi()
    post = spec["paths"]["/v1/issues"]["post"]
    assert post["summary"] == "Report an issue"
    examples = post["requestBody"]["content"]["application/json"]["examples"]
    assert {"resident", "elderly_alone", "on_behalf"} <= set(examples)
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/IssueView")
    assert {"401", "403", "422"} <= set(post["responses"])
    get_one = spec["paths"]["/v1/issues/{issue_id}"]["get"]
    assert {"401", "404"} <= set(get_one["responses"])
    assert "idempotency-key" in {p["name"].lower() for p in post["parameters"]}


def _examples_of(spec: dict, ref_or_schema: dict) -> list:
    schema = ref_or_schema
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "array":
        return _examples_of(spec, schema["items"])
    return schema.get("examples", [])


def _schema(spec: dict, ref_or_schema: dict) -> dict:
    if "$ref" in ref_or_schema:
        return spec["components"]["schemas"][ref_or_schema["$ref"].rsplit("/", 1)[-1]]
    return ref_or_schema


def _documents_its_answer(spec: dict, media_type: str, content: dict) -> bool:
    """JSON with examples; any other type (a photo's bytes) with its binary schema."""
    if media_type == "application/json":
        return bool(content.get("examples") or content.get("example")
                    or _examples_of(spec, content["schema"]))
    return content["schema"] == {"type": "string", "format": "binary"}


def _documents_its_body(spec: dict, media_type: str, body: dict) -> bool:
    """A JSON body with examples; a multipart body with its parts' schema, their types and
    an example of the form."""
    if media_type == "application/json":
        return bool(body.get("examples") or _examples_of(spec, body["schema"]))
    parts = _schema(spec, body["schema"])
    return (media_type == "multipart/form-data" and bool(parts["required"])
            and set(parts["required"]) <= set(parts["properties"])
            and set(body["encoding"]) == set(parts["properties"])
            and all(e["contentType"] for e in body["encoding"].values())
            and set(body["example"]) == set(parts["properties"]))


def test_every_intake_route_has_a_summary_a_description_and_examples(app):
    spec = app.openapi()
    routes = [(path, method, op) for path, ops in spec["paths"].items() if path.startswith("/v1/")
              for method, op in ops.items()]
    assert len(routes) == 19  # issues, actions, categories, media, Open311 keys, import, dead letters
    for path, method, op in routes:
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("description"), where
        ok = next(code for code in op["responses"] if code.startswith("2"))
        answers = op["responses"][ok]["content"]
        assert answers and all(_documents_its_answer(spec, t, c) for t, c in answers.items()), \
            where
        if method == "post":
            if "requestBody" in op:
                (media_type, body), = op["requestBody"]["content"].items()
                assert _documents_its_body(spec, media_type, body), where
            assert {"400", "401", "408", "413", "415", "422", "429", "503"} <= set(
                op["responses"]), where
        else:
            assert {"401", "503"} <= set(op["responses"]), where
        for code, answer in op["responses"].items():
            if code[0] in "45":
                assert answer["content"]["application/json"]["schema"]["$ref"].endswith(
                    "/ErrorResponse"), (where, code)


def test_photos_are_documented_as_bytes_of_the_three_types_never_cached(app):
    spec = app.openapi()
    read = spec["paths"]["/v1/media/{media_id}"]["get"]["responses"]["200"]
    assert set(read["content"]) == {"image/jpeg", "image/png", "image/webp"}
    assert "no-store" in read["headers"]["Cache-Control"]["description"]
    upload = spec["paths"]["/v1/media"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert upload["encoding"]["file"]["contentType"] == "image/jpeg, image/png, image/webp"


def test_the_error_shape_is_documented_once():
    from intake.models import ErrorResponse
    schema = ErrorResponse.model_json_schema()
    assert schema["required"] == ["error"]
    assert set(schema["$defs"]["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
