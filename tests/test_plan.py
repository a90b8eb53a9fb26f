"""The plan over COM1: how answers are cut, and how a session answers the runner's questions."""

from __future__ import annotations

import pytest

from harness.console import ConsoleLine
from harness.monitor import ConsoleSession, replay
from harness.plan import MAX_ANSWER_CHARS, PlanError, PlanFeed, plan_answers
from harness.verdict import EndReason


def test_a_short_plan_is_one_answer_in_the_boot_option_syntax():
    assert plan_answers(["silotest:jobs", "silotest:ddi"], 90) == ["HARNESS=silotest:jobs,silotest:ddi HARNESSTIMEOUT=90"]
    assert plan_answers(["a:b"]) == ["HARNESS=a:b"]


def test_a_long_plan_is_cut_into_answers_that_ask_for_more():
    tests = [f"silotest:test{index:03d}" for index in range(60)]
    answers = plan_answers(tests, 120)
    assert len(answers) > 1
    assert all(len(answer) <= MAX_ANSWER_CHARS for answer in answers)
    assert all(answer.endswith(" HARNESSMORE=1") for answer in answers[:-1])
    assert "HARNESSMORE" not in answers[-1]
    # Every test once, in order
    named = [name for answer in answers for name in answer.split()[0][len("HARNESS="):].split(",")]
    assert named == tests


def test_a_name_longer_than_an_answer_is_refused():
    with pytest.raises(PlanError):
        plan_answers(["m:" + "x" * MAX_ANSWER_CHARS])


def line(number: int, text: str, prompt: bool = False) -> ConsoleLine:
    return ConsoleLine(number, float(number), text, prompt)


def test_the_plan_question_is_answered_from_the_feed_not_by_the_debugger_driver():
    session = ConsoleSession(plan=PlanFeed(["HARNESS=a:b HARNESSMORE=1", "HARNESS=c:d"]))
    assert session.feed(line(1, "[HARNESS] ready version=2 part=1")).type_text == ""
    assert session.feed(line(2, "kdb:> ", prompt=True)).type_text == "HARNESS=a:b HARNESSMORE=1\r"
    session.feed(line(3, "[HARNESS] ready version=2 part=2"))
    assert session.feed(line(4, "kdb:> ", prompt=True)).type_text == "HARNESS=c:d\r"
    assert session.transcript.ready_s == 1.0
    # A debugger prompt that is no plan question still gets the driver's backtrace request
    assert session.feed(line(5, "kdb:> ", prompt=True)).type_text == "bt\r"


def test_a_session_taking_a_snapshot_stops_at_the_question():
    session = ConsoleSession(stop_at_ready=True)
    session.feed(line(1, "[HARNESS] ready version=2 part=1"))
    decision = session.feed(line(2, "kdb:> ", prompt=True))
    assert decision.stop is EndReason.RUNNER_READY and not decision.type_text


def test_a_question_the_plan_cannot_answer_gets_no_typing():
    session = ConsoleSession(plan=PlanFeed(["HARNESS=a:b"], given=1))
    session.feed(line(1, "[HARNESS] ready version=2 part=2"))
    decision = session.feed(line(2, "kdb:> ", prompt=True))
    assert decision.stop is None and decision.type_text == ""


def test_a_saved_log_with_a_question_replays_without_a_debugger_entry():
    transcript = replay([line(1, "[HARNESS] ready version=2 part=2"), line(2, "kdb:> ", prompt=True),
                         line(3, "[HARNESS] start version=2 uptime_ms=1 tests=0 plan=com1"),
                         line(4, "[HARNESS] done tests=0 uptime_ms=2")])
    assert transcript.end is EndReason.RUNNER_DONE
    assert transcript.backtrace == []


def test_a_session_from_a_snapshot_takes_its_first_banner_for_a_reboot():
    session = ConsoleSession(plan=PlanFeed(["HARNESS=a:b"], given=1), kernel_started=True)
    decision = session.feed(line(1, "-" * 53))
    assert decision.stop is EndReason.REBOOT


def test_the_host_regression_set_selects_its_scenarios_each_alone_with_a_reason_per_test():
    from harness.scenarios import SETS, select
    from harness.scenarios.hostregression import REASONS, SET

    assert SET in SETS
    chosen = select([SET])
    assert [s.name for s in chosen][:2] == ["host-ob", "host-devices"] and len(chosen) >= 8
    assert all(s.own_boot and s.by_name_only and "rostests" in s.tags for s in chosen)
    tests = [t for s in chosen for t in s.tests]
    assert "kernel32_winetest:process" in tests and "kernel32_winetest:pipe" in tests
    assert sorted(set(tests)) == sorted(REASONS)
    # a set and one of its members named again: each scenario once
    assert select([SET, "host-ob"]) == chosen


def test_the_readme_lists_every_host_regression_scenario_and_test_with_its_reason():
    from pathlib import Path

    from harness.scenarios import set_members
    from harness.scenarios.hostregression import REASONS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Host regression")[1].split("\n## ")[0]
    for scenario in set_members("host-regression"):
        row = next((line for line in section.splitlines() if line.startswith(f"| `{scenario.name}` |")), None)
        assert row, f"README's host-regression table lacks {scenario.name}"
        for test in scenario.tests:
            assert test in row.lower() and REASONS[test] in row, (scenario.name, test)
