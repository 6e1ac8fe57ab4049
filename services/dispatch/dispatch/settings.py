"""Dispatch settings: the shared connection settings with dispatch's defaults."""

from pydantic import Field

from redgrid_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment of the dispatch service (schema and consumer group default to `dispatch`)."""

    service_name: str = "dispatch"
    port: int = Field(8002, validation_alias="PORT")
