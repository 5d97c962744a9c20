"""One typed settings object for every Python part of the platform.

Values come from the environment (prefix ``XI_``) or a ``.env`` file; the defaults describe the
local stack that ``xi stack up`` runs on loopback.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_SECRET_KEY = "local-development-only"


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

    # Encrypts API signing secrets at rest. The local default is refused outside "local".
    secret_key: SecretStr = SecretStr(LOCAL_SECRET_KEY)

    trading_api_port: int = 18080
    # Dagster's webserver (the daemon that runs schedules and sensors has no port).
    dagster_webserver_port: int = 13000
    # Binance's REQUEST_WEIGHT limit per client IP and minute; over it a request gets 429.
    api_request_weight_per_minute: int = 6000
    # Redis key prefix of the weight counters: deployments that share a Redis count apart.
    api_weight_key_prefix: str = "weight"
    api_max_body_bytes: int = 64 * 1024  # larger request bodies get 413
    listen_key_ttl_s: int = 3600  # a user data stream's key lives this long unless kept alive
    # The symbols the API trades (and lists in the engine at start); tests use their own.
    markets_file: Path = PROJECT_ROOT / "xi" / "markets.yaml"
    # The API's consumer group on executions.v1. Unset: one group per database, since every
    # deployment (one ledger) must see every report of its own orders.
    trading_api_group_id: str | None = None
    # How long a new order's request waits for the engine's report before it answers with
    # what it knows (Binance answers RESULT/FULL with the matching outcome).
    order_report_timeout_s: float = 2.0
    # The mastery a course path asks of every skill, on the served model's scale. Chosen by
    # `xi learning compare-paths` on calibration learners (never the measured ones) for the
    # production model; choose it again when a new version is promoted.
    learning_mastery_threshold: float = Field(default=0.4, gt=0, lt=1)
    lesson_media_dir: Path = PROJECT_ROOT / "trading_api" / "learning" / "media"

    # The model server speaks TF Serving's protocols; its ports follow TF Serving's 8500/8501.
    model_server_grpc_port: int = 18500
    model_server_rest_port: int = 18501
    model_server_threads: int = 1  # TensorFlow intra- and inter-op threads of the server
    # Models. Unset, these follow state_dir (filled in below): SavedModel versions for the model
    # server (TF Serving layout) and a SQLite MLflow store; a tracking server URL by config.
    model_base_path: Path = Field(default=None, validate_default=False)
    mlflow_tracking_uri: str = Field(default=None, validate_default=False)
    tf_threads: int = 2  # TensorFlow threads for training
    # Spark runs in local mode inside the pipelines' process, bounded for a small shared machine.
    spark_master: str = "local[2]"
    spark_driver_memory: str = "1g"
    spark_shuffle_partitions: int = 2
    # The pipelines read the engine's topics under this prefix (a test uses its own).
    pipelines_topic_prefix: str = ""
    # Micro-batch interval of the streaming jobs and how late a trade may come and still count.
    pipelines_trigger_s: float = 1.0
    pipelines_watermark_s: int = 10
    # Length of the tumbling windows of the per-account surveillance features.
    pipelines_feature_window_s: int = 60
    # Kafka records per micro-batch at most, so that a backlog is worked off in bounded steps.
    pipelines_max_offsets_per_trigger: int = 200_000
    # Streaming checkpoints and the Parquet lake. Unset, they follow state_dir (filled in below).
    pipelines_checkpoint_dir: Path = Field(default=None, validate_default=False)
    lake_dir: Path = Field(default=None, validate_default=False)
    # Feast: a SQLite online store in feast_dir by default, the stack's Redis by configuration.
    feast_online_store: Literal["sqlite", "redis"] = "sqlite"
    feast_dir: Path = Field(default=None, validate_default=False)
    # Where the engine's Rust binaries are built. Unset: a folder in the cache shared by every
    # clone, so that an unchanged engine is not compiled again; a work tree may set its own.
    cargo_target_dir: Path = Field(default=None, validate_default=False)

    @model_validator(mode="after")
    def _check_and_complete(self) -> Settings:
        if self.environment != "local" and self.secret_key.get_secret_value() == LOCAL_SECRET_KEY:
            raise ValueError("XI_SECRET_KEY must be set outside the local environment")
        if self.model_base_path is None:
            self.model_base_path = self.state_dir / "models"
        if self.pipelines_checkpoint_dir is None:
            self.pipelines_checkpoint_dir = self.state_dir / "pipelines" / "checkpoints"
        if self.feast_dir is None:
            self.feast_dir = self.state_dir / "feast"
        if self.lake_dir is None:
            self.lake_dir = self.state_dir / "lake"
        if self.cargo_target_dir is None:
            self.cargo_target_dir = self.cache_dir / "cargo-target"
        if self.mlflow_tracking_uri is None:
            self.mlflow_tracking_uri = f"sqlite:///{self.state_dir / 'mlflow' / 'mlflow.db'}"
        return self

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    @property
    def engine_dir(self) -> Path:
        return self.state_dir / "engine"

    @property
    def postgres_dsn(self) -> str:
        password = self.postgres_password.get_secret_value()
        return (
            f"postgresql://{self.postgres_user}:{password}@127.0.0.1:"
            f"{self.postgres_port}/{self.postgres_db}"
        )

    @property
    def postgres_admin_dsn(self) -> str:
        """The always-present ``postgres`` database, for creating and dropping databases."""
        return self.postgres_dsn.rsplit("/", 1)[0] + "/postgres"

    @property
    def redis_address(self) -> str:
        return f"127.0.0.1:{self.redis_port}"

    @property
    def executions_group_id(self) -> str:
        return self.trading_api_group_id or f"trading-api.{self.postgres_db}"

    @property
    def redis_url(self) -> str:
        return f"redis://{self.redis_address}/0"

    @property
    def influxdb_url(self) -> str:
        return f"http://127.0.0.1:{self.influxdb_port}"

    @property
    def model_server_rest_url(self) -> str:
        return f"http://127.0.0.1:{self.model_server_rest_port}"

    @property
    def trading_api_url(self) -> str:
        return f"http://127.0.0.1:{self.trading_api_port}"

    @property
    def elasticsearch_url(self) -> str:
        return f"http://127.0.0.1:{self.elasticsearch_port}"

    @property
    def mlflow_artifacts_dir(self) -> Path:
        """Where a local (SQLite) tracking store keeps run artifacts."""
        return self.state_dir / "mlflow" / "artifacts"


@lru_cache
def get_settings() -> Settings:
    return Settings()
