"""One typed settings object for every Python part of the platform.

Values come from the environment (prefix ``XI_``) or a ``.env`` file; the defaults describe the
local stack that ``xi stack up`` runs on loopback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="XI_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    environment: str = "local"
    state_dir: Path = PROJECT_ROOT / ".state"
    cache_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "xi")
    # Servers that refuse to run as root (PostgreSQL, Elasticsearch) run as this system user.
    service_user: str = "xi-services"

    kafka_port: int = 19092
    kafka_controller_port: int = 19093
    kafka_heap_mb: int = 512

    postgres_port: int = 15432
    postgres_user: str = "xi"
    postgres_password: SecretStr = SecretStr("xi-local")
    postgres_db: str = "xi"

    redis_port: int = 16379
    redis_max_memory_mb: int = 256

    influxdb_port: int = 18086
    influxdb_org: str = "xi"
    influxdb_bucket: str = "market"
    influxdb_user: str = "xi-admin"
    influxdb_password: SecretStr = SecretStr("xi-local-password")
    influxdb_token: SecretStr = SecretStr("xi-local-token")

    elasticsearch_port: int = 19200
    elasticsearch_transport_port: int = 19300
    elasticsearch_heap_mb: int = 512

    engine_metrics_port: int = 18601
    engine_group_id: str = "engine"
    engine_transactional_id: str = "engine-0"
    engine_topic_prefix: str = ""
    engine_snapshot_interval: int = 100_000
    engine_partitions: int = 4

    model_server_grpc_port: int = 18500
    model_server_rest_port: int = 18501
    lesson_media_dir: Path = PROJECT_ROOT / "trading_api" / "learning" / "media"

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def engine_dir(self) -> Path:
        return self.state_dir / "engine"

    @property
    def cargo_target_dir(self) -> Path:
        return self.cache_dir / "cargo-target"

    @property
    def postgres_dsn(self) -> str:
        password = self.postgres_password.get_secret_value()
        return (
            f"postgresql://{self.postgres_user}:{password}@127.0.0.1:"
            f"{self.postgres_port}/{self.postgres_db}"
        )

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def influxdb_url(self) -> str:
        return f"http://127.0.0.1:{self.influxdb_port}"

    @property
    def elasticsearch_url(self) -> str:
        return f"http://127.0.0.1:{self.elasticsearch_port}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
