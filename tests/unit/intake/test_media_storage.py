"""The folder store: atomic writes, keys that cannot name a path, and what the sweep finds."""

import os
import time
from datetime import datetime, timezone

import pytest

from intake.media.storage import FolderStorage

KEY = "med-" + "0" * 32


async def test_put_get_delete_round_trip(tmp_path):
    storage = FolderStorage(tmp_path / "media")
    assert await storage.get(KEY) is None
    await storage.put(KEY, b"photo bytes")
    assert await storage.get(KEY) == b"photo bytes"
    assert os.listdir(tmp_path / "media") == [KEY]  # no temp file left behind
    await storage.delete(KEY)
    await storage.delete(KEY)  # deleting what is gone is fine
    assert await storage.get(KEY) is None


async def test_a_failed_write_leaves_neither_the_file_nor_a_temp_file(tmp_path, monkeypatch):
    storage = FolderStorage(tmp_path)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        await storage.put(KEY, b"x" * 1000)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("key", ["../etc/passwd", "med-../../x", "med-" + "0" * 31 + "/",
                                 "med-" + "G" * 32, "", "med-" + "0" * 32 + "\x00"])
async def test_keys_that_are_not_media_ids_are_refused(tmp_path, key):
    with pytest.raises(ValueError):
        await FolderStorage(tmp_path).put(key, b"x")


async def test_old_keys_are_listed_and_stale_temp_files_removed(tmp_path):
    storage = FolderStorage(tmp_path)
    old, new = "med-" + "1" * 32, "med-" + "2" * 32
    await storage.put(old, b"a")
    await storage.put(new, b"b")
    (tmp_path / ".tmp-crashed").write_bytes(b"half")
    (tmp_path / "README").write_text("not ours")
    past = time.time() - 7200
    for name in (old, ".tmp-crashed", "README"):
        os.utime(tmp_path / name, (past, past))
    cutoff = datetime.fromtimestamp(time.time() - 3600, tz=timezone.utc)
    assert await storage.keys_older_than(cutoff) == [old]
    assert sorted(os.listdir(tmp_path)) == sorted(["README", new, old])
    assert await FolderStorage(tmp_path / "absent").keys_older_than(cutoff) == []
