"""Where photo bytes live: a small interface, and the folder store that implements it.

An S3-compatible store implements the same four methods (put_object / get_object /
delete_object / list_objects_v2 with LastModified) and is passed to `create_app` instead.
"""

import asyncio
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Protocol

# Keys are media ids: nothing a path could be built from (no `/`, `..`, or NUL).
KEY = re.compile(r"^med-[0-9a-f]{32}$")


class MediaStorage(Protocol):
    """Whole-object storage keyed by media id. `put` is atomic: readers see all or nothing."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...

    async def keys_older_than(self, cutoff: datetime) -> list[str]: ...


class FolderStorage:
    """One file per key in a folder (MEDIA_DIR); writes go to a temp file, then a rename."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self._path(key), data)

    def _put(self, path: Path, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Same folder, so the rename is atomic; a crash leaves only a `.tmp-*` file behind.
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes | None:
        return await asyncio.to_thread(self._get, self._path(key))

    @staticmethod
    def _get(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._path(key).unlink, missing_ok=True)

    async def keys_older_than(self, cutoff: datetime) -> list[str]:
        """Keys (and stale temp files, removed on the spot) last written before `cutoff`."""
        return await asyncio.to_thread(self._keys_older_than, cutoff.timestamp())

    def _keys_older_than(self, cutoff: float) -> list[str]:
        if not self.root.is_dir():
            return []
        keys = []
        for entry in os.scandir(self.root):
            try:
                if entry.stat().st_mtime >= cutoff:
                    continue
            except FileNotFoundError:
                continue
            if entry.name.startswith(".tmp-"):
                Path(entry.path).unlink(missing_ok=True)
            elif KEY.match(entry.name):
                keys.append(entry.name)
        return keys

