"""Run against run: which Wine-format checks a change made fail, which it fixed, which were flaky.

A check is a place in a test's source that printed ``file:line: Test failed`` (or ``Test succeeded
inside todo block``): its *site*. Messages carry handles, addresses and times that change from run
to run; the site does not. For each test both sides ran to its end, every site is one of:

* new failure: it fails in the new run and in no baseline run (a regression);
* more failures: it fails in every baseline the same number of times and more often in the new run
  (a regression: a loop's check that now fails on more rounds);
* fixed: it failed in every baseline and not in the new run;
* flaky: it failed in some baseline runs and not in others (never a regression);
* still failing: it fails on both sides.

A test that completed in every baseline and not in the new run (crashed, timed out, missing from the
image or from the results) is a regression of its own; one whose baselines disagree on that is flaky.
This module reads ``results.json`` files and decides; ``compare_report`` renders.
"""

from __future__ import annotations

import enum
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from .protocol import TEST_FAILED
from .verdict import TestStatus

# The failures a test counted but printed no line for (its summary's count above its lines)
UNPLACED_SITE = "(failures without a line)"
# Lines of each side kept per site: enough to read the message, not the whole loop
LINES_PER_SITE = 3
COMPLETED = {TestStatus.PASSED.value, TestStatus.FAILED.value}


class CompareError(Exception):
    """A side cannot be read as a harness run; the message says which and why."""


@dataclass
class TestSide:
    """One test as one run reported it."""

    __test__ = False  # not a pytest class

    name: str
    status: str
    executed: Optional[int] = None
    failures: int = 0
    sites: Dict[str, int] = field(default_factory=dict)
    lines: Dict[str, List[str]] = field(default_factory=dict)
    seconds: Optional[float] = None

    @property
    def completed(self) -> bool:
        """Ran to its summary line: its checks can be compared."""
        return self.status in COMPLETED and self.executed is not None


@dataclass
class RunSide:
    """A run's tests, by name, in the order the run reported them."""

    source: Path
    tests: Dict[str, TestSide]
    scenario_of: Dict[str, str] = field(default_factory=dict)


def site_of(text: str) -> Optional[str]:
    """``process.c:2324`` for a failed-check line (the file's own name, lower case), else None."""
    match = TEST_FAILED.search(text)
    if not match:
        return None
    name = re.split(r"[\\/]", match["file"])[-1].lower()
    todo = "" if match["what"] == "Test failed" else " (succeeded inside todo)"
    return f"{name}:{match['line']}{todo}"


def _failed_lines(test: Dict) -> List[str]:
    """Every failed-check line of a test; results written before ``failed_checks`` existed kept them
    in ``evidence`` and ``unjudged`` (at most 20 in evidence: later ones are then unplaced)."""
    if "failed_checks" in test:
        return [entry["text"] for entry in test["failed_checks"]]
    return [entry["text"] for entry in test.get("evidence", []) + test.get("unjudged", []) if site_of(entry["text"])]


def _side(test: Dict) -> TestSide:
    counts = test.get("counts") or {}
    side = TestSide(test["name"], test["status"], counts.get("executed"), counts.get("failures", 0),
                    seconds=test.get("seconds"))
    for text in _failed_lines(test):
        site = site_of(text)
        if site is None:
            continue
        side.sites[site] = side.sites.get(site, 0) + 1
        kept = side.lines.setdefault(site, [])
        if len(kept) < LINES_PER_SITE:
            kept.append(text.strip())
    unplaced = side.failures - sum(side.sites.values())
    if unplaced > 0 and side.completed:
        side.sites[UNPLACED_SITE] = unplaced
    return side


def load_run(path: Path) -> RunSide:
    """A run directory (its ``results.json``), a ``results.json``, or one kept gzipped (``.json.gz``,
    as the committed baselines are). Raises CompareError."""
    path = Path(path)
    file = path / "results.json" if path.is_dir() else path
    try:
        raw = file.read_bytes()
        document = json.loads(gzip.decompress(raw) if file.name.endswith(".gz") else raw)
    except (EOFError, gzip.BadGzipFile) as error:   # BadGzipFile is an OSError: it goes first
        raise CompareError(f"{file} is not a readable gzip file: {error}") from None
    except OSError as error:
        raise CompareError(f"cannot read {file}: {error.strerror or error}") from None
    except ValueError as error:
        raise CompareError(f"{file} is not JSON: {error}") from None
    try:
        boots = document["boots"]
        found: Dict[str, TestSide] = {}
        for boot in boots:
            for test in boot["verdict"]["tests"]:
                side = _side(test)
                earlier = found.get(side.name)
                # The boot that began the test decides, as in the run's own report (a resumed boot
                # runs only what a crashed one never began)
                if earlier is None or earlier.status == TestStatus.NOT_RUN.value:
                    found[side.name] = side
        scenario_of = {test: scenario["name"] for scenario in document.get("scenarios", [])
                       for test in scenario.get("tests", [])}
    except (KeyError, TypeError) as error:
        raise CompareError(f"{file} is not a harness results.json (no {error})") from None
    return RunSide(file, found, scenario_of)


class TestChange(enum.Enum):
    __test__ = False  # not a pytest class

    REGRESSED = "regressed"
    FIXED = "fixed"
    FLAKY = "flaky"
    SAME = "same"
    STILL_BROKEN = "still broken"       # completed on neither side
    NEW_TEST = "no baseline"            # the baselines do not have it


@dataclass
class SiteChange:
    site: str
    baseline_counts: List[int]
    new_count: int
    baseline_lines: List[str]
    new_lines: List[str]


@dataclass
class TestComparison:
    __test__ = False  # not a pytest class

    name: str
    scenario: str
    baseline_statuses: List[str]
    new_status: str
    baseline_executed: List[Optional[int]]
    new_executed: Optional[int]
    change: TestChange = TestChange.SAME
    reason: str = ""
    new_failures: List[SiteChange] = field(default_factory=list)
    more_failures: List[SiteChange] = field(default_factory=list)
    fixed: List[SiteChange] = field(default_factory=list)
    still_failing: List[SiteChange] = field(default_factory=list)
    flaky: List[SiteChange] = field(default_factory=list)
    baseline_seconds: List[Optional[float]] = field(default_factory=list)
    new_seconds: Optional[float] = None

    @property
    def regressed(self) -> bool:
        return self.change is TestChange.REGRESSED


@dataclass
class Comparison:
    baselines: List[Path]
    new: Path
    tests: List[TestComparison]

    @property
    def compared(self) -> List[TestComparison]:
        """The tests whose checks both sides ran."""
        return [t for t in self.tests if t.change not in (TestChange.NEW_TEST, TestChange.STILL_BROKEN)
                and t.new_executed is not None and any(e is not None for e in t.baseline_executed)]

    @property
    def judged(self) -> List[TestComparison]:
        """The tests with a result: a baseline to hold them against, and a completed run on one side."""
        return [t for t in self.tests if t.change not in (TestChange.NEW_TEST, TestChange.STILL_BROKEN)]

    @property
    def exit_code(self) -> int:
        """0 nothing newly fails, 1 something does."""
        return 1 if any(t.regressed for t in self.tests) else 0

    def totals(self) -> Dict[str, int]:
        """The suites' figures summed (suite_summaries does the counting)."""
        suites = suite_summaries(self)
        return {name: sum(getattr(suite, name) for suite in suites) for name in TOTALS}


# The figures summed over the suites for the run's totals line and JSON
TOTALS = ("tests", "compared", "regressed", "new_failures", "fixed", "still_failing", "flaky", "flaky_tests",
          "baseline_checks", "new_checks")


@dataclass
class SuiteSummary:
    """One scenario's tests together: what a reviewer reads first."""

    scenario: str
    tests: int = 0
    compared: int = 0
    regressed: int = 0
    fixed_tests: int = 0
    flaky_tests: int = 0
    baseline_checks: int = 0
    new_checks: int = 0
    new_failures: int = 0
    fixed: int = 0
    still_failing: int = 0
    flaky: int = 0
    # Sum of its tests' times: the mean over the baseline runs, and the new run's
    baseline_seconds: float = 0.0
    new_seconds: float = 0.0


def _mean(values: Sequence[Optional[float]]) -> float:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else 0.0


def suite_summaries(comparison: "Comparison") -> List[SuiteSummary]:
    """Per scenario, in the order its first test appears."""
    suites: Dict[str, SuiteSummary] = {}
    compared = {id(t) for t in comparison.compared}
    for test in comparison.tests:
        suite = suites.setdefault(test.scenario or "(no scenario)", SuiteSummary(test.scenario or "(no scenario)"))
        suite.tests += 1
        suite.compared += id(test) in compared
        suite.regressed += test.regressed
        suite.fixed_tests += test.change is TestChange.FIXED
        suite.flaky_tests += test.change is TestChange.FLAKY
        suite.baseline_checks += max((e or 0 for e in test.baseline_executed), default=0)
        suite.new_checks += test.new_executed or 0
        suite.new_failures += len(test.new_failures) + len(test.more_failures)
        suite.fixed += len(test.fixed)
        suite.still_failing += len(test.still_failing)
        suite.flaky += len(test.flaky)
        suite.baseline_seconds += _mean(test.baseline_seconds)
        suite.new_seconds += test.new_seconds or 0.0
    return list(suites.values())


def _first_lines(sides: Sequence[TestSide], site: str) -> List[str]:
    for side in sides:
        if site in side.lines:
            return side.lines[site]
    return []


def _compare_sites(result: TestComparison, baselines: Sequence[TestSide], new: TestSide) -> None:
    for site in sorted(set(new.sites).union(*(b.sites for b in baselines)), key=_site_order):
        counts = [b.sites.get(site, 0) for b in baselines]
        now = new.sites.get(site, 0)
        change = SiteChange(site, counts, now, _first_lines(baselines, site), new.lines.get(site, []))
        failing = [c > 0 for c in counts]
        if any(failing) and not all(failing):
            result.flaky.append(change)
        elif not any(failing):
            result.new_failures.append(change)
        elif now == 0:
            result.fixed.append(change)
        elif now > max(counts) and min(counts) == max(counts):
            result.more_failures.append(change)
        else:
            result.still_failing.append(change)


def _site_order(site: str):
    name, _, rest = site.partition(":")
    number = re.match(r"\d+", rest)
    return (site == UNPLACED_SITE, name, int(number.group()) if number else 0, site)


def compare_test(name: str, scenario: str, baselines: Sequence[Optional[TestSide]],
                 new: Optional[TestSide]) -> TestComparison:
    present = [b for b in baselines if b is not None]
    result = TestComparison(
        name, scenario, [b.status if b is not None else "absent" for b in baselines],
        new.status if new is not None else "absent",
        [b.executed if b is not None and b.completed else None for b in baselines],
        new.executed if new is not None and new.completed else None,
        baseline_seconds=[b.seconds if b is not None else None for b in baselines],
        new_seconds=new.seconds if new is not None else None)
    if not present:
        result.change, result.reason = TestChange.NEW_TEST, "no baseline run has this test"
        return result
    completed = [b for b in baselines if b is not None and b.completed]
    # A baseline run without the test (its set named other tests then) says nothing of flakiness
    all_completed = len(completed) == len(present)
    new_completed = new is not None and new.completed
    if not new_completed:
        what = "is missing from the new run's results" if new is None else f"did not complete ({new.status})"
        if all_completed:
            result.change, result.reason = TestChange.REGRESSED, f"completed in every baseline run; now {what}"
        elif completed:
            result.change = TestChange.FLAKY
            result.reason = f"completed in {len(completed)} of {len(baselines)} baseline runs; now {what}"
        else:
            result.change, result.reason = TestChange.STILL_BROKEN, f"completed in no baseline run; now {what}"
        return result
    if not completed:
        result.change = TestChange.FIXED
        result.reason = f"completed in no baseline run ({', '.join(result.baseline_statuses)}); now completes"
        return result
    _compare_sites(result, completed, new)
    if result.new_failures or result.more_failures:
        result.change = TestChange.REGRESSED
        result.reason = (f"{len(result.new_failures)} check site(s) newly fail"
                         + (f", {len(result.more_failures)} fail more often" if result.more_failures else ""))
    elif all(b is not None and b.status == TestStatus.PASSED.value for b in baselines) \
            and new.status != TestStatus.PASSED.value:
        # No site tells: the test failed on its exit status alone
        result.change = TestChange.REGRESSED
        result.reason = "passed in every baseline run; now fails with no new failed check (its exit status)"
    elif not all_completed:
        result.change = TestChange.FLAKY
        result.reason = f"completed in {len(completed)} of {len(present)} baseline runs that have it"
    elif result.fixed:
        result.change, result.reason = TestChange.FIXED, f"{len(result.fixed)} check site(s) newly pass"
    elif result.flaky:
        result.change, result.reason = TestChange.FLAKY, f"{len(result.flaky)} check site(s) differ across baselines"
    elif result.still_failing:
        result.reason = "the same check sites fail"
    else:
        # No check site differs; the statuses may still (a test failing on its exit status alone,
        # or one that ran no check)
        passed = [b.status == TestStatus.PASSED.value for b in completed]
        new_passed = new.status == TestStatus.PASSED.value
        if any(passed) and not all(passed):
            result.change = TestChange.FLAKY
            result.reason = f"passed in {sum(passed)} of {len(passed)} baseline runs, with no failed check to tell"
        elif new_passed and not any(passed):
            result.change = TestChange.FIXED
            result.reason = "failed in every baseline run with no failed check (its exit status); now passes"
        elif not new_passed:
            result.reason = f"{new.status} on both sides with no failed check (its exit status, or no check ran)"
        else:
            result.reason = "passes on both sides"
    return result


def compare(baselines: Sequence[RunSide], new: RunSide) -> Comparison:
    """Every test of the baselines and of the new run, in the new run's order, then the baselines'."""
    names: List[str] = list(new.tests)
    for side in baselines:
        names.extend(name for name in side.tests if name not in names)
    tests = []
    for name in names:
        scenario = new.scenario_of.get(name) or next((b.scenario_of[name] for b in baselines if name in b.scenario_of), "")
        tests.append(compare_test(name, scenario, [b.tests.get(name) for b in baselines], new.tests.get(name)))
    return Comparison([b.source for b in baselines], new.source, tests)
