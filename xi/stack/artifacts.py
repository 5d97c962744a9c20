"""Fetching what the servers are made of: Debian packages and Maven Central artifacts, cached."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from xi.stack.service import StackError


def apt_install(binary: Path, package: str) -> None:
    """Install a Debian package unless the file it provides is already present."""
    if binary.exists():
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", package], check=True, env=env, stdout=subprocess.DEVNULL
    )
    if not binary.exists():
        raise StackError(f"package {package} installed but {binary} is still missing")


def _mvn(*args: str) -> None:
    if shutil.which("mvn") is None:
        raise StackError("Maven (mvn) is needed to fetch server artifacts; apt-get install maven")
    result = subprocess.run(["mvn", "-q", "-B", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise StackError(f"mvn {' '.join(args)} failed:\n{result.stdout[-2000:]}")


def maven_dependencies(pom: Path, cache_dir: Path) -> Path:
    """Copy a POM's runtime dependencies into a folder keyed by the POM's content."""
    key = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    target = cache_dir / f"{pom.parent.name}-{key}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    _mvn(
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={target}",
    )
    (target / ".complete").touch()
    return target


def maven_artifact(coordinates: str, cache_dir: Path) -> Path:
    """Fetch one artifact (``group:artifact:version:type``) into the cache; return its path."""
    _group, artifact, version, packaging = coordinates.split(":")
    target = cache_dir / f"{artifact}-{version}.{packaging}"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    _mvn(
        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy",
        f"-Dartifact={coordinates}",
        f"-DoutputDirectory={cache_dir}",
    )
    if not target.exists():
        raise StackError(f"{coordinates} was fetched but {target} is missing")
    return target
