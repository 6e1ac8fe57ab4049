"""The one source of time: every service takes a `Clock` and passes it to its use cases.

`create_app(clock=...)` in each service injects it, defaulting to `clock_from_settings`:
wall time in production, or, when `REDGRID_CLOCK_OFFSET_FILE` names a file, wall time plus
the offset written there (`OffsetFileClock`), so a test or a demo moves time forward for every
process at once. Unit tests pass a `FixedClock` and move it instead of sleeping. Nothing else
in the code calls `datetime.now()` for domain time.
"""

import logging
import math
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol

Clock = Callable[[], datetime]

log = logging.getLogger("redgrid.clock")
# About a century either way: further than any test needs, well inside datetime's range.
MAX_OFFSET_SECONDS = 100 * 366 * 86400


def system_clock() -> datetime:
    """Wall-clock time, UTC."""
    return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for tests."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at


def parse_offset(text: str) -> float:
    """Seconds from the text of an offset file; ValueError when it is not a usable number."""
    seconds = float(text.strip())
    if not math.isfinite(seconds) or abs(seconds) > MAX_OFFSET_SECONDS:
        raise ValueError(f"offset must be a finite number of seconds within "
                         f"±{MAX_OFFSET_SECONDS}, not {text.strip()[:40]!r}")
    return seconds


def write_offset(path: str | os.PathLike, seconds: float) -> None:
    """Set the offset every `OffsetFileClock` on `path` reads (atomically: write, then rename)."""
    path = Path(path)
    parse_offset(repr(float(seconds)))
    spare = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    spare.write_text(f"{float(seconds)!r}\n")
    os.replace(spare, path)


class OffsetFileClock:
    """Wall time plus the seconds written in a file; for development and end-to-end tests.

    Every call stats the file (about 2 µs; reading it is about 8) and reads it again only when
    its inode, size or modification time changed, so a rewrite is seen by the next call of
    every process. Rewrite it whole (`write_offset` writes a spare file and renames it), or a
    reader may catch it half written. A missing, unreadable or malformed file counts as offset
    0: the clock never fails, and says why once per change of the file, not on every call.
    """

    def __init__(self, path: str | os.PathLike, *, base: Clock = system_clock):
        self.path = Path(path)
        self._base = base
        self._seen: tuple | None = ()  # () = never looked; None = missing
        self._offset = timedelta(0)

    @property
    def offset(self) -> timedelta:
        """The offset in force (after looking at the file again)."""
        self._refresh()
        return self._offset

    def __call__(self) -> datetime:
        self._refresh()
        return self._base() + self._offset

    def _refresh(self) -> None:
        try:
            st = os.stat(self.path)
            seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            seen = None
        if seen == self._seen:
            return
        self._seen = seen
        try:
            if seen is None:
                raise FileNotFoundError("no such file")
            seconds = parse_offset(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            log.warning("clock offset file %s unusable (%s): offset 0, wall time",
                        self.path, exc)
            self._offset = timedelta(0)
            return
        if seconds != self._offset.total_seconds():
            log.info("clock offset from %s: %+.3f s", self.path, seconds)
        self._offset = timedelta(seconds=seconds)


class ClockSettings(Protocol):
    clock_offset_file: Path | None


def clock_from_settings(settings: ClockSettings) -> Clock:
    """The clock a service runs on: `system_clock`, or an `OffsetFileClock` when
    `clock_offset_file` (REDGRID_CLOCK_OFFSET_FILE) is set (development and tests only)."""
    path = getattr(settings, "clock_offset_file", None)
    if path is None:
        return system_clock
    log.warning("time is wall time plus the offset in %s (REDGRID_CLOCK_OFFSET_FILE): "
                "for development and tests only", path)
    return OffsetFileClock(path)
