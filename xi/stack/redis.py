"""Redis from Debian's package, run as the project's own instance."""

from __future__ import annotations

from pathlib import Path

from redis.exceptions import RedisError

from xi import clients
from xi.stack.artifacts import apt_install
from xi.stack.service import Service

REDIS_SERVER = Path("/usr/bin/redis-server")


class Redis(Service):
    name = "redis"
    version = "7.0 (Debian bookworm)"

    @property
    def port(self) -> int:
        return self.settings.redis_port

    def install(self) -> None:
        apt_install(REDIS_SERVER, "redis-server")

    def command(self) -> list[str]:
        return [
            str(REDIS_SERVER),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--daemonize",
            "no",
            # The append-only file is written before each reply, so a killed server loses nothing
            # that a client saw acknowledged.
            "--appendonly",
            "yes",
            "--maxmemory",
            f"{self.settings.redis_max_memory_mb}mb",
            "--maxmemory-policy",
            "noeviction",
            "--save",
            "",
        ]

    def healthy(self) -> bool:
        try:
            return bool(clients.redis(self.settings).ping())
        except RedisError:
            return False
