"""Judging a Wine test file on its focus lines: the failures there decide, the others are kept."""

from __future__ import annotations

import json

import pytest

from harness.focus import FocusError, parse_focus, parse_focus_list, split_failures
from harness.offline import rejudge_saved
from harness.record import SessionRecord
from harness.verdict import EndReason, Outcome, TestStatus

from test_verdict import a_test, runner, verdict_of

PROCESS = "kernel32_winetest:process"
JOB_TESTS = {PROCESS: ["process.c:2389-3034"]}

# Failure lines as ReactOS's copy of Wine's process.c prints them
OUTSIDE = "process.c:1234: Test failed: wrong console handle"
OUTSIDE_TODO = "process.c:4100: Test succeeded inside todo block: large pages"
INSIDE = "process.c:2776: Test failed: unexpected value 0000000000000007"


def a_process_run(*failed: str, executed: int = 1514, status=None) -> str:
    failures = len(failed)
    return runner(a_test(PROCESS, executed=executed, failures=failures,
                         status=min(failures, 255) if status is None else status, failed_lines=failed),
                  plan=(PROCESS,))


def test_a_range_is_a_file_and_two_line_numbers():
    assert str(parse_focus("process.c:2389-3034")) == "process.c:2389-3034"
    for bad in ("process.c", "process.c:3034-2389", "process.c:10-", ":1-2", "process.c:a-b"):
        with pytest.raises(FocusError):
            parse_focus(bad)


def test_a_failure_is_in_focus_by_its_file_and_line_whatever_directory_wine_printed():
    focus = parse_focus_list(["process.c:2389-3034"])
    lines = [type("L", (), {"text": t})() for t in (
        INSIDE, OUTSIDE, "tests\\process.c:2389: Test failed: first line", "file.c:2500: Test failed: other file")]
    inside, outside = split_failures(lines, focus)
    assert [l.text for l in inside] == [INSIDE, "tests\\process.c:2389: Test failed: first line"]
    assert len(outside) == 2


def test_failures_outside_the_focus_are_kept_and_do_not_decide():
    verdict, _ = verdict_of(a_process_run(OUTSIDE, OUTSIDE_TODO), )
    assert verdict.tests[0].status is TestStatus.FAILED  # without a focus the file fails

    transcript_verdict = _judge(a_process_run(OUTSIDE, OUTSIDE_TODO))
    test = transcript_verdict.tests[0]
    assert test.status is TestStatus.PASSED and transcript_verdict.outcome is Outcome.PASS
    assert [line.text for line in test.unjudged] == [OUTSIDE, OUTSIDE_TODO]
    assert "2 failure(s) elsewhere, not judged" in test.reason


def test_a_failure_in_the_focus_fails_the_test_with_it_as_evidence():
    verdict = _judge(a_process_run(OUTSIDE, INSIDE))
    test = verdict.tests[0]
    assert test.status is TestStatus.FAILED and verdict.outcome is Outcome.TEST_FAILURE
    assert [line.text for line in test.evidence] == [INSIDE]
    assert [line.text for line in test.unjudged] == [OUTSIDE]


def test_a_failure_count_the_printed_lines_do_not_explain_fails_the_test():
    # A summary counting a failure no line shows could be anywhere, the focus included
    log = runner(a_test(PROCESS, executed=10, failures=2, status=2, failed_lines=[OUTSIDE]), plan=(PROCESS,))
    assert _judge(log).tests[0].status is TestStatus.FAILED


def test_a_focused_test_that_crashed_is_still_a_crash():
    log = runner(a_test(PROCESS, executed=10, failures=1, status=0xC0000005, failed_lines=[OUTSIDE]),
                 plan=(PROCESS,))
    assert _judge(log).tests[0].status is TestStatus.CRASHED


def test_parse_re_judges_a_saved_boot_with_the_focus_its_session_recorded(tmp_path):
    log = tmp_path / "serial.log"
    log.write_text(a_process_run(OUTSIDE))
    SessionRecord([PROCESS], EndReason.RUNNER_DONE.value, focus=JOB_TESTS).save(tmp_path)
    verdict, record = rejudge_saved(log)
    assert record.focus == JOB_TESTS
    assert verdict.tests[0].status is TestStatus.PASSED
    # The same log without the record judges the whole file
    (tmp_path / "session.json").unlink()
    assert rejudge_saved(log)[0].tests[0].status is TestStatus.FAILED


def test_the_rostest_scenarios_focus_tests_they_run_with_valid_ranges():
    from harness.scenarios import SCENARIOS, select

    scenario = SCENARIOS["rostest-kernel32-jobs"]
    assert dict(scenario.focus) == {PROCESS: ("process.c:2389-3034",)}
    assert "rostests" in scenario.tags and scenario not in select([])


def _judge(text: str):
    from harness.console import split_log
    from harness.monitor import replay
    from harness.offline import judge_transcript

    return judge_transcript([PROCESS], replay(split_log(text.encode())), focus=JOB_TESTS)
