"""Settings every service shares, read from the environment by pydantic-settings."""

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


DEV_JWT_SECRET = "redgrid-dev-secret-not-for-production"


class ServiceSettings(BaseSettings):
    """Connection, auth and relay settings; each service subclasses it to set its defaults."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    service_name: str = "redgrid"
    port: int = Field(8000, validation_alias="PORT")
    database_url: str = Field(
        "postgresql://postgres@127.0.0.1:5432/redgrid", validation_alias="DATABASE_URL"
    )
    # Lower-case and short: it names the outbox NOTIFY channel (63-byte limit) too.
    database_schema: str | None = Field(None, validation_alias="DATABASE_SCHEMA",
                                        pattern=r"^[a-z_][a-z0-9_]{0,47}$")
    db_pool_min: int = Field(2, validation_alias="DB_POOL_MIN")
    db_pool_max: int = Field(10, validation_alias="DB_POOL_MAX")
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS"
    )
    # The local Tansu broker answers a waiting fetch only at W/2, 3W/4, ... of its wait W
    # (docs/benchmarks.md): short waits while records flow, longer once quiet, so the idle
    # stack does not poll 100 times a second. Apache Kafka answers as soon as data arrives:
    # compose sets 500 for both.
    kafka_fetch_max_wait_ms: int = Field(10, validation_alias="KAFKA_FETCH_MAX_WAIT_MS")
    kafka_idle_fetch_max_wait_ms: int = Field(500, validation_alias="KAFKA_IDLE_FETCH_MAX_WAIT_MS")
    # A member that died without leaving holds its partitions until its session times out;
    # a restarted replica consumes again only after that (measured with Tansu: 18 s with the
    # client's 10 s default, 11 s with 6 s). 6 s is Apache Kafka's smallest allowed session
    # (group.min.session.timeout.ms); compose keeps the client defaults.
    kafka_session_timeout_ms: int = Field(6000, validation_alias="KAFKA_SESSION_TIMEOUT_MS")
    kafka_heartbeat_interval_ms: int = Field(1000,
                                             validation_alias="KAFKA_HEARTBEAT_INTERVAL_MS")
    consumer_group: str | None = Field(None, validation_alias="KAFKA_CONSUMER_GROUP")
    jwt_secret: str = Field(DEV_JWT_SECRET, validation_alias="REDGRID_JWT_SECRET")
    jwt_algorithm: str = Field("HS256", validation_alias="REDGRID_JWT_ALGORITHM")
    jwks_url: str | None = Field(None, validation_alias="REDGRID_JWKS_URL")
    # Admins of this community operate the platform: they see every dead letter.
    ops_community: str = Field("ops", validation_alias="REDGRID_OPS_COMMUNITY")
    relay_poll_seconds: float = Field(1.0, validation_alias="RELAY_POLL_SECONDS")
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")
    # Writes per caller (see ratelimit.py), in the `limits` notation; empty disables.
    rate_limit_writes: str = Field("60/minute;600/hour", validation_alias="RATE_LIMIT_WRITES")
    rate_limit_storage_uri: str = Field("memory://", validation_alias="RATE_LIMIT_STORAGE_URI")
    # Development and tests only: time is wall time plus the seconds written in this file
    # (redgrid_shared.clock.OffsetFileClock); unset (production) means wall time.
    clock_offset_file: Path | None = Field(None, validation_alias="REDGRID_CLOCK_OFFSET_FILE")

    @field_validator("clock_offset_file", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("rate_limit_writes")
    @classmethod
    def _limits_parse(cls, value: str) -> str:
        from limits import parse_many
        if value.strip():
            parse_many(value)  # a malformed limit fails at start, not at the first write
        return value
    # One log line per request costs ~3% of a busy service; /metrics counts requests anyway.
    access_log: bool = Field(False, validation_alias="ACCESS_LOG")

    @property
    def schema(self) -> str:
        """The PostgreSQL schema this service owns (defaults to the service name)."""
        return self.database_schema or self.service_name

    @property
    def group_id(self) -> str:
        """Kafka consumer group of this service (defaults to the service name)."""
        return self.consumer_group or self.service_name

    @property
    def uses_development_secret(self) -> bool:
        """True when tokens are checked against the published development secret."""
        return self.jwks_url is None and self.jwt_secret == DEV_JWT_SECRET
