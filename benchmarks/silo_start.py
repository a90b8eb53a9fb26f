"""Server-silo start against the host's own boot, over several boots (issue 5's benchmark).

Each boot runs the silo-csrss scenario, whose guest test prints, from one boot:
  csrss-start: silo_ms (SmStartServerSilo request -> the silo's CSRSS serves), host_ms (the host's
               SMSS start -> winlogon start, which SMSS does once the host's CSRSS connected), ratio
  csrss-silos: how many server silos with their SMSS and CSRSS ran at once, and the guest's memory then
This prints one row per boot with the accelerator that ran it, then the median ratio against the goal.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Dict, Optional

from harness.boot import BootOptions, run_boot
from harness.monitor import Limits
from harness.scenarios import SCENARIOS

from options import add_snapshot_option, benchmark_parser, snapshot_for

SCENARIO = "silo-csrss"
RATIO_GOAL = 1.5
CAPACITY_GOAL = 32


def figures(record) -> Optional[Dict[str, Dict[str, str]]]:
    """The test's metrics, or None when the boot did not pass (a figure from a failed run means nothing)."""
    if record.verdict.exit_code != 0 or not record.verdict.tests:
        return None
    metrics = record.verdict.tests[0].metrics
    return metrics if "csrss-start" in metrics and "csrss-silos" in metrics else None


def main() -> int:
    parser = benchmark_parser(__doc__, runs=3)
    add_snapshot_option(parser)
    args = parser.parse_args()
    snapshot = snapshot_for(args)

    tests = list(SCENARIOS[SCENARIO].tests)
    ratios = []
    print(f"{'run':>3}  {'accel':5}  {'silo_ms':>8}  {'host_ms':>8}  {'ratio':>6}  {'at_once':>7}  {'avail_mb':>8}  outcome")
    with tempfile.TemporaryDirectory(prefix="silo-start-") as scratch:
        for run in range(1, args.runs + 1):
            record = run_boot(f"silo-start{run}", BootOptions(iso=args.iso, tests=tests, run_dir=Path(scratch) / f"r{run}",
                                                              accel=args.accel, snapshot=snapshot,
                                                              limits=Limits(deadline_s=400, inactivity_s=120)))
            found = figures(record)
            if found is None:
                print(f"{run:>3}  {record.accel or '-':5}  {'-':>8}  {'-':>8}  {'-':>6}  {'-':>7}  {'-':>8}  "
                      f"{record.verdict.outcome.value}: {record.verdict.summary}", flush=True)
                continue
            start, silos = found["csrss-start"], found["csrss-silos"]
            ratios.append(float(start["ratio"]))
            print(f"{run:>3}  {record.accel or '-':5}  {start['silo_ms']:>8}  {start['host_ms']:>8}  {start['ratio']:>6}  "
                  f"{silos['running_at_once']:>7}  {silos.get('avail_phys_mb', '-'):>8}  {record.verdict.outcome.value}",
                  flush=True)
    if not ratios:
        print("no boot produced the figures", file=sys.stderr)
        return 1
    median = statistics.median(ratios)
    print(f"silo start / host SMSS->CSRSS: median {median:.3f} over {len(ratios)} boot(s) (min {min(ratios):.3f}, "
          f"max {max(ratios):.3f}), goal <= {RATIO_GOAL}; capacity goal {CAPACITY_GOAL}; accelerator {args.accel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
