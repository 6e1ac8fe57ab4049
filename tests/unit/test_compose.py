"""docker-compose.yml must agree with the services' real settings, topics and images.

No Docker engine runs in CI, so this is what keeps the production file from drifting.
"""

import importlib
import re
from pathlib import Path

import pytest
import yaml

from redgrid_shared.topics import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = ["intake", "dispatch", "stats"]


def _settings_class(service: str):
    return importlib.import_module(f"{service}.settings").Settings


def _env_names(settings_cls) -> set[str]:
    names = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else name.upper())
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_compose_sets_is_one_the_service_reads(service):
    env = COMPOSE["services"][service]["environment"]
    unknown = set(env) - _env_names(_settings_class(service))
    assert not unknown, f"{service} ignores {unknown}"
    for required in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "REDGRID_JWT_SECRET", "PORT"):
        assert required in env


@pytest.mark.parametrize("service", SERVICES)
def test_published_port_is_the_services_default_port(service):
    spec = COMPOSE["services"][service]
    port = _settings_class(service)().port
    assert spec["environment"]["PORT"] == str(port)
    assert f"{port}:{port}" in spec["ports"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_waits_for_healthy_infrastructure_and_checks_readiness(service):
    spec = COMPOSE["services"][service]
    assert spec["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert spec["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert spec["depends_on"]["create-topics"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(spec["healthcheck"]["test"])
    assert spec["build"]["args"]["SERVICE"] == service
    assert (ROOT / spec["build"]["dockerfile"]).exists()


@pytest.mark.parametrize("service", SERVICES)
def test_service_urls_point_at_the_compose_infrastructure(service):
    env = COMPOSE["services"][service]["environment"]
    host, port = env["KAFKA_BOOTSTRAP_SERVERS"].split(":")
    assert host in COMPOSE["services"] and f"PLAINTEXT://{host}:{port}" in (
        COMPOSE["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"])
    db = re.match(r"postgresql://(\w+):(\w+)@(\w+):5432/(\w+)", env["DATABASE_URL"])
    pg_env = COMPOSE["services"]["postgres"]["environment"]
    assert db and db.group(3) == "postgres"
    assert (db.group(1), db.group(2), db.group(4)) == (
        pg_env["POSTGRES_USER"], pg_env["POSTGRES_PASSWORD"], pg_env["POSTGRES_DB"])


def test_topic_script_creates_exactly_the_contract_topics_with_infinite_retention():
    script = (ROOT / "deploy" / "create-topics.sh").read_text()
    listed = re.search(r"for topic in ([^;]+);", script).group(1).split()
    assert tuple(listed) == ALL_TOPICS
    assert "retention.ms=-1" in script
    assert COMPOSE["services"]["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_kafka_runs_in_kraft_mode_without_zookeeper():
    kafka = COMPOSE["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka")
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert "zookeeper" not in COMPOSE["services"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_image_runs_the_services_module(service):
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    assert 'python -m \\"$SERVICE\\"' in dockerfile
    assert (ROOT / "services" / service / service / "__main__.py").exists()
