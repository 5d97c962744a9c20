"""Which models to serve: a TF Serving ``models.config`` text proto, or every folder of a base path.

The config file is the one production hands to ``tensorflow_model_server --model_config_file``,
parsed with TF Serving's own proto, so both servers read the same file the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2


@dataclass(frozen=True)
class VersionPolicy:
    """TF Serving's ServableVersionPolicy: ``latest`` N (default 1), ``all`` or ``specific``."""

    kind: str = "latest"
    num_versions: int = 1
    versions: frozenset[int] = frozenset()

    def choose(self, present: list[int]) -> list[int]:
        """The versions to serve among those present on disk, newest first."""
        newest_first = sorted(present, reverse=True)
        if self.kind == "all":
            return newest_first
        if self.kind == "specific":
            return [v for v in newest_first if v in self.versions]
        return newest_first[: self.num_versions]


@dataclass(frozen=True)
class ModelConfig:
    name: str
    base_path: Path
    policy: VersionPolicy = VersionPolicy()
    labels: dict[str, int] = field(default_factory=dict)


def from_base_path(base_path: Path) -> list[ModelConfig]:
    """Every folder of ``base_path`` is a model, served with the latest policy."""
    if not base_path.is_dir():
        return []
    return [
        ModelConfig(name=child.name, base_path=child)
        for child in sorted(base_path.iterdir())
        if child.is_dir() and not child.name.startswith(".")
    ]


def from_config_file(path: Path) -> list[ModelConfig]:
    """Parse a ``ModelServerConfig`` text proto; relative base paths are relative to the file."""
    config = text_format.Parse(path.read_text(), model_server_config_pb2.ModelServerConfig())
    if config.WhichOneof("config") != "model_config_list":
        raise ValueError(f"{path}: only model_config_list is supported")
    models = []
    for entry in config.model_config_list.config:
        if not entry.name or not entry.base_path:
            raise ValueError(f"{path}: every model needs a name and a base_path")
        if entry.model_platform not in ("", "tensorflow"):
            raise ValueError(f"{path}: model {entry.name}: only the tensorflow platform is served")
        base = Path(entry.base_path)
        models.append(
            ModelConfig(
                name=entry.name,
                base_path=base if base.is_absolute() else path.parent / base,
                policy=_policy(entry.model_version_policy),
                labels=dict(entry.version_labels),
            )
        )
    return models


def _policy(proto: object) -> VersionPolicy:
    choice = proto.WhichOneof("policy_choice")  # type: ignore[attr-defined]
    if choice == "all":
        return VersionPolicy(kind="all")
    if choice == "specific":
        return VersionPolicy(kind="specific", versions=frozenset(proto.specific.versions))  # type: ignore[attr-defined]
    if choice == "latest":
        return VersionPolicy(num_versions=max(1, proto.latest.num_versions))  # type: ignore[attr-defined]
    return VersionPolicy()
