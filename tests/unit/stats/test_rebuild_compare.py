from datetime import datetime, timezone

from stats.figures import Count, tally
from stats.models import Summary
from stats.rebuild import differences
from stats.scope import Scope

SCOPE = Scope(community="c", as_of=datetime(2024, 3, 1, tzinfo=timezone.utc))


def test_equal_projections_have_no_differences():
    counts = [Count("repair.pipe", "closed", 2)]
    assert differences(Summary.of(SCOPE, tally(counts)), Summary.of(SCOPE, tally(counts))) == {}


def test_a_rebuild_missing_an_issue_names_the_figures_that_differ():
    live = Summary.of(SCOPE, tally([Count("repair.pipe", "closed", 2)]))
    rebuilt = Summary.of(SCOPE, tally([Count("repair.pipe", "closed", 1)]))
    diff = differences(rebuilt, live)
    assert set(diff) == {"collected", "handled", "by_category", "by_status"}
    assert diff["collected"] == (1, 2)


def test_the_summary_json_uses_from_not_from_underscore():
    assert "from" in Summary.of(SCOPE, tally([])).figures()
