"""schemathesis against intake's own OpenAPI document: generated requests to every /v1 route
(issues, resident actions, categories, photos, Open311 keys) and every /open311/v2 route,
served by the real app (uvicorn in a thread, its own PostgreSQL database, the session broker).
Zero server errors, and every answer has a documented status, content type and shape."""

import hashlib
import socket
import threading
import time
import uuid

import httpx
import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, reject, settings
from schemathesis import checks

from intake.main import create_app
from intake.settings import Settings
from tests.unit.intake.builders import SECRET, auth, report

# schemathesis's own strategies trip a Hypothesis deprecation notice; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
RESIDENT = auth(sub="u-schema")
ADMIN = auth(sub="a-schema", role="admin")
CALLERS = [RESIDENT, RESIDENT, RESIDENT, auth(sub="a-1", role="admin", community="other"), {}]
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def intake_url(fresh_database_url, kafka_bootstrap, tmp_path_factory):
    """The intake app served over HTTP from a thread with its own event loop."""
    settings_ = Settings(database_url=fresh_database_url, kafka_bootstrap_servers=kafka_bootstrap,
                         consumer_group=f"intake-schema-{uuid.uuid4().hex[:8]}",
                         jwt_secret=SECRET, rate_limit_writes="1000000/minute",
                         db_pool_min=1, db_pool_max=4, media_dir=tmp_path_factory.mktemp("media"))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings_), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "intake did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def known_issue(intake_url) -> str:
    """An issue of the token's resident, so generated requests also reach a real one."""
    response = httpx.post(f"{intake_url}/v1/issues", json=report(), headers=RESIDENT)
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.fixture(scope="module")
def known_key(intake_url) -> str:
    """An Open311 key of the resident's community (which it makes a served jurisdiction)."""
    response = httpx.post(f"{intake_url}/v1/open311/keys", json={"name": "schema app"},
                          headers=ADMIN)
    assert response.status_code == 201, response.text
    return response.json()["api_key"]


# The document is the app's own; building it needs no database.
schema = schemathesis.openapi.from_dict(create_app(Settings(jwt_secret=SECRET)).openapi()).include(
    path_regex="^/(v1|open311/v2)/")


@schema.parametrize()
# Derandomized: the same generated requests on every run, so the suite is repeatable (a
# request line the HTTP server itself refuses, e.g. an oversized URL, never reaches the app).
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_intake_answers_as_its_openapi_document_says(case, intake_url, known_issue, known_key):
    params = case.path_parameters or {}
    digest = hashlib.sha1(repr((case.body, case.query, params)).encode()).digest()
    # Half the generated issue ids become the resident's real issue (stable per case), and
    # half the Open311 posts carry a real key, so success paths are reached too.
    for name in ("issue_id", "service_request_id"):
        if name in params and digest[0] % 2:
            params[name] = known_issue
    if case.path.startswith("/open311/") and isinstance(case.body, dict) and digest[0] % 2:
        case.body["api_key"] = known_key
    # Mostly the owner; sometimes another community's admin, sometimes no token at all.
    headers = CALLERS[digest[1] % len(CALLERS)]
    response = case.call(base_url=intake_url, headers=headers)
    if response.status_code == 400 and response.text == "Invalid HTTP request received.":
        # uvicorn's HTTP parser refused the request line itself (e.g. a URL of ~100 KB): it
        # never reached the app, so there is nothing of ours to check. Hypothesis tries
        # another case instead.
        reject()
    case.validate_response(response, checks=CHECKS)
