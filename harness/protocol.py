"""The guest runner's line protocol, extracted from the noisy console.

This module only *extracts* what the guest said (kept apart from judging it, as KUnit's parser
does). The lines come from two sources:

* harnessrun (reactos-patches/modules/harness/runner/harnessrun.c): ``[HARNESS] ...`` lines and
  rosautotest's framing (``Running Wine Test, Module: m, Test: t`` / ``Test t completed in s seconds.``),
  so a testbot log written by rosautotest is read by the same code;
* the test programs themselves, in the Wine test format of ``sdk/include/wine/test.h``.

Lines are matched with ``search`` because DPRINT1 prefixes and interleaved kernel output can share
a line with guest output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional

from .console import ConsoleLine

RUNNER_START = re.compile(r"\[HARNESS\] start version=(?P<version>\d+) uptime_ms=(?P<uptime>\d+) tests=(?P<count>\d+)")
RUNNER_PLAN = re.compile(r"\[HARNESS\] plan (?P<module>[\w.-]+):(?P<test>[\w.-]+)")
RUNNER_EXIT = re.compile(r"\[HARNESS\] exit (?P<module>[\w.-]+):(?P<test>[\w.-]+) status=0x(?P<status>[0-9a-fA-F]{8})")
RUNNER_TIMEOUT = re.compile(r"\[HARNESS\] timeout (?P<module>[\w.-]+):(?P<test>[\w.-]+) after (?P<seconds>\d+) s")
RUNNER_ERROR = re.compile(r"\[HARNESS\] error (?P<text>.*)$")
RUNNER_DONE = re.compile(r"\[HARNESS\] done tests=(?P<count>\d+) uptime_ms=(?P<uptime>\d+)")
# Tolerates a doubled blank: a real boot's raw serial log once had "Module:  harnesstest"
TEST_BEGIN = re.compile(r"Running Wine Test, Module: +(?P<module>[\w.-]+), Test: +(?P<test>[\w.-]+)")
TEST_COMPLETED = re.compile(r"Test (?P<test>[\w.-]+) completed in (?P<seconds>\d+(?:\.\d+)?) seconds\.")
GUEST_TIMEOUT = re.compile(r"Timeout while waiting for the test process")
# wine/test.h: "\n%s: %d tests executed (%d marked as todo, %d %s), %d skipped."
TEST_SUMMARY = re.compile(
    r"(?:^|\s|:)(?P<test>[\w.-]+): (?P<executed>\d+) tests executed \((?P<todo>\d+) marked as todo, "
    r"(?P<failures>\d+) failures?\), (?P<skipped>\d+) skipped\."
)
# wine/test.h: "%s:%d: Test failed: ..." (also "Test succeeded inside todo block")
TEST_FAILED = re.compile(r"(?P<file>[\w./\\-]+):(?P<line>\d+): (?P<what>Test failed|Test succeeded inside todo block): (?P<message>.*)$")
# A figure a test reports (benchmarks, leak counts): "<name>: key=value key=value ..." (two pairs at least)
METRIC = re.compile(r"(?:^|[\s:])(?P<name>[a-z][\w-]*): (?P<pairs>(?:\w+=\S+(?:\s+|$)){2,})")
METRIC_PAIR = re.compile(r"(\w+)=(\S+)")


@dataclass
class Summary:
    executed: int = 0
    todo: int = 0
    failures: int = 0
    skipped: int = 0

    def add(self, other: "Summary") -> None:
        self.executed += other.executed
        self.todo += other.todo
        self.failures += other.failures
        self.skipped += other.skipped


@dataclass
class TestRun:
    __test__ = False  # not a pytest class

    """Everything the guest said about one test, in the order it said it."""

    module: str
    test: str
    begin: Optional[ConsoleLine] = None
    end: Optional[ConsoleLine] = None
    exit_status: Optional[int] = None
    seconds: Optional[float] = None
    summary: Optional[Summary] = None
    failed_checks: List[ConsoleLine] = field(default_factory=list)
    timed_out: Optional[ConsoleLine] = None
    lines: List[ConsoleLine] = field(default_factory=list)
    # The last line of each metric, and every line of it in order (a test may sample a figure over time)
    metrics: Dict[str, Dict[str, str]] = field(default_factory=dict)
    series: Dict[str, List[Dict[str, str]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.module}:{self.test}"


@dataclass
class GuestProtocol:
    """What the runner reported in one boot."""

    started: Optional[ConsoleLine] = None
    planned: List[str] = field(default_factory=list)
    done: Optional[ConsoleLine] = None
    runs: List[TestRun] = field(default_factory=list)
    errors: List[ConsoleLine] = field(default_factory=list)

    def run_for(self, name: str) -> Optional[TestRun]:
        """The last run of ``module:test`` (a rerun after a guest reboot supersedes the first)."""
        for run in reversed(self.runs):
            if run.name == name:
                return run
        return None


class ProtocolExtractor:
    """Feeds on console lines one at a time, live or from a saved log."""

    def __init__(self) -> None:
        self.protocol = GuestProtocol()
        self._current: Optional[TestRun] = None

    def feed(self, line: ConsoleLine) -> None:
        text = line.text
        proto = self.protocol
        if "[HARNESS]" in text:
            self._feed_runner(line)
            return
        match = TEST_BEGIN.search(text)
        if match:
            self._current = TestRun(match["module"].lower(), match["test"].lower(), begin=line)
            proto.runs.append(self._current)
            return
        run = self._current
        if run is None:
            return
        match = TEST_COMPLETED.search(text)
        if match and match["test"].lower() == run.test:
            run.seconds = float(match["seconds"])
            run.end = line
            self._current = None
            return
        run.lines.append(line)
        match = TEST_SUMMARY.search(text)
        if match:
            part = Summary(int(match["executed"]), int(match["todo"]), int(match["failures"]), int(match["skipped"]))
            if run.summary is None:
                run.summary = part
            else:  # child processes of a test print summaries too; testman sums them
                run.summary.add(part)
            return
        if TEST_FAILED.search(text):
            run.failed_checks.append(line)
        elif GUEST_TIMEOUT.search(text):
            run.timed_out = line
        elif (match := METRIC.search(text)):
            pairs = dict(METRIC_PAIR.findall(match["pairs"]))
            run.metrics[match["name"]] = pairs
            run.series.setdefault(match["name"], []).append(pairs)

    def _feed_runner(self, line: ConsoleLine) -> None:
        text = line.text
        proto = self.protocol
        if (match := RUNNER_START.search(text)):
            proto.started = line
        elif (match := RUNNER_PLAN.search(text)):
            proto.planned.append(f"{match['module'].lower()}:{match['test'].lower()}")
        elif (match := RUNNER_EXIT.search(text)):
            run = self._current or proto.run_for(f"{match['module'].lower()}:{match['test'].lower()}")
            if run is not None:
                run.exit_status = int(match["status"], 16)
                run.lines.append(line)
        elif (match := RUNNER_TIMEOUT.search(text)):
            if self._current is not None:
                self._current.timed_out = line
                self._current.lines.append(line)
        elif (match := RUNNER_DONE.search(text)):
            proto.done = line
            self._current = None
        elif RUNNER_ERROR.search(text):
            proto.errors.append(line)
            if self._current is not None:
                self._current.lines.append(line)


def extract(lines: Iterable[ConsoleLine]) -> GuestProtocol:
    extractor = ProtocolExtractor()
    for line in lines:
        extractor.feed(line)
    return extractor.protocol


def parse_test_names(names: Iterable[str]) -> List[str]:
    """Validates ``module:test`` names as the guest runner accepts them (lower case)."""
    result: List[str] = []
    for name in names:
        module, sep, test = name.partition(":")
        if not sep or not re.fullmatch(r"[\w.-]+", module) or not re.fullmatch(r"[\w.-]+", test):
            raise ValueError(f"not a guest test name (want module:test): {name!r}")
        result.append(f"{module.lower()}:{test.lower()}")
    return result


def describe_counts(summary: Optional[Summary]) -> Dict[str, int]:
    if summary is None:
        return {}
    return {"executed": summary.executed, "todo": summary.todo, "failures": summary.failures, "skipped": summary.skipped}
