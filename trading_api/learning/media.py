"""Lesson media as files: a local folder now; an S3-compatible store later, by configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class MediaStore(Protocol):
    def path_of(self, name: str) -> Path | None:
        """The file behind a media name, or None if there is none."""
        ...


class LocalMediaStore:
    def __init__(self, root: Path) -> None:
        self._root = root.resolve()

    def path_of(self, name: str) -> Path | None:
        path = (self._root / name).resolve()
        # Names come from the curriculum, but never let one climb out of the folder.
        if not path.is_relative_to(self._root) or not path.is_file():
            return None
        return path
