"""Intake settings: the shared ones with intake's name and port as defaults."""

from pydantic import Field

from redgrid_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment of the intake process (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PORT...)."""

    service_name: str = "intake"
    port: int = Field(8001, validation_alias="PORT")
