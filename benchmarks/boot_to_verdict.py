"""Boot-to-verdict for the smoke scenario: QEMU start to the runner's last result line.

Prints one row per boot and the median; the bar is <= 30 s under TCG on 2-core machines.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from harness.boot import BootOptions, run_boot
from harness.monitor import Limits
from harness.scenarios import SCENARIOS

from options import benchmark_parser


def main() -> int:
    parser = benchmark_parser(__doc__, runs=3)
    parser.add_argument("--scenario", default="smoke")
    args = parser.parse_args()

    tests = list(SCENARIOS[args.scenario].tests)
    totals = []
    print(f"{'run':>3}  {'accel':5}  {'banner':>7}  {'user':>7}  {'runner':>7}  {'verdict':>7}  outcome")
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        for run in range(1, args.runs + 1):
            record = run_boot(f"bench{run}", BootOptions(iso=args.iso, tests=tests, run_dir=Path(scratch) / f"r{run}",
                                                         accel=args.accel, limits=Limits(deadline_s=300, inactivity_s=90)))
            t = record.transcript
            def fmt(value):
                return f"{value:6.1f}s" if value is not None else "      -"
            print(f"{run:>3}  {record.accel or '-':5}  {fmt(t and t.banner_s)}  {fmt(t and t.boot_took_s)}  "
                  f"{fmt(t and t.runner_start_s)}  {fmt(t and t.done_s)}  {record.verdict.outcome.value}", flush=True)
            if t is not None and t.done_s is not None and record.verdict.exit_code == 0:
                totals.append(t.done_s)
    if not totals:
        print("no boot reached a verdict", file=sys.stderr)
        return 1
    print(f"boot-to-verdict median {statistics.median(totals):.1f}s over {len(totals)} boot(s) "
          f"(min {min(totals):.1f}s, max {max(totals):.1f}s), accelerator {args.accel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
