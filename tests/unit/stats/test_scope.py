from datetime import date, datetime, timezone

import pytest

from redgrid_shared.auth import Principal
from redgrid_shared.errors import ApiError
from stats.scope import TZ, build, parse_moment, series_days

NOW = datetime(2024, 3, 10, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
OPERATOR = Principal(sub="o-1", role="operator", community="erqiaoxi")


def test_a_date_means_midnight_in_shanghai():
    assert parse_moment("2024-03-01", "from") == datetime(2024, 3, 1, tzinfo=TZ)


def test_a_date_time_without_offset_is_shanghai_time_and_one_with_offset_is_kept():
    assert parse_moment("2024-03-01T08:00", "to") == datetime(2024, 3, 1, 8, tzinfo=TZ)
    assert parse_moment("2024-03-01T00:00:00Z", "to") == datetime(2024, 3, 1, tzinfo=timezone.utc)


def test_an_unescaped_plus_in_the_offset_still_parses():
    parsed = parse_moment("2024-03-01T08:00:00 08:00", "as_of")
    assert parsed == datetime(2024, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("field", ["from", "to", "as_of"])
def test_a_bad_date_is_422_naming_the_query_field(field):
    with pytest.raises(ApiError) as err:
        build(OPERATOR, now=NOW, **{{"from": "start", "to": "end"}.get(field, field): "2024-13-45"})
    assert err.value.status == 422
    assert list(err.value.fields) == [f"query.{field}"]


def test_from_after_to_is_422():
    with pytest.raises(ApiError) as err:
        build(OPERATOR, now=NOW, start="2024-03-02", end="2024-03-01")
    assert err.value.status == 422 and "query.from" in err.value.fields


def test_as_of_defaults_to_now_and_community_to_the_callers():
    scope = build(OPERATOR, now=NOW)
    assert scope.as_of == NOW and scope.community == "erqiaoxi"
    assert scope.start is None and scope.end is None


def test_as_of_a_past_day_reads_that_days_shanghai_midnight():
    assert build(OPERATOR, now=NOW, as_of="2024-03-05").as_of == datetime(2024, 3, 5, tzinfo=TZ)


@pytest.mark.parametrize("role", ["resident", "steward", "repairer"])
def test_only_operators_and_admins_may_read_stats(role):
    with pytest.raises(ApiError) as err:
        build(Principal(sub="x", role=role, community="erqiaoxi"), now=NOW)
    assert err.value.status == 403


def test_another_community_is_forbidden_even_to_an_admin():
    admin = Principal(sub="a", role="admin", community="erqiaoxi")
    with pytest.raises(ApiError) as err:
        build(admin, now=NOW, community="other")
    assert err.value.status == 403
    assert build(admin, now=NOW, community="erqiaoxi").community == "erqiaoxi"


def test_forbidden_comes_before_invalid():
    resident = Principal(sub="u", role="resident", community="erqiaoxi")
    with pytest.raises(ApiError) as err:
        build(resident, now=NOW, start="garbage")
    assert err.value.status == 403


def test_series_defaults_to_the_thirty_days_ending_on_as_ofs_shanghai_day():
    days = series_days(build(OPERATOR, now=NOW))
    assert len(days) == 30
    assert days[-1] == date(2024, 3, 10) and days[0] == date(2024, 2, 10)


def test_series_covers_from_inclusive_to_exclusive():
    days = series_days(build(OPERATOR, now=NOW, start="2024-02-27", end="2024-03-02"))
    assert days == [date(2024, 2, 27), date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]


def test_series_longer_than_a_year_is_422():
    with pytest.raises(ApiError) as err:
        series_days(build(OPERATOR, now=NOW, start="2020-01-01", end="2024-01-01"))
    assert err.value.status == 422


@pytest.mark.parametrize(("field", "value"), [
    ("from", "0001-01-01"), ("to", "0001-01-02"), ("as_of", "9999-12-31T23:59:59-14:00"),
    ("as_of", "1969-12-31T23:59:59Z"), ("to", "3000-01-01T00:00:00Z"),
])
def test_a_moment_outside_1970_to_2999_is_422_naming_the_field(field, value):
    with pytest.raises(ApiError) as err:
        build(OPERATOR, now=NOW, **{{"from": "start", "to": "end"}.get(field, field): value})
    assert err.value.status == 422
    assert list(err.value.fields) == [f"query.{field}"]
    assert "1970" in err.value.fields[f"query.{field}"]


def test_the_edges_of_the_accepted_range_still_give_a_series():
    scope = build(OPERATOR, now=NOW, start="1970-01-02", end="1970-01-04",
                  as_of="2999-12-31T23:59:59Z")
    assert series_days(scope) == [date(1970, 1, 2), date(1970, 1, 3)]


@pytest.mark.parametrize(("field", "value"), [
    ("grid", "g-1\x00"), ("grid", "../g"), ("grid", "g" * 65),
    ("category", "repair.pipe\x00"), ("category", "no.such.category"),
    ("source", "app\x00"), ("source", "fax"),
])
def test_a_malformed_or_unknown_filter_is_422_naming_the_field(field, value):
    with pytest.raises(ApiError) as err:
        build(OPERATOR, now=NOW, **{field: value})
    assert err.value.status == 422
    assert list(err.value.fields) == [f"query.{field}"]


def test_well_formed_filters_are_kept():
    scope = build(OPERATOR, now=NOW, grid="g-03", category="repair.pipe", source="grid_visit")
    assert (scope.grid, scope.category, scope.source) == (("g-03",), ("repair.pipe",),
                                                          ("grid_visit",))


def test_filters_repeat_or_separate_with_commas_and_keep_their_order():
    scope = build(OPERATOR, now=NOW, grid=["g-02,g-01", "g-02", " g-03 "],
                  category="repair.paid,repair.pipe", staff=["s-01", "r-01"])
    assert scope.grid == ("g-02", "g-01", "g-03")
    assert scope.category == ("repair.paid", "repair.pipe") and scope.staff == ("s-01", "r-01")


def test_one_bad_value_among_several_is_422_naming_the_field():
    with pytest.raises(ApiError) as err:
        build(OPERATOR, now=NOW, category=["repair.pipe", "repair.pipe,nope"])
    assert list(err.value.fields) == ["query.category"] and "nope" in err.value.fields["query.category"]


def test_a_grid_filter_always_comes_with_the_callers_community():
    caller = Principal(sub="o-1", role="operator", community="erqiaoxi")
    scope = build(caller, now=datetime(2024, 3, 1, tzinfo=timezone.utc), grid="g-01")
    assert (scope.community, scope.grid) == ("erqiaoxi", ("g-01",))
