"""`xi stack` as a person runs it: status as JSON, logs, and a clear refusal of bad names."""

from __future__ import annotations

import json
import subprocess
import sys

from xi.settings import Settings


def _xi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xi.cli.main", *args], capture_output=True, text=True, timeout=120
    )


def test_status_json_lists_every_service_healthy(running_stack: Settings) -> None:
    result = _xi("stack", "status", "--json")
    assert result.returncode == 0, result.stderr
    services = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert {"kafka", "postgres", "redis", "influxdb", "elasticsearch"} <= set(services)
    for entry in services.values():
        assert entry["healthy"] is True, entry
        assert entry["pid"] > 0 and entry["port"] > 0 and entry["rss_mb"] > 0


def test_logs_show_the_end_of_a_service_log(running_stack: Settings) -> None:
    result = _xi("stack", "logs", "kafka", "-n", "5")
    assert result.returncode == 0
    assert 0 < len(result.stdout.splitlines()) <= 5


def test_unknown_service_is_refused_with_the_known_names(running_stack: Settings) -> None:
    result = _xi("stack", "up", "kafak")
    assert result.returncode == 1
    assert "unknown service(s) kafak" in result.stderr
