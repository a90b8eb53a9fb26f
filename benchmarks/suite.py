"""The default suite, cold against warm, in one run: wall time, per-boot overhead and per-test time.

Three passes over the same scenarios (the default suite unless --scenario is given):
  cold    every boot from power-on, its plan in the boot options (harness run --no-snapshot)
  warm    every boot from the snapshot at the runner's plan question (made first, in a fresh cache;
          its making is timed apart and not counted in the warm wall time)
  warm-1  the warm pass again with one boot at a time, for the -j speed-up (--skip-serial leaves it out)
Per-boot overhead is QEMU start -> the runner's start line. The QEMU CPU share of a boot (CPU time over
its wall time) says how CPU-bound it is: -j N can only approach N times faster for CPU-bound boots on N
cores. Figures from a pass that did not pass are printed but flagged.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from harness.boot import BootRecord, accelerators_to_try
from harness.monitor import Limits
from harness.run import RunOptions, RunResult, execute
from harness.scenarios import Scenario, select
from harness.snapshot import SnapshotStore, shape_for

from options import benchmark_parser

SUITE_GOAL_S = 60.0
OVERHEAD_GOAL_S = 3.0
MEMORY_MB = 1024


@dataclass
class Pass:
    name: str
    jobs: int
    result: RunResult
    overheads: List[float] = field(default_factory=list)
    test_seconds: Dict[str, float] = field(default_factory=dict)
    cpu_shares: List[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.result.exit_code == 0


def boot_wall(record: BootRecord) -> Optional[float]:
    return record.transcript.elapsed_s if record.transcript is not None else None


def measure(name: str, jobs: int, result: RunResult) -> Pass:
    figures = Pass(name, jobs, result)
    for record in result.boots:
        t = record.transcript
        if t is not None and t.runner_start_s is not None:
            figures.overheads.append(t.runner_start_s)
        wall = boot_wall(record)
        if record.cpu_s is not None and wall:
            figures.cpu_shares.append(record.cpu_s / wall)
        for test in record.verdict.tests:
            if test.seconds is not None:
                figures.test_seconds[test.name] = test.seconds
    return figures


def run_pass(name: str, iso: Path, scenarios: Sequence[Scenario], jobs: int, accel: str, scratch: Path,
             snapshot_dir: Optional[Path]) -> Pass:
    log = scratch / f"{name}.log"
    print(f"{name}: {len(scenarios)} scenario(s), -j {jobs} ... (output in {log})", flush=True)
    with open(log, "w") as stream:
        result = execute(RunOptions(iso=iso, scenarios=scenarios, out_dir=scratch / name, accel=accel, jobs=jobs,
                                    memory_mb=MEMORY_MB, limits=Limits(deadline_s=600, inactivity_s=120),
                                    snapshot_dir=snapshot_dir,
                                    # cold's boot times order the warm passes' boots, longest first
                                    durations_file=scratch / "boot-durations.json"), stream=stream)
    print(f"{name}: exit {result.exit_code}, {result.seconds:.1f} s", flush=True)
    return measure(name, jobs, result)


def cell(values: List[float], how: str = "p50/max") -> str:
    if not values:
        return "-"
    if how == "sum":
        return f"{sum(values):.1f}"
    return f"{statistics.median(values):.1f}/{max(values):.1f}"


def print_table(passes: List[Pass], snapshot_s: Optional[float]) -> None:
    rows = [("", [f"{p.name} -j{p.jobs}" for p in passes]),
            ("outcome", ["pass" if p.passed else f"FAIL (exit {p.result.exit_code})" for p in passes]),
            ("wall s", [f"{p.result.seconds:.1f}" for p in passes]),
            ("boots", [str(len(p.result.boots)) for p in passes]),
            ("started from", [",".join(sorted({b.start for b in p.result.boots})) for p in passes]),
            ("overhead s p50/max", [cell(p.overheads) for p in passes]),
            ("tests s (sum)", [cell(list(p.test_seconds.values()), "sum") for p in passes]),
            ("QEMU CPU share p50/max", [cell(p.cpu_shares) for p in passes])]
    width = max(len(label) for label, _ in rows)
    columns = [max(len(row[1][i]) for row in rows) for i in range(len(passes))]
    for label, cells in rows:
        print(label.ljust(width) + "  " + "  ".join(c.rjust(columns[i]) for i, c in enumerate(cells)))
    if snapshot_s is not None:
        print(f"{'snapshot made in s'.ljust(width)}  {snapshot_s:.1f} (once per ISO, QEMU and machine shape)")

    print("\nper test (s):")
    names = sorted({name for p in passes for name in p.test_seconds})
    name_width = max((len(n) for n in names), default=4)
    print("  " + "test".ljust(name_width) + "  " + "  ".join(p.name.rjust(8) for p in passes))
    for name in names:
        print("  " + name.ljust(name_width) + "  " + "  ".join(
            (f"{p.test_seconds[name]:.2f}" if name in p.test_seconds else "-").rjust(8) for p in passes))


def print_goals(passes: Dict[str, Pass]) -> None:
    print()
    warm, cold, serial = passes.get("warm"), passes.get("cold"), passes.get("warm-1")
    if warm is not None:
        verdict = "met" if warm.passed and warm.result.seconds <= SUITE_GOAL_S else "NOT met"
        print(f"goal: default suite <= {SUITE_GOAL_S:.0f} s wall: warm {warm.result.seconds:.1f} s -> {verdict}")
        worst = max(warm.overheads, default=float("inf"))
        verdict = "met" if worst <= OVERHEAD_GOAL_S else "NOT met"
        print(f"goal: per-boot overhead from a snapshot <= {OVERHEAD_GOAL_S:.0f} s: max {worst:.1f} s -> {verdict}")
    if warm is not None and cold is not None:
        print(f"warm against cold: {cold.result.seconds / warm.result.seconds:.2f}x faster")
    if warm is not None and serial is not None:
        speedup = serial.result.seconds / warm.result.seconds
        print(f"-j{warm.jobs} against -j1 (warm): {speedup:.2f}x faster (ideal {warm.jobs}x for CPU-bound boots "
              f"on {warm.jobs} cores; QEMU CPU share p50 {statistics.median(serial.cpu_shares or [0]):.2f} at -j1)")
    if any(not p.passed for p in passes.values()):
        print("note: a pass did not pass; its figures are not a measure of a good run")


def main() -> int:
    parser = benchmark_parser(__doc__)
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--scenario", "-s", action="append", help="scenario (repeatable); default: the default suite")
    parser.add_argument("--skip-cold", action="store_true", help="leave out the cold pass")
    parser.add_argument("--skip-serial", action="store_true", help="leave out the warm pass at -j 1")
    parser.add_argument("--keep", type=Path, help="keep the run directories here (default: a temporary one)")
    args = parser.parse_args()

    scenarios = select(args.scenario or [])
    with tempfile.TemporaryDirectory(prefix="suite-bench-") as temporary:
        scratch = args.keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        cache = scratch / "snapshots"
        passes: Dict[str, Pass] = {}
        if not args.skip_cold:
            passes["cold"] = run_pass("cold", args.iso, scenarios, args.jobs, args.accel, scratch, None)
        started = time.monotonic()
        made = SnapshotStore(cache).ensure(args.iso, shape_for(args.accel, MEMORY_MB, "qemu-system-i386"),
                                           accelerators_to_try(args.accel))
        snapshot_s = time.monotonic() - started
        print(f"snapshot: {made.action} in {snapshot_s:.1f} s ({made.detail})", flush=True)
        if made.snapshot is None:
            print("no snapshot: the warm passes would be cold ones", file=sys.stderr)
            return 1
        passes["warm"] = run_pass("warm", args.iso, scenarios, args.jobs, args.accel, scratch, cache)
        if not args.skip_serial and args.jobs > 1:
            passes["warm-1"] = run_pass("warm-1", args.iso, scenarios, 1, args.accel, scratch, cache)
        print()
        print_table(list(passes.values()), snapshot_s)
        print_goals(passes)
        return 0 if all(p.passed for p in passes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
