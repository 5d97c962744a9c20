"""Building the engine's Rust binaries, in a target folder shared by every clone.

The target folder lives in the cache, so a fresh clone of an unchanged engine reuses the
previous build and a warm `xi setup` does not compile again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from xi.settings import PROJECT_ROOT, Settings
from xi.stack.service import StackError

ENGINE_DIR = PROJECT_ROOT / "engine"


def cargo_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "CARGO_TARGET_DIR": str(settings.cargo_target_dir)}


def build_release(settings: Settings, package: str) -> Path:
    """Build one package's binaries in release mode; return the folder that holds them."""
    if shutil.which("cargo") is None:
        raise StackError("building the engine needs Rust (cargo) on the PATH")
    result = subprocess.run(
        ["cargo", "build", "--release", "--quiet", "--locked", "-p", package],
        cwd=ENGINE_DIR,
        env=cargo_env(settings),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise StackError(f"cargo build -p {package} failed:\n{result.stderr[-3000:]}")
    return settings.cargo_target_dir / "release"
