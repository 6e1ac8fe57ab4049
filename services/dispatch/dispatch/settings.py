"""Dispatch settings: the shared connection settings with dispatch's defaults."""

from pydantic import Field

from redgrid_shared.settings import ServiceSettings

from dispatch.sla.limits import Timing


class Settings(ServiceSettings):
    """Environment of the dispatch service (schema and consumer group default to `dispatch`)."""

    service_name: str = "dispatch"
    port: int = Field(8002, validation_alias="PORT")
    # Divides every SLA span and the 7-day auto-close: 60 makes a minute a second, 20160 a
    # week half a minute. 1 (the default) in production; raised only for demos and tests.
    sla_time_scale: float = Field(1.0, gt=0, validation_alias="SLA_TIME_SCALE")
    # How often the timer worker looks for due deadlines (one indexed query when idle).
    timer_poll_seconds: float = Field(0.5, gt=0, validation_alias="TIMER_POLL_SECONDS")

    @property
    def timing(self) -> Timing:
        return Timing(scale=self.sla_time_scale)
