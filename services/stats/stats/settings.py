"""Settings of the stats service: the shared ones with stats' name and port."""

from importlib import resources

from redgrid_shared import topics
from redgrid_shared.settings import ServiceSettings

MIGRATIONS = resources.files("stats") / "migrations"
TOPICS = (topics.INTAKE_EVENTS, topics.DISPATCH_EVENTS)


class Settings(ServiceSettings):
    """Environment-driven settings; schema and consumer group default to `stats`."""

    service_name: str = "stats"
    port: int = 8003
