"""Server-silo density and cost in one boot (issue 14, item 4's benchmark).

The silo-density scenario's guest test prints, from one boot:
  density:          how many server silos with their SMSS and CSRSS ran at once, why the run stopped (a failed
                    start's status, the memory floor or the cap), the guest's memory then
  density-cost:     per silo: non-paged and paged pool, commit, available memory and processes
  density-pooltags: the pool tags that grew the most, KB per silo
  density-process:  the last silo's SMSS and CSRSS: private bytes and working set
  density-phases:   where the first starts' time goes: host SMSS, the silo's SMSS boot, its CSRSS boot
  density-latency:  start time (SmStartServerSilo request -> the silo's CSRSS serves) p50/p95/max over the run,
                    and over the starts made with at least 100 silos running
  density-busy:     the same for a batch started while silos run spinning programs
  density-teardown: what came back once every silo ended
This boots once (or --runs times) and prints the figures as a table, then the goals.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from harness.boot import BootOptions, run_boot
from harness.monitor import Limits
from harness.scenarios import SCENARIOS
from harness.scenarios.density import DENSITY_TEST_TIMEOUT_S

from options import add_snapshot_option, benchmark_parser, snapshot_for

SCENARIO = "silo-density"
SILOS_GOAL = 200
P95_GOAL_MS = 150.0
REQUIRED = ("density", "density-cost", "density-latency", "density-busy", "density-teardown")
DEADLINE_S = DENSITY_TEST_TIMEOUT_S + 600
INACTIVITY_S = 300

Metrics = Dict[str, Dict[str, str]]

# (label, metric line, key) in the order the table prints them
ROWS: Tuple[Tuple[str, str, str], ...] = (
    ("silos at once", "density", "silos"),
    ("stopped by", "density", "stop"),
    ("first failure", "density", "first_failure"),
    ("available MB at peak", "density", "avail_mb"),
    ("commit MB / limit MB", "density", "commit_mb"),
    ("non-paged KB / silo", "density-cost", "nonpaged_kb_per_silo"),
    ("paged KB / silo", "density-cost", "paged_kb_per_silo"),
    ("commit KB / silo", "density-cost", "commit_kb_per_silo"),
    ("available KB / silo", "density-cost", "avail_kb_per_silo"),
    ("processes / silo", "density-cost", "processes_per_silo"),
    ("silo SMSS working set KB", "density-process", "smss_ws_kb"),
    ("silo CSRSS working set KB", "density-process", "csrss_ws_kb"),
    ("start p50 ms", "density-latency", "p50_ms"),
    ("start p95 ms", "density-latency", "p95_ms"),
    ("start max ms", "density-latency", "max_ms"),
    ("start p95 ms, >=100 running", "density-latency", "at_100_p95_ms"),
    ("phase: host SMSS ms", "density-phases", "to_smss_ms"),
    ("phase: silo SMSS boot ms", "density-phases", "smss_to_csrss_ms"),
    ("phase: silo CSRSS boot ms", "density-phases", "csrss_to_ready_ms"),
    ("busy start p50 ms", "density-busy", "p50_ms"),
    ("busy start p95 ms", "density-busy", "p95_ms"),
    ("busy start max ms", "density-busy", "max_ms"),
    ("busy load", "density-busy", "busy"),
    ("teardown csrss / smss", "density-teardown", "csrss"),
    ("teardown avail MB", "density-teardown", "avail_mb"),
    ("teardown commit MB", "density-teardown", "commit_mb"),
)


def figures(record) -> Optional[Metrics]:
    """The test's metrics, or None when the boot did not pass (a figure from a failed run means nothing)."""
    if record.verdict.exit_code != 0 or not record.verdict.tests:
        return None
    metrics = record.verdict.tests[0].metrics
    return metrics if all(name in metrics for name in REQUIRED) else None


def cell(metrics: Metrics, line: str, key: str) -> str:
    value = metrics.get(line, {}).get(key, "-")
    if (line, key) == ("density", "commit_mb"):
        return f"{value} / {metrics[line].get('commit_limit_mb', '-')}"
    if (line, key) == ("density-teardown", "csrss"):
        return f"{value} / {metrics[line].get('smss', '-')}"
    return value


def print_table(runs: List[Metrics]) -> None:
    header = f"{'figure':28}" + "".join(f"  {f'run {n}':>18}" for n in range(1, len(runs) + 1))
    print(header)
    for label, line, key in ROWS:
        print(f"{label:28}" + "".join(f"  {cell(metrics, line, key):>18}" for metrics in runs))
    for n, metrics in enumerate(runs, 1):
        tags = {k: v for k, v in metrics.get("density-pooltags", {}).items() if k != "silos"}
        print(f"run {n} pool tags, KB/silo: " + ", ".join(f"{tag} {kb}" for tag, kb in tags.items()))


def print_goals(runs: List[Metrics]) -> None:
    for n, metrics in enumerate(runs, 1):
        silos = int(metrics["density"]["silos"])
        p95 = float(metrics["density-latency"]["at_100_p95_ms"])
        print(f"run {n}: {silos} silos at once (goal >= {SILOS_GOAL}: {'met' if silos >= SILOS_GOAL else 'NOT met'}, "
              f"stopped by {metrics['density']['stop']} {metrics['density']['first_failure']}); start p95 with 100 "
              f"running {p95:.1f} ms (goal <= {P95_GOAL_MS:.0f}: "
              f"{'met' if 0 <= p95 <= P95_GOAL_MS else 'NOT met'})")


def main() -> int:
    parser = benchmark_parser(__doc__, runs=1)
    add_snapshot_option(parser)
    args = parser.parse_args()
    snapshot = snapshot_for(args)

    tests = list(SCENARIOS[SCENARIO].tests)
    runs: List[Metrics] = []
    with tempfile.TemporaryDirectory(prefix="silo-density-") as scratch:
        for run in range(1, args.runs + 1):
            record = run_boot(f"silo-density{run}",
                              BootOptions(iso=args.iso, tests=tests, run_dir=Path(scratch) / f"r{run}",
                                          accel=args.accel, test_timeout_s=DENSITY_TEST_TIMEOUT_S, snapshot=snapshot,
                                          limits=Limits(deadline_s=DEADLINE_S, inactivity_s=INACTIVITY_S)))
            found = figures(record)
            if found is None:
                print(f"run {run} ({record.accel or '-'}): {record.verdict.outcome.value}: {record.verdict.summary}",
                      flush=True)
                continue
            runs.append(found)
    if not runs:
        print("no boot produced the figures", file=sys.stderr)
        return 1
    print_table(runs)
    print_goals(runs)
    print(f"accelerator {args.accel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
