"""A trading API process of its own (uvicorn), for benchmarks and crash tests.

Its settings travel as `XI_*` environment variables, so the child sees exactly the database,
symbols, engine topics, request weight and port it was given.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from xi.settings import PROJECT_ROOT, Settings
from xi.stack.trading_api import uvicorn_command

# Importing the application takes seconds of CPU; on a loaded machine, much longer.
START_TIMEOUT_S = 240.0


def _environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        XI_POSTGRES_DB=settings.postgres_db,
        XI_MARKETS_FILE=str(settings.markets_file),
        XI_TRADING_API_PORT=str(settings.trading_api_port),
        XI_ENGINE_TOPIC_PREFIX=settings.engine_topic_prefix,
        XI_API_REQUEST_WEIGHT_PER_MINUTE=str(settings.api_request_weight_per_minute),
        PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
    )
    if settings.trading_api_group_id:
        env["XI_TRADING_API_GROUP_ID"] = settings.trading_api_group_id
    return env


@contextmanager
def api_server(settings: Settings, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Start the API on `settings.trading_api_port`, wait until it answers, stop it at the end."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = uvicorn_command(settings.trading_api_port)
    with log_path.open("ab") as log:
        process = subprocess.Popen(command, env=_environment(settings), stdout=log, stderr=log)
    try:
        _wait_ready(settings, process, log_path)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(settings: Settings, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the trading API exited with {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{settings.trading_api_url}/api/v3/ping", timeout=1).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the trading API did not answer within {START_TIMEOUT_S} s; see {log_path}")
