from stats.figures import STATUSES, Count, category_rows, rate, tally


def test_rate_is_rounded_to_three_places():
    assert rate(460, 700) == 0.657
    assert rate(2, 3) == 0.667
    assert rate(3, 3) == 1.0


def test_rate_of_nothing_collected_is_none_not_zero():
    assert rate(0, 0) is None


def test_handled_counts_resolved_and_closed_only():
    t = tally([Count("repair.pipe", "resolved", 2), Count("repair.pipe", "closed", 1),
               Count("repair.pipe", "in_progress", 4), Count("safety.fire", "cancelled", 1)])
    assert (t.collected, t.handled, t.handling_rate) == (8, 3, 0.375)


def test_every_status_and_category_appears_even_when_zero():
    t = tally([Count("repair.pipe", "assigned", 5)])
    assert set(t.by_status) == set(STATUSES)
    assert t.by_status["assigned"] == 5 and t.by_status["closed"] == 0
    assert t.by_category["repair.pipe"] == 5 and t.by_category["suggestion"] == 0


def test_unknown_category_codes_are_counted_not_dropped():
    t = tally([Count("future.code", "reported", 2)])
    assert t.by_category["future.code"] == 2 and t.collected == 2


def test_unroutable_counts_issues_ever_unroutable_whatever_their_status_now():
    t = tally([Count("other", "unroutable", 2, was_unroutable=True),
               Count("other", "assigned", 1, was_unroutable=True),
               Count("other", "assigned", 4)])
    assert t.unroutable == 3
    assert t.by_status["unroutable"] == 2


def test_an_empty_tally_has_no_rate():
    t = tally([])
    assert (t.collected, t.handled, t.handling_rate, t.unroutable) == (0, 0, None, 0)


def test_category_rows_give_handled_and_rate_per_category_with_labels():
    rows = {r.category: r for r in category_rows([
        Count("repair.pipe", "closed", 1), Count("repair.pipe", "assigned", 3)])}
    pipe = rows["repair.pipe"]
    assert (pipe.collected, pipe.handled, pipe.handling_rate) == (4, 1, 0.25)
    assert pipe.label_zh == "管道疏通"
    assert rows["suggestion"].handling_rate is None
