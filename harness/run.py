"""A whole ``harness run``: plan boots for the scenarios, run them (in parallel if asked), report."""

from __future__ import annotations

import dataclasses
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, TextIO

from .boot import BootOptions, BootRecord, run_boot
from .chart import write_test_chart
from .console import ConsoleLine
from .grammar import Event, Kind
from .monitor import Limits
from .protocol import TEST_BEGIN
from .report import (ScenarioResult, format_table, run_exit_code, scenario_results, to_json, write_json,
                     write_junit)
from .durations import DurationHistory
from .scenarios import Scenario, plan_boots
from .snapshot import SnapshotResult, SnapshotStore, shape_for
from .verdict import Outcome, TestStatus


@dataclass
class RunOptions:
    iso: Path
    scenarios: Sequence[Scenario]
    out_dir: Path
    accel: str = "auto"
    jobs: int = 1
    memory_mb: int = 1024
    disk: Optional[Path] = None
    limits: Limits = field(default_factory=Limits)
    test_timeout_s: Optional[int] = None
    echo_console: bool = False
    # Fresh boots that run the tests a crashed boot never began, as sysreg2 reboots and goes on
    max_resumes: int = 2
    attach_on_crash: bool = False
    # Boot once to the runner's plan question, keep that machine here, start every boot from it
    # (None: every boot starts cold, with its plan in the boot options)
    snapshot_dir: Optional[Path] = None
    qemu: str = "qemu-system-i386"
    # Earlier runs' boot times: parallel runs start the longest boots first (None: plan order)
    durations_file: Optional[Path] = None


@dataclass
class RunResult:
    boots: List[BootRecord]
    results: List[ScenarioResult]
    exit_code: int
    out_dir: Path
    seconds: float
    snapshot: Optional[SnapshotResult] = None


def prepare_snapshot(options: RunOptions, stream: TextIO) -> Optional[SnapshotResult]:
    """The run's snapshot (reused, made now, or why not), or None when the run starts cold by choice."""
    if options.snapshot_dir is None:
        return None
    if options.disk is not None:
        stream.write("snapshot: not used with --disk (the disk's contents are not part of it); cold boots\n")
        return SnapshotResult(None, "disabled", "a disk is attached", 0.0)
    from .boot import accelerators_to_try
    try:
        accels = accelerators_to_try(options.accel)
    except ValueError as error:
        return SnapshotResult(None, "unusable", str(error), 0.0)
    store = SnapshotStore(options.snapshot_dir)
    result = store.ensure(options.iso, shape_for(options.accel, options.memory_mb, options.qemu), accels,
                          status=lambda msg: (stream.write(msg + "\n"), stream.flush()))
    if result.snapshot is not None:
        stream.write(f"snapshot: {result.action} ({result.detail}; {result.seconds:.1f} s): boots start from "
                     f"{result.snapshot.directory} on {result.snapshot.identity.accel}\n")
    else:
        stream.write(f"snapshot: {result.action}: {result.detail}\n"
                     "snapshot: every boot starts cold, with its plan in the boot options\n")
    stream.flush()
    return result


# A boot's deadline beyond its longest test timeout: loading or booting, and the other tests
BOOT_MARGIN_S = 300.0

PROGRESS_KINDS = {Kind.VERSION: "kernel", Kind.BOOT_TOOK: "user mode up", Kind.BUGCHECK: "BUGCHECK",
                  Kind.ASSERTION: "ASSERTION", Kind.DEBUGGER_ENTERED: "debugger entered"}


def _elapsed(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def _progress_printer(name: str, stream: TextIO, echo: bool, tests: Sequence[str] = (),
                      run_started: Optional[float] = None,
                      clock: Callable[[], float] = time.monotonic) -> Callable[[ConsoleLine, List[Event]], None]:
    """Prints a boot's milestones; each test it begins as ``test N of M`` with the run's elapsed time
    (a suite of rostests runs for many minutes with nothing else to show)."""
    shown = set()
    order = {test: index for index, test in enumerate(tests, start=1)}
    run_started = clock() if run_started is None else run_started

    def on_line(line: ConsoleLine, events: List[Event]) -> None:
        if echo:
            stream.write(f"[{name} {line.time:6.1f}s] {line.text}\n")
        for event in events:
            label = PROGRESS_KINDS.get(event.kind)
            if event.kind in (Kind.VERSION, Kind.BOOT_TOOK):
                if event.kind in shown:
                    continue  # once per boot: user mode reports "Boot took" several times
                shown.add(event.kind)
            if label and not echo:
                stream.write(f"[{name} {line.time:6.1f}s] {label}: {line.text.strip()[:100]}\n")
        begun = TEST_BEGIN.search(line.text)
        if begun:
            test = f"{begun['module'].lower()}:{begun['test'].lower()}"
            where = f"test {order[test]} of {len(order)}" if test in order else "test"
            stream.write(f"[{name} {line.time:6.1f}s] {where}: {test} (run {_elapsed(clock() - run_started)})\n")
        if "[HARNESS] exit" in line.text and not echo:
            stream.write(f"[{name} {line.time:6.1f}s] {line.text.strip()}\n")
        stream.flush()
    return on_line


# Outcomes after which the guest could not go on: the tests it never began get a fresh boot
RESUMABLE = {Outcome.BUGCHECK, Outcome.ASSERTION, Outcome.DEBUGGER, Outcome.CRASH, Outcome.HANG, Outcome.LOOP,
             Outcome.TIMEOUT, Outcome.REBOOT}


def tests_to_resume(record: BootRecord) -> List[str]:
    """The tests a boot that crashed never began (none after a pass, a test failure or an
    infrastructure error: the first two ran everything, the last would fail again)."""
    if record.verdict.outcome not in RESUMABLE:
        return []
    return [test.name for test in record.verdict.tests if test.status is TestStatus.NOT_RUN]


def boot_name(index: int, group: Sequence[Scenario]) -> str:
    """Short and stable: the boot's number and first scenario, and how many more it runs (the report
    lists them all)."""
    more = f"+{len(group) - 1}" if len(group) > 1 else ""
    return f"boot{index + 1}-{group[0].name}{more}"


def execute(options: RunOptions, stream: Optional[TextIO] = None) -> RunResult:
    stream = stream or sys.stdout
    started = time.monotonic()
    out_dir = Path(options.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    snapshot = prepare_snapshot(options, stream)
    plans = plan_boots(options.scenarios)
    boot_of: Dict[str, int] = {}
    jobs = []
    for index, group in enumerate(plans):
        name = boot_name(index, group)
        tests: List[str] = []
        for scenario in group:
            boot_of[scenario.name] = index
            tests.extend(t for t in scenario.tests if t not in tests)
        timeout = options.test_timeout_s or max(s.test_timeout_s for s in group) or None
        focus = {test: ranges for scenario in group for test, ranges in scenario.focus}
        scratch_disk = any(scenario.scratch_disk for scenario in group)
        host_checks = {test: checks for scenario in group for test, checks in scenario.host_checks}
        limits = options.limits
        if timeout and limits.deadline_s < timeout + BOOT_MARGIN_S:
            # A scenario whose test may take longer than a boot's default deadline
            limits = dataclasses.replace(limits, deadline_s=timeout + BOOT_MARGIN_S)
        jobs.append((name, BootOptions(iso=options.iso, tests=tests, run_dir=out_dir / name, accel=options.accel,
                                       memory_mb=options.memory_mb, disk=options.disk, limits=limits,
                                       test_timeout_s=timeout,
                                       until_shutdown=any(s.shuts_down for s in group), focus=focus,
                                       attach_on_crash=options.attach_on_crash, qemu=options.qemu,
                                       # A saved machine has no scratch disk: such a boot starts cold
                                       snapshot=snapshot.snapshot if snapshot and not scratch_disk else None,
                                       scratch_disk=scratch_disk, host_checks=host_checks)))
    stream.write(f"{len(options.scenarios)} scenario(s) in {len(jobs)} boot(s); results in {out_dir}\n")

    def one(job) -> List[BootRecord]:
        name, boot_options = job
        records: List[BootRecord] = []
        while True:
            printer = _progress_printer(name, stream, options.echo_console, boot_options.tests, started)
            record = run_boot(name, boot_options, on_line=printer,
                              on_status=lambda msg: (stream.write(msg + "\n"), stream.flush()))
            records.append(record)
            stream.write(f"{name}: {record.verdict.outcome.value.upper()} on {record.accel} - "
                         f"{record.verdict.summary}\n")
            for test in record.verdict.tests:
                mark = "ok  " if test.status is TestStatus.PASSED else "FAIL"
                stream.write(f"  {mark} {test.name}: {test.status.value} ({test.reason})\n")
            stream.flush()
            remaining = tests_to_resume(record)
            if not remaining or len(records) > options.max_resumes:
                return records
            name = f"{records[0].name}-resume{len(records)}"
            stream.write(f"{name}: {len(remaining)} test(s) never began; running them in a fresh boot\n")
            boot_options = dataclasses.replace(boot_options, tests=remaining, run_dir=out_dir / name)

    history = DurationHistory(options.durations_file)
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        # Submitted longest first, reported in plan order (the boot names carry the plan's numbering)
        futures = {index: pool.submit(one, jobs[index])
                   for index in history.longest_first([boot.tests for _, boot in jobs])}
        chains = [futures[index].result() for index in range(len(jobs))]
    boots = [record for chain in chains for record in chain]
    history.record([(chain[0].tests, sum(a.seconds for record in chain for a in record.attempts))
                    for chain in chains if chain[0].verdict.outcome is not Outcome.INFRA])

    results = scenario_results(options.scenarios, chains, boot_of)
    exit_code = run_exit_code(results, boots)
    charts = [path for result in results for test in result.tests
              if (path := write_test_chart(out_dir, test.name, test.series)) is not None]
    write_json(out_dir / "results.json", to_json(results, boots, exit_code, snapshot, charts))
    write_junit(out_dir / "junit.xml", results)
    stream.write("\n" + format_table(results, boots) + "\n")
    for path in charts:
        stream.write(f"chart: {path}\n")
    stream.write(f"\nexit {exit_code}; serial logs, QEMU logs and screenshots in {out_dir}\n")
    return RunResult(boots, results, exit_code, out_dir, time.monotonic() - started, snapshot)
