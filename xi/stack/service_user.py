"""The unprivileged system user for servers that refuse to run as root."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
from pathlib import Path

from xi.settings import Settings


def ensure_service_user(settings: Settings, owned_dirs: list[Path]) -> pwd.struct_passwd:
    """Create the service user if missing, give it ``owned_dirs`` and a way to reach them."""
    name = settings.service_user
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
        )
        account = pwd.getpwnam(name)
    for directory in owned_dirs:
        directory.mkdir(parents=True, exist_ok=True)
        _grant_traversal(directory.parent)
        for path in [directory, *directory.rglob("*")]:
            if path.lstat().st_uid != account.pw_uid:
                os.lchown(path, account.pw_uid, account.pw_gid)
    return account


def _grant_traversal(directory: Path) -> None:
    """Let other users pass through (not list) every folder above the state folder."""
    for folder in [directory, *directory.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)
