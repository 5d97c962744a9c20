"""The stack supervises its servers: idempotent start, restart of the dead, clear port errors."""

from __future__ import annotations

import os
import signal
import socket
import uuid
from pathlib import Path

import psutil
import pytest

from xi import clients
from xi.settings import Settings
from xi.stack import stack
from xi.stack.redis import Redis
from xi.stack.service import StackError


def _quiet(_step: str) -> None:
    pass


def test_up_twice_keeps_the_same_processes(running_stack: Settings) -> None:
    before = {s.name: s.pid for s in stack.status(running_stack)}
    stack.up(running_stack, _quiet)
    after = {s.name: s.pid for s in stack.status(running_stack)}
    assert before == after
    assert all(pid is not None for pid in after.values())


def test_status_reports_health_pid_port_and_memory(running_stack: Settings) -> None:
    for status in stack.status(running_stack):
        assert status.healthy, status.name
        assert psutil.pid_exists(status.pid)
        assert status.rss_mb is not None and status.rss_mb > 1
        assert set(status.as_dict()) >= {"name", "healthy", "pid", "port", "rss_mb"}


def test_killed_service_is_reported_down_and_restarted_with_its_data(
    running_stack: Settings,
) -> None:
    key, value = f"survivor:{uuid.uuid4()}", "still here"
    clients.redis(running_stack).set(key, value)
    redis = stack.by_name(running_stack, "redis")
    old_pid = redis.pid()
    assert old_pid is not None

    process = psutil.Process(old_pid)
    os.kill(old_pid, signal.SIGKILL)
    process.wait(timeout=10)
    status = {s.name: s for s in stack.status(running_stack)}["redis"]
    assert not status.healthy and status.pid is None

    stack.up(running_stack, _quiet)
    assert redis.pid() not in (None, old_pid)
    assert clients.redis(running_stack).get(key) == value.encode()


def test_taken_port_names_the_port_and_the_service(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        settings = Settings(state_dir=tmp_path, redis_port=port)
        with pytest.raises(StackError, match=rf"port {port} needed by redis .* set XI_REDIS_PORT"):
            Redis(settings).start()
    assert not (tmp_path / "run" / "redis.pid").exists()


def test_unknown_service_name_is_refused(running_stack: Settings) -> None:
    with pytest.raises(StackError, match="unknown service"):
        stack.up(running_stack, _quiet, ["kafak"])
