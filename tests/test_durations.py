"""Earlier runs' boot times decide the order of a parallel run."""

from __future__ import annotations

from harness.durations import DurationHistory


def test_unknown_boots_start_first_then_the_longest(tmp_path):
    history = DurationHistory(tmp_path / "d.json")
    history.record([(["a:short"], 2.0), (["a:long"], 40.0), (["a:mid"], 10.0)])
    boots = [["a:short"], ["a:mid"], ["a:new"], ["a:long"]]
    assert DurationHistory(tmp_path / "d.json").longest_first(boots) == [2, 3, 1, 0]


def test_a_new_measure_replaces_the_old_one(tmp_path):
    history = DurationHistory(tmp_path / "d.json")
    history.record([(["a:b", "a:c"], 5.0)])
    history.record([(["a:b", "a:c"], 50.0)])
    assert DurationHistory(tmp_path / "d.json").seconds(["a:b", "a:c"]) == 50.0


def test_a_damaged_history_is_ignored_and_none_keeps_plan_order(tmp_path):
    (tmp_path / "d.json").write_text("{not json")
    assert DurationHistory(tmp_path / "d.json").longest_first([["x:y"], ["x:z"]]) == [0, 1]
    nowhere = DurationHistory(None)
    nowhere.record([(["x:y"], 1.0)])
    assert nowhere.longest_first([["x:y"], ["x:z"]]) == [0, 1]
