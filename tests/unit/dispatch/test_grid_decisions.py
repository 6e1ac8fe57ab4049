"""decide_configure() and visible(): what a PUT of a grid does, and who sees a grid."""

from datetime import datetime, timezone

import pytest

from redgrid_shared.auth import Principal

from redgrid_shared.domain import Conflict, NotAllowed
from dispatch.grids.domain import decide_configure, evolve, grid_stream, visible
from dispatch.grids.models import GridView
from tests.unit.dispatch.builders import admin, configure


def decide(current=None, command=None, *, principal=None, taken=None):
    return decide_configure(current, command or configure(), grid_id="g-03",
                            principal=principal or admin(), taken=taken or {})


def test_first_put_configures_the_grid_and_records_who_did_it():
    event = decide()
    assert event.grid_id == "g-03" and event.configured_by == "a-01"
    assert event.buildings == ["b-07", "b-08"] and event.steward == "s-03"


def test_same_configuration_again_is_a_no_op():
    current = evolve(None, decide())
    assert decide(current) is None


def test_reordered_buildings_and_members_change_nothing():
    command = configure(buildings=["b-08", "b-07"],
                        members=[{"id": "v-1", "role": "volunteer"},
                                 {"id": "m-03", "role": "building_leader"}])
    current = evolve(None, decide(command=configure(
        members=[{"id": "m-03", "role": "building_leader"}, {"id": "v-1", "role": "volunteer"}])))
    assert decide(current, command) is None


def test_a_new_steward_is_a_new_configuration():
    current = evolve(None, decide())
    event = decide(current, configure(steward="s-09"))
    assert event is not None and event.steward == "s-09"


def test_admin_cannot_configure_a_grid_of_another_community():
    with pytest.raises(NotAllowed) as err:
        decide(command=configure(community="nanhu"))
    assert "body.community" in err.value.fields


def test_each_community_configures_its_own_grid_of_the_same_id():
    nanhu = decide(principal=admin(sub="a-9", community="nanhu"),
                   command=configure(community="nanhu", buildings=["b-01"]))
    mine = decide()
    assert (nanhu.community, nanhu.grid_id, nanhu.buildings) == ("nanhu", "g-03", ["b-01"])
    assert (mine.community, mine.grid_id, mine.buildings) == ("erqiaoxi", "g-03", ["b-07", "b-08"])


def test_grid_streams_are_per_community_and_never_collide():
    assert grid_stream("erqiaoxi", "g-01") != grid_stream("nanhu", "g-01")
    # Ids may contain "-": community "a-b" grid "c" must not share community "a" grid "b-c"'s
    # stream, nor an old-style stream grid-<id>.
    assert grid_stream("a-b", "c") != grid_stream("a", "b-c")
    assert grid_stream("a", "b") != "grid-a-b"


def test_claiming_another_grids_building_is_a_conflict_naming_it():
    with pytest.raises(Conflict) as err:
        decide(taken={"b-08": "g-01"})
    assert err.value.code == "building_taken"
    assert "b-08" in err.value.fields["body.buildings"]
    assert "g-01" in err.value.fields["body.buildings"]


def view(**overrides) -> GridView:
    at = datetime(2024, 6, 1, tzinfo=timezone.utc)
    fields = {"grid_id": "g-03", "community": "erqiaoxi", "name": "第三网格",
              "buildings": ["b-07"], "steward": "s-03", "repairer": "r-03",
              "backup_steward": "s-04", "backup_repairer": None, "members": [], "version": 1,
              "configured_by": "a-01", "created_at": at, "updated_at": at}
    return GridView(**{**fields, **overrides})


@pytest.mark.parametrize(("principal", "sees"), [
    (Principal(sub="o-1", role="operator", community="erqiaoxi"), True),
    (Principal(sub="o-1", role="operator", community="nanhu"), False),
    (Principal(sub="s-03", role="steward", community="erqiaoxi"), True),
    (Principal(sub="s-04", role="steward", community="erqiaoxi"), True),  # the backup
    (Principal(sub="r-09", role="repairer", community="erqiaoxi", grids=("g-03",)), True),
    (Principal(sub="s-09", role="steward", community="erqiaoxi", grids=("g-01",)), False),
    # The token's grids name grids of the token's community, not a grid id anywhere.
    (Principal(sub="r-09", role="repairer", community="nanhu", grids=("g-03",)), False),
    (Principal(sub="s-03", role="resident", community="erqiaoxi"), False),
    # A person is (community, role, sub): the repairer s-03 is not the steward s-03, nor the
    # steward r-03 the repairer, nor the repairer s-04 the backup steward.
    (Principal(sub="s-03", role="repairer", community="erqiaoxi", grids=("g-09",)), False),
    (Principal(sub="r-03", role="steward", community="erqiaoxi", grids=("g-09",)), False),
    (Principal(sub="s-04", role="repairer", community="erqiaoxi"), False),
    (Principal(sub="r-03", role="repairer", community="erqiaoxi", grids=("g-09",)), True),
    (Principal(sub="s-03", role="steward", community="nanhu", grids=("g-09",)), False),
])
def test_grid_visibility(principal, sees):
    assert visible(view(), principal) is sees


def roles_decide(command, roles):
    return decide_configure(None, command, grid_id="g-03", principal=admin(), taken={},
                            roles=roles)


@pytest.mark.parametrize("field", ["repairer", "backup_repairer"])
def test_an_id_that_is_a_steward_in_another_grid_may_not_be_a_repairer(field):
    with pytest.raises(Conflict) as refused:
        roles_decide(configure(**{field: "p-1"}), {"p-1": ("steward", "g-02")})
    assert refused.value.fields == {f"body.{field}": "p-1 is a steward in grid g-02 of this "
                                                     "community"}


def test_an_id_that_is_a_repairer_elsewhere_may_not_be_a_backup_steward():
    with pytest.raises(Conflict) as refused:
        roles_decide(configure(backup_steward="p-1"), {"p-1": ("repairer", "g-09")})
    assert set(refused.value.fields) == {"body.backup_steward"}


def test_one_id_in_both_roles_of_the_same_body_is_refused_naming_the_repairer_field():
    with pytest.raises(Conflict) as refused:
        roles_decide(configure(steward="p-1", backup_repairer="p-1"), {})
    assert set(refused.value.fields) == {"body.backup_repairer"}


def test_the_same_role_in_another_grid_is_fine():
    event = roles_decide(configure(steward="p-1", backup_repairer="p-2"),
                         {"p-1": ("steward", "g-02"), "p-2": ("repairer", "g-02")})
    assert event.steward == "p-1" and event.backup_repairer == "p-2"
