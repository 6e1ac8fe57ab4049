"""Every service runs on the clock its settings name, and the same one in every route."""

from datetime import timedelta

import pytest

from redgrid_shared.clock import FixedClock, OffsetFileClock, system_clock, write_offset

import dispatch.main
import dispatch.settings
import intake.main
import intake.settings
import stats.main
import stats.settings

SERVICES = {"intake": (intake.main, intake.settings),
            "dispatch": (dispatch.main, dispatch.settings),
            "stats": (stats.main, stats.settings)}


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_on_wall_time_unless_told(name, monkeypatch):
    monkeypatch.delenv("REDGRID_CLOCK_OFFSET_FILE", raising=False)
    main, settings = SERVICES[name]
    assert main.create_app(settings.Settings()).state.clock is system_clock


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_reads_the_offset_file_its_settings_name(name, tmp_path, monkeypatch):
    path = tmp_path / "offset"
    write_offset(path, 9 * 86400)
    monkeypatch.setenv("REDGRID_CLOCK_OFFSET_FILE", str(path))
    main, settings = SERVICES[name]
    clock = main.create_app(settings.Settings()).state.clock
    assert isinstance(clock, OffsetFileClock) and clock.offset == timedelta(days=9)


@pytest.mark.parametrize("name", SERVICES)
def test_an_injected_clock_wins_over_the_settings(name, tmp_path, monkeypatch):
    monkeypatch.setenv("REDGRID_CLOCK_OFFSET_FILE", str(tmp_path / "offset"))
    main, settings = SERVICES[name]
    fixed = FixedClock(system_clock())
    assert main.create_app(settings.Settings(), clock=fixed).state.clock is fixed
