"""Versions of every served model: discovered on disk, loaded, served, unloaded, without restarts.

A watcher polls each model's folder. A numbered version folder becomes loadable once it holds
``saved_model.pb`` and its files have stopped changing between two polls (a copy in progress
is left alone); a load that still fails is retried on later polls. A new version is loaded and
warmed up before the version it replaces is unloaded, so requests never find no version.
"""

from __future__ import annotations

import enum
import gc
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.serving.config import ModelConfig
from models.serving.errors import invalid_argument, not_found
from models.serving.servable import Servable

log = logging.getLogger(__name__)

MAX_LOAD_ATTEMPTS = 5


class VersionState(enum.IntEnum):
    """TF Serving's ModelVersionStatus.State, with the same numbers."""

    UNKNOWN = 0
    START = 10
    LOADING = 20
    AVAILABLE = 30
    UNLOADING = 40
    END = 50


@dataclass
class VersionStatus:
    version: int
    state: VersionState
    error: str = ""  # empty when the version is fine
    servable: Servable | None = None
    attempts: int = 0
    aspired: bool = False  # chosen by the version policy at least once
    fingerprint: tuple[tuple[str, int, int], ...] = ()


class ModelManager:
    """Thread-safe registry of model versions plus the watcher that keeps it in step with disk."""

    def __init__(
        self,
        configs: Callable[[], list[ModelConfig]],
        poll_seconds: float = 1.0,
    ) -> None:
        # A callable, so that models added to the base path later are found (default config).
        self._configs = configs
        self._poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._models: dict[str, dict[int, VersionStatus]] = {}
        self._labels: dict[str, dict[str, int]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the watcher --------------------------------------------------------------------------

    def start(self) -> None:
        """Load what is on disk now, then keep watching in a background thread."""
        # Two passes: the first records the folders, the second loads the settled ones.
        self.poll()
        self.poll()
        self._thread = threading.Thread(target=self._watch, name="model-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _watch(self) -> None:
        while not self._stop.wait(self._poll_seconds):
            try:
                self.poll()
            except Exception:  # the watcher must outlive any one bad folder
                log.exception("model watcher poll failed")

    def poll(self) -> None:
        """One pass: discover versions, load the aspired ones, unload the replaced ones."""
        configs = self._configs()
        with self._lock:
            self._labels = {config.name: dict(config.labels) for config in configs}
        for config in configs:
            self._sync_model(config)
        for name in set(self._models) - {config.name for config in configs}:
            self._unload(name, [v for v, s in self._models[name].items() if s.servable])

    def _sync_model(self, config: ModelConfig) -> None:
        with self._lock:
            versions = self._models.setdefault(config.name, {})
        complete = []
        for version, path in _version_folders(config.base_path).items():
            status = versions.get(version)
            fingerprint = _fingerprint(path)
            if status is None:
                # First sight: remember the files and wait one poll for them to settle.
                with self._lock:
                    versions[version] = VersionStatus(version, VersionState.START)
                    versions[version].fingerprint = fingerprint
                continue
            settled = fingerprint == status.fingerprint and (path / "saved_model.pb").exists()
            if fingerprint != status.fingerprint:
                status.attempts = 0  # new files deserve fresh load attempts
            status.fingerprint = fingerprint
            if settled:
                complete.append(version)
        aspired = config.policy.choose(complete)
        for version in aspired:
            status = versions[version]
            status.aspired = True
            if status.servable is None and status.attempts < MAX_LOAD_ATTEMPTS:
                self._load(config, status)
        serving_aspired = any(versions[v].servable for v in aspired)
        # Replaced versions go only once a newer aspired one serves (or nothing is aspired).
        if serving_aspired or not aspired:
            stale = [v for v, s in versions.items() if s.servable and v not in aspired]
            self._unload(config.name, stale)

    def _load(self, config: ModelConfig, status: VersionStatus) -> None:
        path = config.base_path / str(status.version)
        with self._lock:
            status.state = VersionState.LOADING
            status.attempts += 1
        started = time.monotonic()
        try:
            servable = Servable(config.name, status.version, path)
            warmed = servable.warm_up()
        except Exception as error:
            log.warning(
                "loading %s version %d failed (attempt %d of %d): %s",
                config.name,
                status.version,
                status.attempts,
                MAX_LOAD_ATTEMPTS,
                error,
            )
            with self._lock:
                status.state = VersionState.END
                status.error = f"{type(error).__name__}: {error}"
            return
        with self._lock:
            status.servable = servable
            status.state = VersionState.AVAILABLE
            status.error = ""
        log.info(
            "serving %s version %d (loaded and %d warm-up runs in %.1f s)",
            config.name,
            status.version,
            warmed,
            time.monotonic() - started,
        )

    def _unload(self, name: str, versions: list[int]) -> None:
        for version in versions:
            status = self._models[name][version]
            with self._lock:
                status.state = VersionState.UNLOADING
                status.servable = None  # requests in flight keep their own reference
            gc.collect()
            with self._lock:
                status.state = VersionState.END
            log.info("unloaded %s version %d", name, version)

    # --- what requests ask -------------------------------------------------------------------

    def servable(self, name: str, version: int | None = None, label: str = "") -> Servable:
        """The version a request names (by number or label), or the newest available one."""
        with self._lock:
            versions = self._models.get(name)
            if not versions or not any(s.servable for s in versions.values()):
                raise not_found(f"Servable not found for request: Latest({name})")
            if label:
                if label not in self._labels.get(name, {}):
                    raise invalid_argument(f"Unrecognized servable version label: {label}")
                version = self._labels[name][label]
            if version is None:
                newest = max(v for v, s in versions.items() if s.servable)
                return versions[newest].servable  # type: ignore[return-value]
            status = versions.get(version)
            if status is None or status.servable is None:
                raise not_found(f"Servable not found for request: Specific({name}, {version})")
            return status.servable

    def statuses(self, name: str, version: int | None = None) -> list[VersionStatus]:
        """Every version the server knows of (newest first), or just ``version``."""
        with self._lock:
            versions = self._models.get(name)
            if not versions:
                raise not_found(f"Could not find any versions of model {name}")
            if version is not None:
                if version not in versions:
                    raise not_found(f"Could not find version {version} of model {name}")
                return [versions[version]]
            # Versions the policy never chose (older ones present at start) are not reported.
            known = [versions[v] for v in sorted(versions, reverse=True) if versions[v].aspired]
        if not known:
            raise not_found(f"Could not find any versions of model {name}")
        return known


def _version_folders(base_path: Path) -> dict[int, Path]:
    """Numbered sub-folders, as TF Serving's file system source sees them."""
    if not base_path.is_dir():
        return {}
    return {
        int(child.name): child
        for child in base_path.iterdir()
        if child.is_dir() and child.name.isdigit()
    }


def _fingerprint(path: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of every file below ``path``."""
    entries = []
    for file in sorted(path.rglob("*")):
        try:
            stat = file.stat()
        except FileNotFoundError:  # removed while we looked: the folder is still changing
            continue
        entries.append((str(file.relative_to(path)), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)
