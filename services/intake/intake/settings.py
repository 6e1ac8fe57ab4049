"""Intake settings: the shared ones with intake's name and port as defaults."""

from pathlib import Path

from pydantic import Field

from redgrid_shared.settings import ServiceSettings


class Settings(ServiceSettings):
    """Environment of the intake process (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, PORT...)."""

    service_name: str = "intake"
    port: int = Field(8001, validation_alias="PORT")
    # Photos (intake.media): where the folder store keeps them and how big one may be.
    media_dir: Path = Field(Path(".data/media"), validation_alias="MEDIA_DIR")
    media_max_bytes: int = Field(8 * 1024 * 1024, ge=1024, validation_alias="MEDIA_MAX_BYTES")
    media_max_pixels: int = Field(40_000_000, ge=1, validation_alias="MEDIA_MAX_PIXELS")
