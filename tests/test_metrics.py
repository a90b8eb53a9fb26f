"""Figures a guest test prints (benchmarks, leak counts) become metrics of its result."""

from __future__ import annotations

from harness.console import ConsoleLine
from harness.protocol import extract
from harness.verdict import TestStatus, judge_test


def lines(*texts: str):
    return [ConsoleLine(number, float(number), text) for number, text in enumerate(texts, 1)]


def test_metric_lines_are_collected_per_test():
    protocol = extract(lines(
        "Running Wine Test, Module: silotest, Test: bench",
        "bench.c:74: silo-bench: processes=25 rounds=3 host_ms=800 silo_ms=840 ratio=1.050 (goal <= 1.100)",
        "(ntoskrnl/ps/silo.c:500) Server silo 3 initializing at \\Silos\\3",
        "fuzz.c:180: Test failed: leaked job objects: 4 before, 5 after",
        "bench: 6 tests executed (0 marked as todo, 1 failure), 0 skipped.",
        "[HARNESS] exit silotest:bench status=0x00000001",
        "Test bench completed in 9.50 seconds.",
    ))
    run = protocol.run_for("silotest:bench")
    assert run.metrics == {"silo-bench": {"processes": "25", "rounds": "3", "host_ms": "800",
                                          "silo_ms": "840", "ratio": "1.050"}}
    result = judge_test("silotest:bench", run)
    assert result.status is TestStatus.FAILED
    assert result.metrics["silo-bench"]["ratio"] == "1.050"


def test_ordinary_output_is_not_a_metric():
    protocol = extract(lines(
        "Running Wine Test, Module: silotest, Test: jobs",
        "jobs.c:12: Test failed: assign: 0xc0000022",
        "(ntoskrnl/ps/job.c:88) Class 12 not implemented",
        "one pair only: key=value",
        "Test jobs completed in 1.00 seconds.",
    ))
    assert protocol.run_for("silotest:jobs").metrics == {}


def test_the_result_table_names_the_accelerator_beside_each_figure(tmp_path):
    from harness.boot import BootRecord
    from harness.report import ScenarioResult, format_table
    from harness.scenarios import SCENARIOS
    from harness.verdict import BootVerdict, Outcome

    protocol = extract(lines(
        "Running Wine Test, Module: silotest, Test: csrss",
        "csrss.c:241: csrss-start: silo_id=1 silo_ms=207.3 host_ms=1784.4 ratio=0.116 goal=1.5",
        "csrss: 76 tests executed (0 marked as todo, 0 failures), 0 skipped.",
        "[HARNESS] exit silotest:csrss status=0x00000000",
    ))
    result = judge_test("silotest:csrss", protocol.run_for("silotest:csrss"))
    verdict = BootVerdict(Outcome.PASS, "1 test(s) passed", tests=[result])
    boot = BootRecord("boot1-silo-csrss", ["silotest:csrss"], verdict, "tcg", [], tmp_path)
    table = format_table([ScenarioResult(SCENARIOS["silo-csrss"], boot, [result])], [boot])
    assert "metric silotest:csrss csrss-start (tcg): silo_id=1 silo_ms=207.3 host_ms=1784.4 ratio=0.116" in table
