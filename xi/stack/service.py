"""What every local server has in common: a data folder, a log, a pid file, a port, a health check.

A service is started detached in its own session so that it outlives the command that started
it; its pid file names the process, and the process tree below it is what `status` measures.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import psutil

from xi.settings import Settings


class StackError(RuntimeError):
    """A service cannot be installed, started or reached; the message says which and why."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    healthy: bool
    pid: int | None
    port: int
    rss_mb: float | None
    version: str

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "healthy": self.healthy,
            "pid": self.pid,
            "port": self.port,
            "rss_mb": self.rss_mb,
            "version": self.version,
        }


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Service(ABC):
    """One server of the local stack."""

    name: str
    version: str
    start_timeout_s: float = 60.0
    run_as_service_user: bool = False

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # --- what each service says about itself -------------------------------------------------

    @property
    @abstractmethod
    def port(self) -> int: ...

    @abstractmethod
    def install(self) -> None:
        """Fetch or build the server's files; idempotent and quick when they are present."""

    @abstractmethod
    def command(self) -> list[str]:
        """The command line that runs the server in the foreground."""

    @abstractmethod
    def healthy(self) -> bool:
        """True when the server answers a real request."""

    def prepare(self) -> None:
        """Initialise the data folder on first start (idempotent)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def after_start(self) -> None:
        """One-off set-up that needs the running server (idempotent)."""

    def environment(self) -> dict[str, str]:
        return {}

    def extra_ports(self) -> list[int]:
        return []

    # --- shared mechanics ------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.settings.state_dir / self.name

    @property
    def log_path(self) -> Path:
        return self.settings.state_dir / "logs" / f"{self.name}.log"

    @property
    def pid_path(self) -> Path:
        return self.settings.state_dir / "run" / f"{self.name}.pid"

    def pid(self) -> int | None:
        """The pid of the running server, or None; a stale pid file is removed."""
        try:
            pid = int(self.pid_path.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                return pid
        except psutil.NoSuchProcess:
            pass
        self.pid_path.unlink(missing_ok=True)
        return None

    def start(self) -> None:
        if self.pid() is not None:
            return
        for port in [self.port, *self.extra_ports()]:
            if not port_is_free(port):
                raise StackError(
                    f"port {port} needed by {self.name} is already taken by another process; "
                    f"stop that process or set XI_{self.name.upper()}_PORT"
                )
        self.prepare()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.pid_path.parent.mkdir(parents=True, exist_ok=True)
        user_kwargs: dict[str, object] = {}
        env = {**os.environ, **self.environment()}
        if self.run_as_service_user:
            from xi.stack.service_user import ensure_service_user

            account = ensure_service_user(self.settings, [self.data_dir])
            user_kwargs = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
            env["HOME"] = str(self.data_dir)
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                env=env,
                start_new_session=True,
                **user_kwargs,  # type: ignore[arg-type]
            )
        self.pid_path.write_text(str(process.pid))

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.pid() is None:
                raise StackError(f"{self.name} exited during start; see {self.log_path}")
            if self.healthy():
                self.after_start()
                return
            time.sleep(0.5)
        raise StackError(
            f"{self.name} did not become healthy in {self.start_timeout_s:.0f}s; "
            f"see {self.log_path}"
        )

    def stop(self, timeout_s: float = 30.0) -> None:
        pid = self.pid()
        if pid is None:
            return
        tree = self._tree(pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        _, alive = psutil.wait_procs(tree, timeout=timeout_s)
        for process in alive:
            process.kill()
        psutil.wait_procs(alive, timeout=5)
        self.pid_path.unlink(missing_ok=True)

    def status(self) -> ServiceStatus:
        pid = self.pid()
        rss_mb = None
        if pid is not None:
            rss = sum(p.memory_info().rss for p in self._tree(pid) if p.is_running())
            rss_mb = round(rss / 2**20, 1)
        return ServiceStatus(
            name=self.name,
            healthy=pid is not None and self.healthy(),
            pid=pid,
            port=self.port,
            rss_mb=rss_mb,
            version=self.version,
        )

    @staticmethod
    def _tree(pid: int) -> list[psutil.Process]:
        try:
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
