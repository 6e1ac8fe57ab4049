"""The one clock: wall time by default, wall time plus a file's offset when configured."""

import logging
import os
from datetime import datetime, timedelta, timezone

import pytest

from redgrid_shared.clock import (FixedClock, OffsetFileClock, clock_from_settings,
                                  parse_offset, system_clock, write_offset)
from redgrid_shared.settings import ServiceSettings

T0 = datetime(2026, 3, 13, 23, 30, tzinfo=timezone.utc)


def offset_clock(path) -> tuple[OffsetFileClock, FixedClock]:
    base = FixedClock(T0)
    return OffsetFileClock(path, base=base), base


def test_the_offset_written_in_the_file_is_added_to_wall_time(tmp_path):
    path = tmp_path / "offset"
    write_offset(path, 86400.5)
    clock, _ = offset_clock(path)
    assert clock() == T0 + timedelta(days=1, seconds=0.5)


def test_a_rewritten_file_moves_the_clock_at_the_next_call(tmp_path):
    path = tmp_path / "offset"
    write_offset(path, 10)
    clock, base = offset_clock(path)
    assert clock() == T0 + timedelta(seconds=10)
    write_offset(path, 3600)
    assert clock() == T0 + timedelta(seconds=3600)
    base.advance(timedelta(seconds=2))  # wall time still runs underneath
    assert clock() == T0 + timedelta(seconds=3602)
    write_offset(path, -60)  # and it may go back
    assert clock() == T0 + timedelta(seconds=-58)


def test_a_rewrite_in_place_with_the_same_length_is_seen(tmp_path):
    path = tmp_path / "offset"
    path.write_text("100\n")
    clock, _ = offset_clock(path)
    assert clock() == T0 + timedelta(seconds=100)
    path.write_text("200\n")
    stat = path.stat()  # same inode and size: the modification time tells them apart
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert clock() == T0 + timedelta(seconds=200)


def test_two_clocks_on_one_file_move_together(tmp_path):
    path = tmp_path / "offset"
    write_offset(path, 0)
    intake, dispatch = (OffsetFileClock(path, base=FixedClock(T0)) for _ in range(2))
    write_offset(path, 7 * 86400)
    assert intake() == dispatch() == T0 + timedelta(days=7)


def test_a_missing_file_is_offset_zero_with_one_warning(tmp_path, caplog):
    clock, _ = offset_clock(tmp_path / "absent")
    with caplog.at_level(logging.WARNING, logger="redgrid.clock"):
        assert [clock() for _ in range(3)] == [T0] * 3
    assert len(caplog.records) == 1 and "absent" in caplog.text


@pytest.mark.parametrize("content", ["", "soon", "1e400", "nan", "-inf", "12 s",
                                     str(10 ** 12)])
def test_unusable_content_is_offset_zero_and_never_raises(tmp_path, caplog, content):
    path = tmp_path / "offset"
    path.write_text(content)
    clock, _ = offset_clock(path)
    with caplog.at_level(logging.WARNING, logger="redgrid.clock"):
        assert clock() == T0 and clock() == T0
    assert len(caplog.records) == 1 and "offset 0" in caplog.text


def test_bytes_that_are_not_text_are_offset_zero(tmp_path):
    path = tmp_path / "offset"
    path.write_bytes(b"\xff\xfe\x00")
    clock, _ = offset_clock(path)
    assert clock() == T0


def test_a_file_that_turns_bad_drops_the_offset_and_a_good_one_restores_it(tmp_path, caplog):
    path = tmp_path / "offset"
    write_offset(path, 60)
    clock, _ = offset_clock(path)
    assert clock() == T0 + timedelta(seconds=60)
    path.write_text("garbage, longer than before")
    with caplog.at_level(logging.WARNING, logger="redgrid.clock"):
        assert clock() == T0
    assert "garbage" in caplog.text
    write_offset(path, 120)
    assert clock() == T0 + timedelta(seconds=120)
    path.unlink()
    assert clock() == T0


def test_a_directory_in_place_of_the_file_is_offset_zero(tmp_path):
    clock, _ = offset_clock(tmp_path)
    assert clock() == T0


def test_the_real_clock_is_aware_utc_and_runs(tmp_path):
    path = tmp_path / "offset"
    write_offset(path, 3600)
    clock = OffsetFileClock(path)
    before = system_clock()
    moved = clock()
    assert moved.tzinfo is not None
    assert timedelta(seconds=3600) <= moved - before < timedelta(seconds=3660)


def test_parse_offset_reads_a_float_with_whitespace():
    assert parse_offset(" 1.25\n") == 1.25
    with pytest.raises(ValueError):
        parse_offset("1,25")


def test_write_offset_refuses_what_no_clock_could_read(tmp_path):
    with pytest.raises(ValueError):
        write_offset(tmp_path / "offset", float("nan"))
    assert not (tmp_path / "offset").exists()


def test_without_the_setting_services_run_on_wall_time(monkeypatch):
    monkeypatch.delenv("REDGRID_CLOCK_OFFSET_FILE", raising=False)
    assert clock_from_settings(ServiceSettings()) is system_clock


def test_a_blank_setting_is_unset(monkeypatch):
    monkeypatch.setenv("REDGRID_CLOCK_OFFSET_FILE", "  ")
    assert clock_from_settings(ServiceSettings()) is system_clock


def test_the_setting_names_the_offset_file(monkeypatch, tmp_path):
    path = tmp_path / "offset"
    write_offset(path, 600)
    monkeypatch.setenv("REDGRID_CLOCK_OFFSET_FILE", str(path))
    clock = clock_from_settings(ServiceSettings())
    assert isinstance(clock, OffsetFileClock) and clock.path == path
    assert clock.offset == timedelta(seconds=600)
