"""The Feast feature store of the platform, configured from the settings rather than YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from feast import FeatureStore, RepoConfig

from features.definitions import definitions
from xi.settings import Settings

REPO_PATH = Path(__file__).resolve().parent


def _online_store(settings: Settings) -> dict[str, Any]:
    if settings.feast_online_store == "redis":
        return {"type": "redis", "connection_string": settings.redis_address}
    return {"type": "sqlite", "path": str(settings.feast_dir / "online.db")}


def feature_store(settings: Settings) -> FeatureStore:
    settings.feast_dir.mkdir(parents=True, exist_ok=True)
    config = RepoConfig(
        project="xi",
        provider="local",
        registry=str(settings.feast_dir / "registry.db"),
        online_store=_online_store(settings),
        offline_store={"type": "file"},
        entity_key_serialization_version=3,
    )
    return FeatureStore(config=config, repo_path=str(REPO_PATH))


def apply(settings: Settings) -> FeatureStore:
    """Register the definitions (idempotent) and return the store."""
    store = feature_store(settings)
    store.apply(definitions(settings))
    return store
