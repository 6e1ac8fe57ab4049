"""Settings of the stats service: the shared ones with stats' name and port."""

from redgrid_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment-driven settings; schema and consumer group default to `stats`."""

    service_name: str = "stats"
    port: int = 8003
