"""Judging a boot: typed outcomes with the evidence lines that caused them.

Input: the console events (grammar), the guest protocol (protocol), the tests that were asked for
and how the session ended (monitor). Output: one :class:`BootVerdict` with a result per test.
Rules that keep the harness honest:

* a test that was asked for and never reported is a crash, never a pass;
* a timeout (silence, loop, deadline) is never a pass;
* a bugcheck, assertion or debugger entry outranks test results.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

from .console import ConsoleLine
from .focus import FocusRange, split_failures
from .grammar import Event, Kind
from .protocol import GuestProtocol, TestRun, describe_counts

# Exit statuses the runner reports for tests it could not run to completion
STATUS_TIMEOUT = 0x00000102
LAUNCH_FAILURE_MASK = 0xE0000000  # ERROR_SEVERITY_ERROR | APPLICATION_ERROR_MASK | Win32 error (< 0x10000)
NTSTATUS_ERROR = 0xC0000000
# Launch failures that mean the image has no such program (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND)
MISSING_PROGRAM_ERRORS = (2, 3)
# A Wine-format test exits with its failure count, at most this
WINE_MAX_EXIT_STATUS = 255

# Well-known bugcheck codes, for readable reports
BUGCHECK_NAMES: Dict[int, str] = {
    0x0000000A: "IRQL_NOT_LESS_OR_EQUAL",
    0x0000001E: "KMODE_EXCEPTION_NOT_HANDLED",
    0x00000024: "NTFS_FILE_SYSTEM",
    0x0000003B: "SYSTEM_SERVICE_EXCEPTION",
    0x0000004C: "FATAL_UNHANDLED_HARD_ERROR",
    0x0000004E: "PFN_LIST_CORRUPT",
    0x00000050: "PAGE_FAULT_IN_NONPAGED_AREA",
    0x0000007B: "INACCESSIBLE_BOOT_DEVICE",
    0x0000007E: "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
    0x0000007F: "UNEXPECTED_KERNEL_MODE_TRAP",
    0x0000008E: "KERNEL_MODE_EXCEPTION_NOT_HANDLED",
    0x000000C2: "BAD_POOL_CALLER",
    0x000000D1: "DRIVER_IRQL_NOT_LESS_OR_EQUAL",
    0x000000EF: "CRITICAL_PROCESS_DIED",
    0x000000F4: "CRITICAL_OBJECT_TERMINATION",
    0x000000E2: "MANUALLY_INITIATED_CRASH",
    0x00000139: "KERNEL_SECURITY_CHECK_FAILURE",
    # FATAL_UNHANDLED_HARD_ERROR (0x4C) is printed with the hard error's status as its code
    0xC000021A: "STATUS_SYSTEM_PROCESS_TERMINATED",
    0xC0000221: "STATUS_IMAGE_CHECKSUM_MISMATCH",
}


class Outcome(enum.Enum):
    """How a boot ended, from best to worst within its exit-code class."""

    PASS = "pass"
    TEST_FAILURE = "test-failure"
    BUGCHECK = "bugcheck"
    ASSERTION = "assertion"
    DEBUGGER = "debugger"          # KDBG entered on an exception or breakpoint, no bugcheck
    CRASH = "crash"                # results missing with no better explanation
    HANG = "hang"                  # no console output for the inactivity timeout
    LOOP = "loop"                  # the same line over and over
    TIMEOUT = "timeout"            # global deadline
    REBOOT = "unexpected-reboot"
    INFRA = "infrastructure-error"

    @property
    def exit_code(self) -> int:
        if self is Outcome.PASS:
            return 0
        if self is Outcome.TEST_FAILURE:
            return 1
        if self is Outcome.INFRA:
            return 125  # git bisect run: "cannot test this commit"
        return 2


class TestStatus(enum.Enum):
    __test__ = False  # not a pytest class

    PASSED = "passed"
    FAILED = "failed"
    CRASHED = "crashed"      # began but never finished, or died with an exception status
    TIMEOUT = "timeout"      # the guest runner killed it
    NOT_RUN = "not-run"      # asked for, never began: a crash of the boot
    ERROR = "error"          # the runner could not start it
    MISSING = "missing"      # the image does not carry the test program (a LiveCD without rostests)


class EndReason(enum.Enum):
    """Why the console session stopped (decided by the monitor, or by the log's end offline)."""

    RUNNER_DONE = "runner-done"
    FATAL = "fatal"
    INACTIVITY = "inactivity"
    LOOP = "loop"
    DEADLINE = "deadline"
    REBOOT = "reboot"
    GUEST_EXITED = "guest-exited"     # QEMU ended (power off, triple fault with -no-reboot)
    END_OF_LOG = "end-of-log"
    INFRA = "infra"
    RUNNER_READY = "runner-ready"     # the runner asked for its plan and a snapshot was wanted there


@dataclass
class TestResult:
    __test__ = False  # not a pytest class

    name: str
    status: TestStatus
    reason: str
    counts: Dict[str, int] = field(default_factory=dict)
    seconds: Optional[float] = None
    exit_status: Optional[int] = None
    evidence: List[ConsoleLine] = field(default_factory=list)
    log: List[ConsoleLine] = field(default_factory=list)
    metrics: Dict[str, Dict[str, str]] = field(default_factory=dict)
    series: Dict[str, List[Dict[str, str]]] = field(default_factory=dict)
    # With a focus: the failed checks outside it, reported and not judged
    unjudged: List[ConsoleLine] = field(default_factory=list)
    # Every failed check the test printed, judged or not: what ``harness compare`` compares
    failed_checks: List[ConsoleLine] = field(default_factory=list)


@dataclass
class Bugcheck:
    code: int
    parameters: List[int]
    driver: Optional[str] = None

    @property
    def name(self) -> str:
        return BUGCHECK_NAMES.get(self.code, "UNKNOWN_BUGCHECK")

    def describe(self) -> str:
        params = ",".join(f"0x{p:08x}" for p in self.parameters)
        return f"0x{self.code:08X} {self.name} ({params})"


@dataclass
class BootVerdict:
    outcome: Outcome
    summary: str
    evidence: List[ConsoleLine] = field(default_factory=list)
    tests: List[TestResult] = field(default_factory=list)
    bugcheck: Optional[Bugcheck] = None
    backtrace: List[str] = field(default_factory=list)
    commit: Optional[str] = None
    command_line: Optional[str] = None

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


def judge_test(name: str, run: Optional[TestRun], focus: Sequence[FocusRange] = ()) -> TestResult:
    """One test's status from what the guest said about it. With a ``focus``, only the failed checks
    at those source lines decide; the others are kept as ``unjudged``."""
    if run is None:
        return TestResult(name, TestStatus.NOT_RUN, "the guest never started this test")
    base = dict(counts=describe_counts(run.summary), seconds=run.seconds, exit_status=run.exit_status,
                metrics=dict(run.metrics), series={k: list(v) for k, v in run.series.items()},
                failed_checks=list(run.failed_checks),
                log=([run.begin] if run.begin else []) + run.lines + ([run.end] if run.end else []))
    status = run.exit_status
    if run.timed_out is not None or status == STATUS_TIMEOUT:
        evidence = [run.timed_out] if run.timed_out else []
        return TestResult(name, TestStatus.TIMEOUT, "the guest runner killed the test after its timeout",
                          evidence=evidence, **base)
    if status is not None and status & 0xFFFF0000 == LAUNCH_FAILURE_MASK:
        error = status & 0xFFFF
        if error in MISSING_PROGRAM_ERRORS:
            module = name.partition(":")[0]
            return TestResult(name, TestStatus.MISSING,
                              f"the image carries no {module}.exe (Win32 error {error}): for a rostests module, "
                              "build the LiveCD with ENABLE_ROSTESTS", evidence=run.lines[-1:], **base)
        return TestResult(name, TestStatus.ERROR, f"the runner could not start the test (Win32 error {error})",
                          evidence=run.lines[-1:], **base)
    if run.end is None or status is None:
        return TestResult(name, TestStatus.CRASHED, "the test began but never finished",
                          evidence=[run.begin] + run.lines[-3:] if run.begin else run.lines[-3:], **base)
    if status & NTSTATUS_ERROR == NTSTATUS_ERROR:
        return TestResult(name, TestStatus.CRASHED, f"the test process died with status 0x{status:08X}",
                          evidence=run.lines[-3:], **base)
    if run.summary is None:
        return TestResult(name, TestStatus.CRASHED, "the test ended without its summary line",
                          evidence=run.lines[-3:], **base)
    if focus:
        return _judge_focused(name, run, focus, base)
    if run.summary.failures or status != 0:
        failures = run.summary.failures
        return TestResult(name, TestStatus.FAILED, f"{failures} failed check(s), exit status {status}",
                          evidence=run.failed_checks[:20] or run.lines[-3:], **base)
    if run.summary.executed == 0:
        return TestResult(name, TestStatus.FAILED, "the test executed no checks", evidence=run.lines[-3:], **base)
    return TestResult(name, TestStatus.PASSED, f"{run.summary.executed} checks passed", **base)


def _judge_focused(name: str, run: TestRun, focus: Sequence[FocusRange], base: Dict) -> TestResult:
    """A finished test judged on the failures at its focus lines only."""
    inside, outside = split_failures(run.failed_checks, focus)
    where = ", ".join(str(r) for r in focus)
    # Every failure is printed; a count above them means failures the focus cannot place
    unplaced = max(run.summary.failures - len(run.failed_checks), 0)
    if inside or unplaced:
        return TestResult(name, TestStatus.FAILED,
                          f"{len(inside)} failed check(s) in the focus ({where})"
                          + (f", {unplaced} failure(s) not printed" if unplaced else ""),
                          evidence=inside[:20] or run.lines[-3:], unjudged=outside, **base)
    if run.exit_status is None or run.exit_status > WINE_MAX_EXIT_STATUS:
        return TestResult(name, TestStatus.FAILED, f"exit status {run.exit_status}", evidence=run.lines[-3:],
                          unjudged=outside, **base)
    if run.summary.executed == 0:
        return TestResult(name, TestStatus.FAILED, "the test executed no checks", evidence=run.lines[-3:], **base)
    return TestResult(name, TestStatus.PASSED,
                      f"no failed check in the focus ({where}); {len(outside)} failure(s) elsewhere, not judged",
                      unjudged=outside, **base)


def _blame_running_test(tests: List[TestResult], protocol: GuestProtocol, crash: ConsoleLine) -> None:
    """The test that was running when the guest crashed is the crash, whatever it said before (a
    debugger the harness continued can let it finish); tests that ended before stay as they were."""
    for index, test in enumerate(tests):
        run = protocol.run_for(test.name)
        if run is None or run.begin is None or run.begin.number > crash.number:
            continue
        if run.end is not None and run.end.number < crash.number:
            continue
        if test.status in (TestStatus.PASSED, TestStatus.FAILED):
            tests[index] = dataclasses.replace(test, status=TestStatus.CRASHED, evidence=[crash],
                                               reason=f"the guest crashed while it ran: {crash.text.strip()}")


def _bugcheck_from(events: Sequence[Event]) -> Optional[Bugcheck]:
    for index, event in enumerate(events):
        if event.kind is not Kind.BUGCHECK:
            continue
        code = int(event.fields["code"], 16)
        params: List[int] = []
        driver: Optional[str] = None
        for later in events[index + 1:]:
            if later.kind is Kind.BUGCHECK_PARAMS and not params:
                params = [int(later.fields[k], 16) for k in ("p1", "p2", "p3", "p4")]
            elif later.kind is Kind.DRIVER_AT_FAULT and driver is None:
                driver = later.fields["driver"]
            elif later.kind is Kind.BUGCHECK:
                break
        return Bugcheck(code, params, driver)
    return None


def judge(
    requested: Sequence[str],
    events: Sequence[Event],
    protocol: GuestProtocol,
    end: EndReason,
    end_evidence: Sequence[ConsoleLine] = (),
    backtrace: Sequence[str] = (),
    end_detail: str = "",
    expect_shutdown: bool = False,
    focus: Optional[Mapping[str, Sequence[FocusRange]]] = None,
) -> BootVerdict:
    """Decides one boot.

    ``requested`` are the ``module:test`` names the harness asked for; when empty (offline parse of
    a log without a request), the runner's own plan, or else the tests that began, are expected.
    ``expect_shutdown``: the tests end by shutting the guest down, so a pass also needs QEMU to have
    exited on its own after the runner's ``done`` (a power-off, or a restart under ``-no-reboot``).
    ``focus``: per test, the source lines whose failures decide it (see focus.py).
    """
    expected = list(requested) or list(protocol.planned) or [run.name for run in protocol.runs]
    focus = focus or {}
    tests = [judge_test(name, protocol.run_for(name), focus.get(name, ())) for name in expected]

    version = next((e for e in events if e.kind is Kind.VERSION), None)
    command = next((e for e in events if e.kind is Kind.COMMAND_LINE), None)
    verdict = BootVerdict(Outcome.PASS, "", tests=tests,
                          commit=version.fields.get("commit") if version else None,
                          command_line=command.fields.get("options") if command else None,
                          backtrace=list(backtrace))

    # Crashes outrank everything the tests said.
    bugcheck = _bugcheck_from(events)
    assertion = next((e for e in events if e.kind is Kind.ASSERTION), None)
    debugger = next((e for e in events if e.kind is Kind.DEBUGGER_ENTERED), None)
    critical = next((e for e in events if e.kind is Kind.CRITICAL_PROCESS), None)
    crashes = [e for e in (next((e for e in events if e.kind is Kind.BUGCHECK), None), assertion, critical)
               if e is not None]
    if debugger is not None and end is not EndReason.INACTIVITY:
        crashes.append(debugger)  # after silence the debugger entry is the harness's own break-in
    if crashes:
        _blame_running_test(tests, protocol, min((e.line for e in crashes), key=lambda line: line.number))
    if bugcheck is not None:
        first_line = next(e.line for e in events if e.kind is Kind.BUGCHECK)
        params_line = [e.line for e in events if e.kind is Kind.BUGCHECK_PARAMS][:1]
        verdict.outcome, verdict.bugcheck = Outcome.BUGCHECK, bugcheck
        verdict.summary = f"bugcheck {bugcheck.describe()}"
        verdict.evidence = [first_line] + params_line + ([critical.line] if critical else [])
        return verdict
    if assertion is not None:
        verdict.outcome = Outcome.ASSERTION
        verdict.summary = f"assertion failed: {assertion.fields.get('message', '')}".strip()
        verdict.evidence = [assertion.line] + [e.line for e in events if e.line.number == assertion.line.number + 1]
        return verdict
    if end is EndReason.INACTIVITY:
        # A debugger entry after silence is the harness's own TAB+K break-in, not a crash cause.
        verdict.outcome = Outcome.HANG
        verdict.summary = "no console output for the inactivity timeout" + (f": {end_detail}" if end_detail else "")
        verdict.evidence = list(end_evidence)
        return verdict
    if critical is not None or debugger is not None:
        cause = critical or debugger
        verdict.outcome = Outcome.DEBUGGER
        verdict.summary = f"kernel debugger entered: {cause.line.text.strip()}"
        verdict.evidence = [e.line for e in (critical, debugger) if e is not None]
        return verdict

    by_end = {
        EndReason.LOOP: (Outcome.LOOP, "the console repeats the same line (endless loop)"),
        EndReason.DEADLINE: (Outcome.TIMEOUT, "the global deadline passed"),
        EndReason.REBOOT: (Outcome.REBOOT, "the guest restarted (a second kernel banner or a reset)"),
        EndReason.INFRA: (Outcome.INFRA, "infrastructure error"),
    }
    # A test that ends by restarting the host: the restart after the runner's "done" is the shutdown asked for
    restart_asked = expect_shutdown and end is EndReason.REBOOT and protocol.done is not None
    if end in by_end and not restart_asked:
        verdict.outcome, verdict.summary = by_end[end]
        if end_detail:
            verdict.summary += f": {end_detail}"
        verdict.evidence = list(end_evidence)
        return verdict

    unfinished = [t for t in tests if t.status in (TestStatus.NOT_RUN, TestStatus.CRASHED)]
    if protocol.started is None or protocol.done is None or unfinished or not expected:
        verdict.outcome = Outcome.CRASH
        if protocol.started is None:
            verdict.summary = "the guest runner never started"
        elif not expected:
            verdict.summary = "no test was asked for or reported"
        elif unfinished:
            verdict.summary = "missing results: " + ", ".join(t.name for t in unfinished)
        else:
            verdict.summary = "the guest runner never reported it was done"
        if end is EndReason.GUEST_EXITED:
            verdict.summary += " (the guest powered off)"
        verdict.evidence = list(end_evidence) or [
            line for line in (protocol.started, protocol.done) if line is not None]
        return verdict

    bad = [t for t in tests if t.status is not TestStatus.PASSED]
    if bad:
        verdict.outcome = Outcome.TEST_FAILURE
        verdict.summary = f"{len(bad)} of {len(tests)} test(s) did not pass: " + ", ".join(
            f"{t.name} {t.status.value}" for t in bad)
        verdict.evidence = [line for t in bad for line in t.evidence]
        return verdict

    if expect_shutdown and end not in (EndReason.GUEST_EXITED, EndReason.REBOOT):
        verdict.outcome = Outcome.CRASH
        verdict.summary = f"the tests passed but the guest did not shut down (session ended: {end.value})"
        verdict.evidence = [protocol.done] + list(end_evidence)
        return verdict

    verdict.summary = f"{len(tests)} test(s) passed"
    if expect_shutdown:
        verdict.summary += ", then the guest " + ("restarted (QEMU exits on it)" if restart_asked else "shut down")
    verdict.evidence = [protocol.done]
    return verdict
